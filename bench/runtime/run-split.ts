/**
 * Where `runtime.run`'s and the chain's extra CPU over HTTP goes (issue 14), by probes that each add
 * ONE suspected cost to the same bare HTTP call: every contender below makes exactly the lite call
 * (the bare SDK call and a fixed translation), so differences are what surrounds it.
 *   lite          the call alone (baseline)
 *   lite A/A      the same call again (the pairing's noise floor)
 *   run(lite)     runtime.run with the lite adapter bound directly
 *   chain(lite)   runtime.run through EngineRouter + the default chain on the lite adapter
 *   beside        the call, and runtime.run on an instant in-process adapter started with it (the
 *                 runtime's work interleaved with the I/O, not wrapped around it)
 *   beside chain  the same through the router + default chain (its synchronous part timed)
 *   beside2       the same with two runs back to back (the second's synchronous part timed apart)
 *   alloc         the call and --kb KB of garbage allocated per call (young-generation pressure)
 *   hold          the call while --kb KB allocated before it are kept alive across the wait (survivors)
 *   deep          the call awaited under --depth nested async frames (async frames alive across the wait)
 *   spin          the call and --spin iterations of arithmetic (pure CPU, no allocation, tiny footprint)
 *   uuid, validate, render   the call and one piece of runtime.run beside it (randomUUID, the input
 *                 validator, the user template)
 * Blocks rotated; per block this process's CPU per call, scavenges per 1,000 calls and scavenge ms
 * per call (`PerformanceObserver` 'gc'); medians over blocks, paired per block against the first.
 *
 * `--inproc`: the lite call is one setImmediate turn instead of HTTP (each probe's cost without the SDK's I/O).
 *
 *   npx tsx bench/runtime/run-split.ts [--inproc] [--blocks 20] [--calls 400] [--concurrency 16] [--kb 12] [--depth 8] [--only lite,run(lite),...]
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { findModel, type EngineAdapter, type EngineRequest, type EngineResponse } from '@sdl/adapters';
import { createRuntime } from '@sdl/runtime';
import { benchClients, MODEL, QUESTION, routedRuntime, startEmulatorProcess } from './setup.js';
import { iqrText, median, signed } from './stats.js';

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '20' },
    calls: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    kb: { type: 'string', default: '12' },
    depth: { type: 'string', default: '8' },
    /** Iterations of the `spin` probe's loop. */
    spin: { type: 'string', default: '2000' },
    only: { type: 'string' },
    /** No HTTP: the lite call is one setImmediate turn (the same probes' cost in process, for the amplification). */
    inproc: { type: 'boolean', default: false },
  },
});
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const KB = Number(values.kb);
const DEPTH = Number(values.depth);

const { url, child } = await startEmulatorProcess();
const { client, skill } = await benchClients(url);
const answer = (text: string): EngineResponse => ({ text, toolCalls: [], usage: { inputTokens: 12, outputTokens: 5 }, stopReason: 'end', model: MODEL });
const bareCall = values.inproc
  ? () => new Promise<{ text: string }>((resolve) => setImmediate(() => resolve({ text: `echo: ${QUESTION}` })))
  : async () => (await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] })).content[0] as { text: string };
