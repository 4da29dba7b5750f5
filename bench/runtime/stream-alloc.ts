/**
 * Bytes allocated and promises made per delta, and per stream, by each layer of a stream (issue 14),
 * in process (the emulator's recorded SSE, see `streamInProcess` in setup.ts; no socket). Each
 * contender streams a 2-delta and a 300-delta reply; per delta is the difference over the 298 deltas
 * between them, per stream what the 2-delta stream costs without its deltas. Counts, not timings:
 * nearly independent of the machine's load. Run with a young generation large enough that no
 * scavenge happens inside a block (blocks with a GC are dropped), so the heap's growth over a block
 * is what it allocated:
 *
 *   node --expose-gc --max-semi-space-size=128 --min-semi-space-size=128 --import tsx bench/runtime/stream-alloc.ts [--blocks 9] [--streams 10]
 *   ALLOCATIONS_OF='runtime.stream' ... (adds that contender's sampled allocations by function, per stream and per delta)
 *   PROMISES_OF='runtime.stream' ... (adds where that contender's promises per stream are made)
 *
 * Contenders: the bare SDK stream (`for await`), the adapter's stream drained as the runtime drains
 * it, the router and default chain drained, `runtime.stream` with the engine bound directly, and
 * `runtime.stream` through the router and default chain (the path users run).
 */
import { createHook } from 'node:async_hooks';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { drainStream } from '@sdl/adapters';
import { forEachEvent } from '@sdl/runtime';
import { sampledAllocations } from './profiles.js';
import { inProcessStreamClients, MODEL, streamInProcess } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({ options: { blocks: { type: 'string', default: '9' }, streams: { type: 'string', default: '10' } } });
const BLOCKS = Number(values.blocks);
const STREAMS = Number(values.streams);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const questions = [1, 299].map((words) => Array.from({ length: words }, (_, i) => `word${i}`).join(' '));
const [shortDeltas, longDeltas] = await streamInProcess(questions);
const { client, adapter, skill, routed, router, direct } = await inProcessStreamClients();

/** Throws unless `n` deltas reached the consumer (a contender that lost deltas would look cheap). */
const expect = (n: number, question: string) => {
  const want = question === questions[0] ? shortDeltas! : longDeltas!;
  if (n !== want) throw new Error(`${n} deltas, expected ${want}`);
};
const contenders: Record<string, (question: string) => Promise<void>> = {
  'bare SDK': async (question) => {
    let n = 0;
    const stream = await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages: [{ role: 'user', content: question }] });
    for await (const event of stream) if (event.type === 'content_block_delta') n++;
    expect(n, question);
  },
  'adapter drained': async (question) => {
    let n = 0;
    const signal = new AbortController().signal;
    const request = { model: MODEL, stepId: 'answer', stepPath: 'answer', signal, maxTokens: 4000, messages: [{ role: 'user' as const, content: question }], timeoutMs: 60000 };
    await drainStream(adapter.stream(request), (e) => void (e.type === 'text-delta' && n++));
    expect(n, question);
  },
  'router + chain': async (question) => {
    let n = 0;
    const signal = new AbortController().signal;
    const routedStream = await router.stream({ request: { messages: [{ role: 'user', content: question }], maxTokens: 4000, signal }, signal });
    await forEachEvent(routedStream.events, (e) => void (e.type === 'text-delta' && n++));
    expect(n, question);
  },
  'runtime.stream direct': async (question) => {
    let n = 0;
    for await (const e of direct.stream(skill, { question })) if (e.type === 'text-delta') n++;
    expect(n, question);
  },
  'runtime.stream': async (question) => {
    let n = 0;
    for await (const e of routed.stream(skill, { question })) if (e.type === 'text-delta') n++;
    expect(n, question);
  },
};
const names = Object.keys(contenders);
for (const name of names) for (const q of questions) for (let i = 0; i < 20; i++) await contenders[name]!(q);

// Promises (async_hooks PROMISE inits): deterministic, so one pass of each suffices.
let promises = 0;
const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) });
const promisesOf: Record<string, number[]> = {};
for (const name of names) {
  promisesOf[name] = [];
  for (const q of questions) {
    promises = 0;
    hook.enable();
    for (let i = 0; i < STREAMS; i++) await contenders[name]!(q);
    hook.disable();
    promisesOf[name]!.push(promises / STREAMS);
  }
}

