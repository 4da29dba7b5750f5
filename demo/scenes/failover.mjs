/**
 * Scene 6: live failover. The primary engine of classify-ticket (openai) starts answering 503:
 * the retry middleware retries, gives up, the router moves the call down `engines.prefer`, the
 * breaker opens after two failed calls (later calls skip openai at once), and after `reset_ms` a
 * probe finds openai healthy and closes the breaker again.
 */
import { BREAKER_RESET_MS } from '../engines.mjs';
import { engineLabel, section, table } from '../format.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { consume } from '../events.mjs';

const FAILING_ENGINE = 'openai';
const FAULTS = 6;

const TICKETS = [
  { subject: '返金について', body: '先週キャンセルした注文の返金がまだ届いていません。いつ頃になりますか？', customer_tier: 'pro' },
  { subject: '网站无法登录', body: '从今天早上开始，我们公司所有员工都无法登录后台，显示 502 错误。', customer_tier: 'enterprise' },
  { subject: 'Invoice address', body: 'Could you change the billing address on future invoices to our new office in Rotterdam?', customer_tier: 'enterprise' },
];
const AFTER_RECOVERY = { subject: 'Broken zip', body: 'The zip of my new backpack broke on the first trip. Can I return it for a replacement?', customer_tier: 'free' };

/** @param {import('../format.mjs').Out} out */
export async function failoverScene(out, demo, skills, totals, traceDir) {
  section(out, 6, 'Live failover: the primary engine starts failing', 'classify-ticket · engines.prefer: [openai, claude, cohere] · retry → breaker → failover');
  const skill = skills.get('classify-ticket');
  const emulator = demo.emulators[FAILING_ENGINE];
  emulator.enqueueFault(...Array.from({ length: FAULTS }, () => '503'));
  out.line(`  ${out.c.red('✗')} fault injected: the ${FAILING_ENGINE} emulator answers the next ${FAULTS} requests with HTTP 503`);
  out.line(out.c.dim(`    engine policy: retry max_attempts 3, circuit_breaker failures 2, reset_ms ${BREAKER_RESET_MS}`));
  out.line();

  const seen = { retries: 0, switches: [], breaker: [] };
  /** @type {string[]} */
  const traces = [];
  const stop = demo.onCallEvent((e) => {
    if (e.type === 'retry') {
      seen.retries += 1;
      out.line(`    ${out.c.yellow('↻ retry')} ${e.engine} attempt ${e.attempt - 1} failed (${e.errorKind}); attempt ${e.attempt} in ${Math.round(e.delayMs)} ms`);
    } else if (e.type === 'breaker-state') {
      seen.breaker.push(e);
      const colour = e.to === 'open' ? out.c.red : e.to === 'closed' ? out.c.green : out.c.yellow;
      out.line(`    ${colour(`⚡ breaker ${e.engine}: ${e.from} → ${e.to}`)}`);
    } else if (e.type === 'engine-switch') {
      seen.switches.push(e);
      out.line(`    ${out.c.magenta(`⇢ failover ${e.from} → ${e.to}`)} ${out.c.dim(`(reason: ${e.reason})`)}`);
    }
  });

  const classify = async (n, ticket) => {
    out.line(`  ${out.c.bold(`ticket ${n}`)} “${ticket.subject}” ${out.c.dim(`(${ticket.customer_tier})`)}`);
    let engine = '';
    let model = '';
    const result = await consume(demo.runtime.stream(skill, ticket, traceDir === undefined ? {} : { trace: true }), totals, (e) => {
      if (e.type === 'usage') ({ engine, model } = e);
    });
    if (traceDir !== undefined && result.runTrace !== undefined) {
      mkdirSync(traceDir, { recursive: true });
      const file = path.join(traceDir, `failover-ticket-${n}.trace.json`);
      writeFileSync(file, `${JSON.stringify(result.runTrace, null, 2)}\n`);
      traces.push(file);
      out.line(out.c.dim(`    trace: ${file} (skillc trace view ${file})`));
    }
    const o = result.output;
    out.line(`    ${out.c.green('✓')} ${o.category}, ${o.priority}, ${o.language} → queue ${out.c.bold(o.queue)}  ${engineLabel(out, engine, model)}`);
    return engine;
  };

  try {
    const served = [];
    for (const [i, ticket] of TICKETS.entries()) served.push(await classify(i + 1, ticket));
    out.line();
    await breakerTable(out, demo);
    out.line();
    out.line(out.c.dim(`  … ${BREAKER_RESET_MS} ms later the ${FAILING_ENGINE} emulator is healthy again; the next call is the breaker's probe`));
    await new Promise((resolve) => setTimeout(resolve, BREAKER_RESET_MS + 50));
    served.push(await classify(TICKETS.length + 1, AFTER_RECOVERY));
    out.line();
    await breakerTable(out, demo);
    out.line();
    out.line(`  ${out.c.green('✓ failover:')} ${served.map((engine, i) => `ticket ${i + 1} → ${engine}`).join(', ')}; no ticket was lost`);
    return { served, traces, ...seen };
  } finally {
    stop();
  }
}

async function breakerTable(out, demo) {
  const rows = [];
  for (const name of demo.registry.names()) {
    const state = await demo.breakers.state(name, { resetMs: BREAKER_RESET_MS });
    const requests = demo.emulators[name].requests;
    const failed = requests.filter((r) => (r.status ?? 0) >= 400).length;
    const colour = state === 'open' ? out.c.red : state === 'closed' ? out.c.green : out.c.yellow;
    rows.push([name, colour(state), String(requests.length), String(failed)]);
  }
  table(out, ['engine', 'breaker', 'HTTP requests', 'failed'], rows, { align: ['left', 'left', 'right', 'right'] });
}
