/**
 * Stream harness (not a benchmark of record): the per-delta CPU SDL adds on top of the real
 * `@anthropic-ai/sdk` stream, without HTTP. The emulator's reply to the 300-word question is
 * recorded once; then `fetch` (for the bare client and the adapter's client alike) answers every
 * request with those bytes, one SSE event per chunk, so every contender pays the SDK's own SSE
 * decoding and JSON parsing and nothing of a socket. Contenders: the bare SDK stream, the
 * adapter's `stream()`, the router and default chain drained as `runtime.stream` drains it,
 * `runtime.stream` with the engine bound directly, and through the router and the default chain;
 * and two shapes of a streamed run without the run (`adapter drained + channel`: the adapter drained
 * into the run's EventChannel, as `runtime.stream` is built; `adapter pulled + map`: the consumer's
 * `next()` one reaction on the adapter stream's, as a collapsed pull would be). Alternating
 * blocks, this process's CPU per stream, median and IQR over blocks, paired per block against
 * the bare SDK.
 *
 *   npx tsx bench/runtime/stream-inproc.ts [--blocks 20] [--streams 100] [--words 299] [--other-checkout DIR]
 * (`--other-checkout` adds `runtime.stream` of another built checkout, e.g. main before a change, as `other checkout`.)
 * (`--words 29` gives a 30-delta reply: the difference between the two sizes separates what a
 * stream costs once from what each delta costs.)
 *   npx tsx bench/runtime/stream-inproc.ts --profile runtime.stream   (self time per function, against the bare SDK)
 *   node --expose-gc --max-semi-space-size=64 --import tsx bench/runtime/stream-inproc.ts --count [--words 1]
 *   (promises made and bytes allocated per stream: counts, independent of the machine's load)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { drainStream } from '@sdl/adapters';
import { forEachEvent } from '@sdl/runtime';
import { EventChannel } from '../../packages/runtime/src/run/events.js';
import { frameKey, sampledAllocations } from './profiles.js';
import { here, IN_PROCESS_BASE_URL, inProcessStreamClients, MODEL, streamInProcess } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({
  options: { blocks: { type: 'string', default: '20' }, streams: { type: 'string', default: '100' }, only: { type: 'string' }, profile: { type: 'string' }, count: { type: 'boolean' }, 'other-checkout': { type: 'string' }, words: { type: 'string', default: '299' } },
});
const BLOCKS = Number(values.blocks);
const STREAMS = Number(values.streams);
const QUESTION = Array.from({ length: Number(values.words) }, (_, i) => `word${i}`).join(' ');
const messages = [{ role: 'user' as const, content: QUESTION }];

// The emulator's streamed reply, recorded once; every request is answered with it, one SSE event per chunk.
const deltas = (await streamInProcess([QUESTION]))[0]!;

const { client, adapter, skill, routed, router, direct } = await inProcessStreamClients();

// Another checkout's runtime (e.g. main before a change) beside this one's, paired in the same process.
let other: { runtime: typeof routed; skill: typeof skill } | undefined;
if (values['other-checkout'] !== undefined) {
  const root = values['other-checkout'];
  const otherAdapters = (await import(`${root}/packages/adapters/dist/bundle/index.js`)) as typeof import('@sdl/adapters');
  const otherRuntime = (await import(`${root}/packages/runtime/dist/bundle/index.js`)) as typeof import('@sdl/runtime');
  const otherSetup = (await import(`${root}/bench/runtime/setup.js`)) as typeof import('./setup.js');
  const otherAdapter = new otherAdapters.AnthropicAdapter({ apiKey: 'k', baseURL: IN_PROCESS_BASE_URL, timeoutMs: 60_000, defaultMaxTokens: 200 });
  const otherSkill = (await otherRuntime.loadSkillSource(here('./stream.skill.yaml'))) as never;
  other = { runtime: otherSetup.routedRuntime(otherAdapter as never, [otherSkill]) as never, skill: otherSkill };
}

const count = async (events: AsyncIterable<{ type: string }>, delta: string) => {
  let n = 0;
  for await (const e of events) if (e.type === delta) n++;
  if (n < Number(values.words) - 9) throw new Error(`only ${n} deltas`);
};
const contenders: Record<string, () => Promise<void>> = {
  'bare SDK': async () => count(await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages }), 'content_block_delta'),
  'adapter.stream': () => count(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), 'text-delta'),
  'adapter drained': async () => {
    let n = 0;
    await drainStream(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), (e) => void (e.type === 'text-delta' && n++));
    if (n < Number(values.words) - 9) throw new Error(`only ${n} deltas`);
  },
  // The run's shape without the run: the adapter drained into the run's event channel, which the consumer iterates.
  'adapter drained + channel': async () => {
    const channel = new EventChannel<{ type: string; text: string }>(() => {});
    const origin = { skill: 's', path: ['answer'], step: 'answer' };
    drainStream(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), (e) => {
      if (e.type === 'text-delta') channel.push({ type: 'text-delta', text: e.text, skill: origin.skill, path: origin.path, step: origin.step } as never);
    }).then(() => channel.close(), () => channel.close());
    await count(channel, 'text-delta');
  },
  // The collapsed pull's shape: the consumer's next() is one reaction on the adapter's, mapping the event.
  'adapter pulled + map': async () => {
    const origin = { skill: 's', path: ['answer'], step: 'answer' };
    const it = adapter.stream({ model: MODEL, messages, maxTokens: 4000 })[Symbol.asyncIterator]();
    const onStep = (step: IteratorResult<{ type: string; text?: string }>): IteratorResult<{ type: string }> | Promise<IteratorResult<{ type: string }>> => {
      if (step.done) return step;
      const e = step.value;
      if (e.type === 'text-delta') return { done: false, value: { type: 'text-delta', text: e.text, skill: origin.skill, path: origin.path, step: origin.step } as never };
      return pulled.next();
    };
    const pulled: AsyncIterableIterator<{ type: string }> = { next: () => it.next().then(onStep), [Symbol.asyncIterator]: () => pulled };
    await count(pulled, 'text-delta');
  },
  'adapter drained as the runtime calls it': async () => {
    let n = 0;
    const signal = new AbortController().signal;
    await drainStream(adapter.stream({ model: MODEL, stepId: 'answer', stepPath: 'answer', signal, maxTokens: 4000, messages, timeoutMs: 60000 } as never), (e) => void (e.type === 'text-delta' && n++));
    if (n < Number(values.words) - 9) throw new Error(`only ${n} deltas`);
  },
  'adapter.stream + signal': () => count(adapter.stream({ model: MODEL, messages, maxTokens: 4000, signal: new AbortController().signal }), 'text-delta'),
  'router + chain': async () => {
    let n = 0;
    await forEachEvent((await router.stream({ request: { messages, maxTokens: 4000 } })).events, (e) => void (e.type === 'text-delta' && n++));
    if (n < Number(values.words) - 9) throw new Error(`only ${n} deltas`);
  },
  'router + chain + signal': async () => {
    let n = 0;
    const signal = new AbortController().signal;
    await forEachEvent((await router.stream({ request: { messages, maxTokens: 4000, signal }, signal })).events, (e) => void (e.type === 'text-delta' && n++));
    if (n < Number(values.words) - 9) throw new Error(`only ${n} deltas`);
  },
  'runtime.stream direct': () => count(direct.stream(skill, { question: QUESTION }), 'text-delta'),
  'runtime.stream': () => count(routed.stream(skill, { question: QUESTION }), 'text-delta'),
  ...(other === undefined ? {} : { 'other checkout': () => count(other!.runtime.stream(other!.skill, { question: QUESTION }), 'text-delta') }),
};
if (values.count) {
  // Promises made per stream by each contender (async_hooks PROMISE inits): a count, not a timing,
  // so it does not depend on the machine's load. Run with --words 1 and --words 299 to split it
  // into what a stream costs once and what each delta costs.
  const { createHook } = await import('node:async_hooks');
  let promises = 0;
  const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) });
  const names = Object.keys(contenders).filter((n) => n === 'bare SDK' || values.only === undefined || values.only.split(',').includes(n));
  for (const n of names) for (let i = 0; i < 5; i++) await contenders[n]!();
  console.log(`promises per stream, ${Number(values.words) + 1} deltas:`);
  // With --expose-gc and a young generation large enough that 20 streams do not fill it
  // (--max-semi-space-size=64), the heap's growth over 20 streams is what they allocated.
  const gc = (globalThis as { gc?: () => void }).gc;
  const { getHeapStatistics } = await import('node:v8');
  for (const n of names) {
    hook.enable();
    promises = 0;
    for (let i = 0; i < 20; i++) await contenders[n]!();
    hook.disable();
    let allocated = '';
    if (gc !== undefined) {
      gc();
      const before = getHeapStatistics().used_heap_size;
      for (let i = 0; i < 20; i++) await contenders[n]!();
      allocated = `, ${((getHeapStatistics().used_heap_size - before) / 20 / 1024).toFixed(1)} KiB allocated`;
    }
    console.log(`${n.padEnd(40)} ${(promises / 20).toFixed(1)} promises${allocated}`);
  }
  if (process.env.ALLOCATIONS_OF !== undefined) {
    // Sampled allocations (every 256 bytes) of one contender, by allocating function.
    const bySite = await sampledAllocations(async () => {
      for (let i = 0; i < 50; i++) await contenders[process.env.ALLOCATIONS_OF!]!();
    }, 256);
    for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(v / 50 / 1024).toFixed(1).padStart(8)} KiB/stream  ${k}`);
  }
  process.exit(0);
}
if (values.profile !== undefined) {
  // Sampling profile of the named contenders (comma-separated) and the bare SDK, alternating blocks
  // in one process; each sample is credited to the contender whose block it fell in.
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  const profiled = ['bare SDK', ...values.profile.split(',')];
  for (let i = 0; i < 30; i++) for (const n of profiled) await contenders[n]!();
  const blocks: { name: string; from: number; to: number }[] = [];
  await session.post('Profiler.start');
  for (let b = 0; b < BLOCKS; b++) {
    for (const n of profiled) {
      const from = Number(process.hrtime.bigint() / 1000n);
      for (let i = 0; i < STREAMS; i++) await contenders[n]!();
      blocks.push({ name: n, from, to: Number(process.hrtime.bigint() / 1000n) });
    }
  }
  const { profile } = await session.post('Profiler.stop');
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const self = new Map<string, Map<string, number>>(profiled.map((n) => [n, new Map()]));
  let t = profile.startTime;
  profile.samples!.forEach((id, i) => {
    t += profile.timeDeltas![i]!;
    const block = blocks.find((b) => t >= b.from && t < b.to);
    if (block === undefined) return;
    const key = frameKey(frames.get(id)!);
    const m = self.get(block.name)!;
    m.set(key, (m.get(key) ?? 0) + profile.timeDeltas![i]!);
  });
  const streams = BLOCKS * STREAMS;
  const keys = new Set([...self.values()].flatMap((m) => [...m.keys()]));
  const rows = [...keys].map((k) => ({ k, v: profiled.map((n) => (self.get(n)!.get(k) ?? 0) / streams) }));
  rows.sort((a, b) => Math.max(...b.v.slice(1).map((x) => Math.abs(x - b.v[0]!))) - Math.max(...a.v.slice(1).map((x) => Math.abs(x - a.v[0]!))));
  console.log(`µs of samples per stream (self time), ${streams} streams each: ${profiled.join(' | ')}`);
  console.log(`total: ${profiled.map((_, i) => rows.reduce((sum, r) => sum + r.v[i]!, 0).toFixed(1)).join(' | ')}`);
  for (const r of rows.slice(0, 45)) console.log(`${r.v.map((x) => x.toFixed(1).padStart(7)).join(' ')}  ${r.k}`);
  if (process.env.STACKS_OF !== undefined) {
    // Who calls the function named in STACKS_OF, in the last contender's blocks.
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
    const stacks = new Map<string, number>();
    let at = profile.startTime;
    const last = blocks.filter((b) => b.name === profiled.at(-1));
    profile.samples!.forEach((id, i) => {
      at += profile.timeDeltas![i]!;
      if (frames.get(id)!.functionName !== process.env.STACKS_OF || !last.some((b) => at >= b.from && at < b.to)) return;
      const chain: string[] = [];
      for (let p = parent.get(id); p !== undefined && chain.length < 10; p = parent.get(p)) {
        const f = frames.get(p)!;
        chain.push(`${f.functionName || '(anonymous)'}@${f.url.split('/').pop()}:${f.lineNumber + 1}`);
      }
      stacks.set(chain.join(' < '), (stacks.get(chain.join(' < ')) ?? 0) + profile.timeDeltas![i]!);
    });
    for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`${(v / streams).toFixed(1)} µs/stream: ${k}`);
  }
  process.exit(0);
}
const names = Object.keys(contenders).filter((n) => n === 'bare SDK' || values.only === undefined || values.only.split(',').includes(n));
for (let i = 0; i < 30; i++) for (const n of names) await contenders[n]!();
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const load0 = loadavg();
for (let b = 0; b < BLOCKS; b++) {
  for (const n of names.map((_, i) => names[(i + b) % names.length]!)) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < STREAMS; i++) await contenders[n]!();
    const c = process.cpuUsage(c0);
    cpu[n]!.push((c.user + c.system) / STREAMS);
  }
}
console.log(`in process (recorded SSE, no HTTP), ${deltas} deltas per stream, ${BLOCKS} blocks x ${STREAMS} streams, load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const n of names) {
  const added = cpu[n]!.map((x, i) => (x - cpu['bare SDK']![i]!) / deltas);
  const [q1, q3] = quartiles(added);
  console.log(`${n.padEnd(16)} ${median(cpu[n]!).toFixed(0).padStart(6)} µs CPU/stream; over bare ${median(added).toFixed(3)} µs per delta (IQR ${q1.toFixed(3)}–${q3.toFixed(3)})`);
}
if (cpu['other checkout'] !== undefined && cpu['runtime.stream'] !== undefined) {
  // This checkout's runtime.stream against the other checkout's, paired per block, per stream.
  const diff = cpu['runtime.stream']!.map((x, i) => x - cpu['other checkout']![i]!);
  const [q1, q3] = quartiles(diff);
  console.log(`runtime.stream minus other checkout: ${median(diff).toFixed(1)} µs CPU per stream (IQR ${q1.toFixed(1)}–${q3.toFixed(1)})`);
}