// Bytes: heap growth over a block of streams, after a full GC; a block in which a GC ran is dropped.
let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
const bytes: Record<string, [number[], number[]]> = Object.fromEntries(names.map((n) => [n, [[], []]]));
for (let b = 0; b < BLOCKS; b++) {
  for (const name of names.map((_, i) => names[(i + b) % names.length]!)) {
    for (const [k, q] of questions.entries()) {
      gc();
      await new Promise((r) => setImmediate(r));
      gc();
      await new Promise((r) => setTimeout(r, 2));
      const gcs0 = gcs;
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < STREAMS; i++) await contenders[name]!(q);
      const h1 = process.memoryUsage().heapUsed;
      await new Promise((r) => setImmediate(r));
      if (gcs === gcs0) bytes[name]![k]!.push((h1 - h0) / STREAMS);
    }
  }
}

const span = longDeltas! - shortDeltas!;
console.log(`in process, ${shortDeltas} and ${longDeltas} deltas per stream, ${BLOCKS} blocks x ${STREAMS} streams (medians; IQR of per-delta bytes over paired blocks)`);
console.log(`${'contender'.padEnd(22)} ${'B/delta'.padStart(8)} ${'(IQR)'.padStart(14)} ${'B/stream'.padStart(9)} ${'promises/delta'.padStart(15)} ${'promises/stream'.padStart(16)}`);
for (const name of names) {
  const [short, long] = bytes[name]!;
  const n = Math.min(short.length, long.length);
  const perDelta = Array.from({ length: n }, (_, i) => (long[i]! - short[i]!) / span);
  const [q1, q3] = quartiles(perDelta);
  const d = median(perDelta);
  const [p2, p300] = promisesOf[name]!;
  const pd = (p300! - p2!) / span;
  console.log(
    `${name.padEnd(22)} ${d.toFixed(0).padStart(8)} ${`${q1.toFixed(0)}..${q3.toFixed(0)}`.padStart(14)} ${(median(short) - shortDeltas! * d).toFixed(0).padStart(9)} ${pd.toFixed(2).padStart(15)} ${(p2! - shortDeltas! * pd).toFixed(1).padStart(16)}  (${n} blocks)`,
  );
}
if (process.env.ALLOCATIONS_OF !== undefined) {
  // Sampled allocations (every 128 bytes, garbage included) by allocating function: of the 2-delta
  // stream per stream (what a stream costs once), of the 300-delta one per delta.
  const of = contenders[process.env.ALLOCATIONS_OF]!;
  for (const [k, q] of questions.entries()) {
    const per = k === 0 ? 1 : longDeltas!;
    const bySite = await sampledAllocations(async () => {
      for (let i = 0; i < 50; i++) await of(q);
    }, 128);
    console.log(`sampled allocations of ${process.env.ALLOCATIONS_OF}, bytes ${k === 0 ? `per ${shortDeltas}-delta stream` : `per delta of a ${longDeltas}-delta stream`}, by function:`);
    for (const [site, v] of [...bySite].sort((x, y) => y[1] - x[1]).slice(0, 30)) console.log(`${(v / 50 / per).toFixed(1).padStart(9)}  ${site}`);
  }
}
if (process.env.PROMISES_OF !== undefined) {
  // Where the promises of a 2-delta stream are made: the innermost frame of each PROMISE init's
  // stack in a file (not node's internals, a builtin or this harness; a bench-only hook: capturing stacks is slow).
  const of = contenders[process.env.PROMISES_OF]!;
  const sites = new Map<string, number>();
  const traced = createHook({
    init: (_id, type) => {
      if (type !== 'PROMISE') return;
      const frames = (new Error().stack ?? '').split('\n').slice(2).map((l) => l.trim());
      const frame = frames.find((l) => !l.includes('node:') && !l.includes('<anonymous>') && !l.includes('stream-alloc.ts:')) ?? frames[0] ?? '?';
      const key = frame.replace(/^at /, '').replace(/\(?file:\/\/.*?\/(node_modules|packages)\//, '$1/').replace(/\)$/, '');
      sites.set(key, (sites.get(key) ?? 0) + 1);
    },
  });
  traced.enable();
  for (let i = 0; i < 10; i++) await of(questions[0]!);
  traced.disable();
  console.log(`promises of ${process.env.PROMISES_OF} per ${shortDeltas}-delta stream, by the frame that made them:`);
  for (const [site, v] of [...sites].sort((x, y) => y[1] - x[1]).slice(0, 60)) console.log(`${(v / 10).toFixed(1).padStart(6)}  ${site}`);
}
process.exit(0);