const lite = { provider: 'anthropic', enforcesTimeout: true, generate: async () => answer((await bareCall()).text) } as unknown as EngineAdapter;
const instant = { provider: 'anthropic', enforcesTimeout: true, generate: async (r: EngineRequest) => answer(`echo: ${r.messages[0]!.content as string}`) } as unknown as EngineAdapter;
const bind = (adapter: EngineAdapter) => {
  const runtime = createRuntime({ engines: { claude: { adapter, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
  runtime.load(skill);
  return runtime;
};
const onLite = bind(lite);
const onInstant = bind(instant);
const routedLite = routedRuntime(lite, [skill]);
const routedInstant = routedRuntime(instant, [skill]);
/** `KB` KB as 64-byte-ish objects in an array (what a run's context, frames and copies look like to the GC). */
const garbage = () => Array.from({ length: KB * 16 }, (_, i) => ({ i, a: i + 1, b: null as unknown }));
const prepared = onInstant.load(skill);
const userTemplate = (prepared.skill.steps[0] as { user: { render(vars: unknown): string } }).user;
/** About `--spin-us` µs of arithmetic in process: no allocation, a few cache lines of code and data. */
const SPIN = Number(values.spin);
let sink = 0;
/** Wall time of each timed piece where it ran (amid the I/O or not), printed at the end. */
const pieces = new Map<string, { ms: number; n: number }>();
const timed = (name: string, fn: () => unknown) => {
  const t0 = performance.now();
  fn();
  const p = pieces.get(name) ?? { ms: 0, n: 0 };
  p.ms += performance.now() - t0;
  p.n++;
  pieces.set(name, p);
};
let besideMs = 0;
let besides = 0;
let spinMs = 0;
let spins = 0;
/** The loop, timed on the wall clock where it runs (its own speed amid the I/O, printed at the end). */
const spin = () => {
  const t0 = performance.now();
  let x = sink;
  for (let i = 0; i < SPIN; i++) x = (x * 1103515245 + 12345) | 0;
  sink = x;
  spinMs += performance.now() - t0;
  spins++;
};
const deep = async (n: number): Promise<unknown> => (n === 0 ? lite.generate({} as EngineRequest) : await deep(n - 1));

const all: Record<string, () => Promise<unknown>> = {
  lite: () => lite.generate({} as EngineRequest),
  // The same call again: what the pairing reads as a difference when there is none (noise floor).
  'lite A/A': () => lite.generate({} as EngineRequest),
  'run(lite)': () => onLite.run(skill, { question: QUESTION }),
  'chain(lite)': () => routedLite.run(skill, { question: QUESTION }),
  beside: () => {
    const call = lite.generate({} as EngineRequest);
    // runtime.run's synchronous part (up to its first await), timed where it runs; printed at the end.
    const t0 = performance.now();
    const run = onInstant.run(skill, { question: QUESTION });
    besideMs += performance.now() - t0;
    besides++;
    return Promise.all([call, run]);
  },
  // The router + default chain on the instant adapter beside the call, its synchronous part timed.
  'beside chain': () => {
    const call = lite.generate({} as EngineRequest);
    let run: Promise<unknown> | undefined;
    timed('beside chain: synchronous part', () => (run = routedInstant.run(skill, { question: QUESTION })));
    return Promise.all([call, run]);
  },
  // Two runs back to back beside the call: with cold caches the first pays the misses and the
  // second finds what it touches warm; were each run simply slow amid the I/O, both would pay.
  beside2: () => {
    const call = lite.generate({} as EngineRequest);
    let run1: Promise<unknown> | undefined;
    timed('beside2: first run, synchronous part', () => (run1 = onInstant.run(skill, { question: QUESTION })));
    let run2: Promise<unknown> | undefined;
    timed('beside2: second run, synchronous part', () => (run2 = onInstant.run(skill, { question: QUESTION })));
    return Promise.all([call, run1, run2]);
  },
  alloc: async () => {
    garbage();
    return lite.generate({} as EngineRequest);
  },
  hold: async () => {
    const kept = garbage();
    const r = await lite.generate({} as EngineRequest);
    return kept.length > 0 ? r : undefined;
  },
  deep: () => deep(DEPTH),
  // Pieces of runtime.run, each done once beside the call.
  spin: () => { spin(); return lite.generate({} as EngineRequest); },
  uuid: () => { timed('uuid', () => randomUUID()); return lite.generate({} as EngineRequest); },
  validate: () => { timed('validate', () => prepared.inputValidator.validate({ question: QUESTION })); return lite.generate({} as EngineRequest); },
  render: () => { timed('render', () => userTemplate.render({ inputs: { question: QUESTION }, steps: {} })); return lite.generate({} as EngineRequest); },
};
const names = values.only ? values.only.split(',') : Object.keys(all);
for (const name of names) if (!all[name]) throw new Error(`unknown contender ${name}; known: ${Object.keys(all).join(', ')}`);

let scavenges = 0;
let scavengeMs = 0;
let majorMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      scavenges++;
      scavengeMs += e.duration;
    } else majorMs += e.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });

interface Block { cpu: number; scav: number; scavUs: number; majorUs: number }
async function block(call: () => Promise<unknown>, n: number): Promise<Block> {
  let next = 0;
  const s0 = scavenges, sm0 = scavengeMs, m0 = majorMs;
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next++ < n) await call(); }));
  const cpu = process.cpuUsage(cpu0);
  // GC entries arrive asynchronously.
  await new Promise((resolve) => setImmediate(resolve));
  return { cpu: (cpu.user + cpu.system) / n, scav: ((scavenges - s0) * 1000) / n, scavUs: ((scavengeMs - sm0) * 1000) / n, majorUs: ((majorMs - m0) * 1000) / n };
}

console.log(`run-split${values.inproc ? ' (in process)' : ''}: ${BLOCKS} blocks x ${CALLS} calls at c=${CONCURRENCY}, kb ${KB}, depth ${DEPTH}; Node ${process.version}; ${new Date().toISOString()}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const name of names) await block(all[name]!, 600);
const results: Record<string, Block[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let b = 0; b < BLOCKS; b++) for (const name of names.map((_, i) => names[(i + b) % names.length]!)) results[name]!.push(await block(all[name]!, CALLS));
const base = results[names[0]!]!;
console.log('contender      CPU µs/call  vs first (IQR)             scav/1k  scav µs/call vs first (IQR)      major µs/call');
for (const name of names) {
  const r = results[name]!;
  const d = (f: (x: Block) => number) => r.map((x, i) => f(x) - f(base[i]!));
  const dc = d((x) => x.cpu), ds = d((x) => x.scavUs);
  console.log(
    `${name.padEnd(13)} ${median(r.map((x) => x.cpu)).toFixed(1).padStart(10)}  ${`${signed(median(dc))} (${iqrText(dc)})`.padEnd(26)} ${median(r.map((x) => x.scav)).toFixed(1).padStart(7)}  ${median(r.map((x) => x.scavUs)).toFixed(1).padStart(7)} ${`${signed(median(ds))} (${iqrText(ds)})`.padEnd(24)} ${median(r.map((x) => x.majorUs)).toFixed(1).padStart(7)}`,
  );
}
for (const [name, p] of pieces) console.log(`${name}: ${((p.ms * 1000) / p.n).toFixed(2)} µs wall per call, timed where it ran`);
if (besides > 0) console.log(`beside: runtime.run's synchronous part ${((besideMs * 1000) / besides).toFixed(2)} µs wall per run, timed where it ran`);
if (spins > 0) console.log(`spin: ${((spinMs * 1000) / spins).toFixed(2)} µs wall per loop of ${SPIN} iterations, timed where it ran`);
console.log(`load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
observer.disconnect();
child.kill('SIGTERM');
process.exit(0);
