/** Scene 8: usage and cost per engine over the whole demo (prices from the model descriptors). */
import { section, table, usd } from '../format.mjs';

/** @param {import('../format.mjs').Out} out  @param {import('../events.mjs').UsageTotals} totals */
export function costScene(out, demo, totals) {
  section(out, 8, 'Usage and cost per engine', 'tokens as the (emulated) providers reported them · USD at list price per million tokens');
  const rows = [];
  let sum = { calls: 0, input: 0, output: 0, cost: 0, requests: 0 };
  for (const name of demo.registry.names()) {
    const row = totals.byEngine.get(name) ?? { models: new Set(), calls: 0, input: 0, output: 0, cost: 0 };
    const requests = demo.emulators[name].requests.length;
    rows.push([name, [...row.models].join(', ') || '—', String(row.calls), String(requests), String(row.input), String(row.output), usd(row.cost)]);
    sum = { calls: sum.calls + row.calls, input: sum.input + row.input, output: sum.output + row.output, cost: sum.cost + row.cost, requests: sum.requests + requests };
  }
  rows.push([out.c.bold('total'), '', String(sum.calls), String(sum.requests), String(sum.input), String(sum.output), out.c.bold(usd(sum.cost))]);
  table(out, ['engine', 'models', 'model calls', 'HTTP requests', 'input tokens', 'output tokens', 'cost (USD)'], rows, {
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
  });
  out.line(out.c.dim('  HTTP requests include failed attempts and retries; model calls count answered calls only.'));
  return sum;
}
