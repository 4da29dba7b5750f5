/**
 * The HTTP gap split per layer, in one run (issue 14): the bare SDK call, an A/A copy of it (the
 * noise floor of the pairing), the adapter's `generate`, a lite adapter (the bare call and a fixed
 * translation) alone and under `runtime.run`, `runtime.run` with the engine bound directly, and
 * `runtime.run` through the router and the default chain, all against the emulator
 * process with the same SDK client settings. Contenders alternate in blocks (starting contender
 * rotated per block); per block this process's CPU time per call and its GC pause time per call
 * (`PerformanceObserver` 'gc' entries); medians over blocks, paired per block against the first
 * contender (the bare SDK), with IQR. `--canned` answers every request in process with the
 * emulator's recorded reply (see `answerInProcess`): the SDK's and SDL's code run as over HTTP, without
 * sockets or undici, so the pairing is far less noisy and a CPU profile shows only JavaScript.
 *
 *   npx tsx bench/runtime/http-layers.ts [--blocks 20] [--calls 400] [--concurrency 16] [--only bare,adapter,...] [--canned]
 */
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { findModel, type EngineAdapter, type EngineResponse } from '@sdl/adapters';
import { createRuntime } from '@sdl/runtime';
import { answerInProcess, benchClients, MODEL, QUESTION, routedRuntime, startEmulatorProcess } from './setup.js';
import { iqrText, median, signed } from './stats.js';

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '20' },
    calls: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    only: { type: 'string' },
    /** Answer every request in process with a recorded emulator reply (after one event-loop turn): the SDK's and SDL's code without sockets. */
    canned: { type: 'boolean', default: false },
  },
});
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const EXPECTED = `echo: ${QUESTION}`;

const { url, child } = await startEmulatorProcess();
if (values.canned) await answerInProcess(url);
const { client, adapter, skill, direct } = await benchClients(url);
const routed = routedRuntime(adapter, [skill]);
const textOf = (m: { content: Array<{ type: string; text?: string }> }) => m.content[0]?.text;
const bareCall = async () => textOf(await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] }));
// An adapter that makes the bare call and answers with a fixed translation: runtime.run's own cost
// over HTTP without the AnthropicAdapter's (`lite` against `run (lite)`).
const lite = {
  provider: 'anthropic',
  enforcesTimeout: true,
  async generate(): Promise<EngineResponse> {
    const text = (await bareCall()) ?? '';
    return { text, toolCalls: [], usage: { inputTokens: 12, outputTokens: 5 }, stopReason: 'end', model: MODEL };
  },
} as unknown as EngineAdapter;
const onLite = createRuntime({ engines: { claude: { adapter: lite, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
onLite.load(skill);
const all: Record<string, () => Promise<unknown>> = {
  bare: bareCall,
  // The same call again as its own contender: what the pairing reads as a difference when there is none.
  'bare A/A': async () => textOf(await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] })),
  adapter: async () => (await adapter.generate({ model: MODEL, messages: [{ role: 'user', content: QUESTION }], maxTokens: 200 })).text,
  lite: async () => (await lite.generate({ model: MODEL, messages: [] })).text,
  'run (lite)': async () => (await onLite.run(skill, { question: QUESTION })).output,
  'runtime.run': async () => (await direct.run(skill, { question: QUESTION })).output,
  'run + chain': async () => (await routed.run(skill, { question: QUESTION })).output,
};
const names = values.only ? values.only.split(',') : Object.keys(all);
for (const name of names) if (!all[name]) throw new Error(`unknown contender ${name}; known: ${Object.keys(all).join(', ')}`);

let gcMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
});
observer.observe({ entryTypes: ['gc'] });

interface Block {
  cpu: number;
  gc: number;
}

async function block(call: () => Promise<unknown>, n: number): Promise<Block> {
  let next = 0;
  const gc0 = gcMs;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) if ((await call()) !== EXPECTED) throw new Error('unexpected reply');
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  // GC entries are delivered asynchronously: let the observer catch up before reading.
  await new Promise((resolve) => setImmediate(resolve));
  return { cpu: (cpu.user + cpu.system) / n, gc: ((gcMs - gc0) * 1000) / n };
}

const load0 = loadavg();
console.log(`http layers: ${BLOCKS} blocks x ${CALLS} calls at c=${CONCURRENCY}; Node ${process.version}; ${new Date().toISOString()}; load ${load0.map((l) => l.toFixed(2)).join(' ')}`);
for (const name of names) await block(all[name]!, 600);
const results: Record<string, Block[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let b = 0; b < BLOCKS; b++) {
  for (const name of names.map((_, i) => names[(i + b) % names.length]!)) results[name]!.push(await block(all[name]!, CALLS));
}
const base = results[names[0]!]!;
console.log('contender          CPU µs/call  vs first (IQR)                GC µs/call  vs first (IQR)');
for (const name of names) {
  const r = results[name]!;
  const dCpu = r.map((x, i) => x.cpu - base[i]!.cpu);
  const dGc = r.map((x, i) => x.gc - base[i]!.gc);
  console.log(
    `${name.padEnd(18)} ${median(r.map((x) => x.cpu)).toFixed(1).padStart(10)}  ${`${signed(median(dCpu))} (${iqrText(dCpu)})`.padEnd(30)}  ${median(r.map((x) => x.gc)).toFixed(1).padStart(9)}  ${signed(median(dGc))} (${iqrText(dGc)})`,
  );
}
console.log(`load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
observer.disconnect();
child.kill('SIGTERM');
