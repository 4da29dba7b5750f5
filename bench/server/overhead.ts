/**
 * What `skillc serve`'s HTTP layer adds per run: the same one-step skill on a scripted engine that
 * answers at once, called (a) as `runtime.run` in process (baseline), (b) as `POST
 * /v1/skills/{name}/runs` JSON over loopback HTTP (Node's fetch, keep-alive) through auth, body
 * limit, input validation and metrics, (c) the same with `Accept: text/event-stream`, and
 * `GET /healthz` (no auth, no run: the HTTP round trip and Hono alone). Contenders
 * alternate in blocks; wall time per run, median and interquartile range over the blocks.
 *
 *   npx tsx bench/server/overhead.ts [--blocks 10] [--runs 200]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ScriptedAdapter } from '../../packages/adapters/src/index.js';
import { createRuntime, loadSkillSource } from '../../packages/runtime/src/index.js';
import { createServer } from '../../packages/server/src/index.js';
import { median, quartiles } from '../runtime/stats.js';

const { values } = parseArgs({ options: { blocks: { type: 'string', default: '10' }, runs: { type: 'string', default: '200' } } });
const blocks = Number(values.blocks);
const runs = Number(values.runs);

const skill = await loadSkillSource(fileURLToPath(new URL('../../packages/server/test/fixtures/skills/chat.skill.yaml', import.meta.url)));
const runtime = createRuntime({ engines: { offline: { adapter: new ScriptedAdapter({ fallback: 'echo' }), model: 'scripted' } } });
const token = 'bench-token-0123456789abcdef';
const server = createServer({ runtime, skills: [skill], callers: [{ name: 'bench', token: { reveal: () => token } }] });
const { url } = await server.listen({ port: 0 });
const body = JSON.stringify({ inputs: { message: 'hello there' } });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

const contenders: Record<string, () => Promise<unknown>> = {
  'runtime.run (in process)': () => runtime.run(skill, { message: 'hello there' }),
  'GET /healthz (no run)': async () => (await fetch(`${url}/healthz`)).text(),
  'POST JSON over HTTP': async () => {
    const response = await fetch(`${url}/v1/skills/chat/runs`, { method: 'POST', headers, body });
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    return response.json();
  },
  'POST SSE over HTTP': async () => {
    const response = await fetch(`${url}/v1/skills/chat/runs`, { method: 'POST', headers: { ...headers, accept: 'text/event-stream' }, body });
    const text = await response.text();
    if (!text.includes('event: done')) throw new Error('no done event');
    return text;
  },
};

// Warm-up: JIT, the first connection.
for (const run of Object.values(contenders)) for (let i = 0; i < 50; i++) await run();
const perRun: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
const loadBefore = loadavg();
for (let b = 0; b < blocks; b++) {
  for (const [name, run] of Object.entries(contenders)) {
    const started = performance.now();
    for (let i = 0; i < runs; i++) await run();
    perRun[name]!.push(((performance.now() - started) * 1000) / runs);
  }
}
const loadAfter = loadavg();
await server.shutdown();

const base = median(perRun['runtime.run (in process)']!);
console.log(`${blocks} blocks x ${runs} sequential runs per contender; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} -> ${loadAfter.map((l) => l.toFixed(1)).join(' ')}`);
console.log('contender                    median µs/run   IQR µs/run        ratio  added µs');
for (const [name, xs] of Object.entries(perRun)) {
  const [q1, q3] = quartiles(xs);
  const m = median(xs);
  console.log(`${name.padEnd(28)} ${m.toFixed(0).padStart(13)}   ${`${q1.toFixed(0)}-${q3.toFixed(0)}`.padEnd(16)} ${(m / base).toFixed(2).padStart(6)}  ${(m - base).toFixed(0).padStart(8)}`);
}
