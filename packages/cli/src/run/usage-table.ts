/** Tokens and cost per engine, collected from `usage` events, and the table `skillc run` ends with. */
import type { RunEvent } from '@sdl/runtime';

export interface EngineUsage {
  engine: string;
  models: string[];
  inputTokens: number;
  outputTokens: number;
  /** US dollars. */
  cost: number;
  calls: number;
}

/** Accumulates `usage` events by engine, in first-use order. */
export class UsageByEngine {
  readonly #engines = new Map<string, EngineUsage>();

  add(event: RunEvent): void {
    if (event.type !== 'usage') return;
    let entry = this.#engines.get(event.engine);
    if (entry === undefined) {
      entry = { engine: event.engine, models: [], inputTokens: 0, outputTokens: 0, cost: 0, calls: 0 };
      this.#engines.set(event.engine, entry);
    }
    if (!entry.models.includes(event.model)) entry.models.push(event.model);
    entry.inputTokens += event.usage.inputTokens;
    entry.outputTokens += event.usage.outputTokens;
    entry.cost += event.costUsd;
    entry.calls += 1;
  }

  list(): EngineUsage[] {
    return [...this.#engines.values()];
  }
}

/** Dollars with enough digits to show sub-cent costs (`$0.000123`). */
export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toPrecision(3)}`;
}

/** The closing table: one row per engine, then the total. */
export function formatUsageTable(rows: readonly EngineUsage[], total: { inputTokens: number; outputTokens: number; cost: number }): string {
  const header = ['engine', 'model', 'calls', 'input tokens', 'output tokens', 'cost'];
  const body = rows.map((r) => [r.engine, r.models.join(', '), String(r.calls), String(r.inputTokens), String(r.outputTokens), formatCost(r.cost)]);
  const footer = ['total', '', String(rows.reduce((n, r) => n + r.calls, 0)), String(total.inputTokens), String(total.outputTokens), formatCost(total.cost)];
  const table = [header, ...body, footer];
  const widths = header.map((_, i) => Math.max(...table.map((row) => [...row[i]!].length)));
  const numeric = new Set([2, 3, 4, 5]);
  const line = (row: string[]) =>
    row
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...body.map(line), line(footer)].join('\n')}\n`;
}
