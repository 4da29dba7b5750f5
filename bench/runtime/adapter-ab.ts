/**
 * The Anthropic adapter before and after a change, over HTTP in one process (issue 14):
 * `AnthropicAdapter.generate` built from this checkout's sources and from another checkout's
 * (`--baseline`, e.g. `git archive main packages/adapters` unpacked beside a `node_modules` symlink
 * to this checkout's), and the bare SDK call, against one emulator process. Both adapters must load
 * the same `@anthropic-ai/sdk` files as the bare call (the harness checks), so no side has warmer SDK code.
 *
 * Default: contenders alternate in blocks (starting contender rotated per block); this process's CPU
 * time per call, median over blocks, paired per block against the bare call and (after - before)
 * against the baseline, with IQR. `--alloc`: bytes allocated per call instead (run with
 * `--expose-gc --max-semi-space-size=256 --min-semi-space-size=256` so no scavenge runs inside a
 * block; blocks with one are dropped). `--sites <contender>`: the allocating functions of one
 * contender (sampling heap profiler every 64 bytes, collected objects included), KB per call.
 * `--in-process`: every client's `fetch` answers with the emulator's reply in process
 * (`answerInProcess`, no HTTP, no socket), so what is left is the adapter's own CPU and allocation over the SDK's.
 *
 *   npx tsx bench/runtime/adapter-ab.ts --baseline <checkout> [--blocks 30] [--calls 400] [--concurrency 16] [--alloc | --sites after]
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { answerInProcess, benchClients, here, MODEL, QUESTION, startEmulatorProcess } from './setup.js';
import { frameKey, sampledAllocations } from './profiles.js';
import { iqrText, median, signed } from './stats.js';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    blocks: { type: 'string', default: '30' },
    calls: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    alloc: { type: 'boolean', default: false },
    sites: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
  },
});
if (values.baseline === undefined) throw new Error('--baseline <checkout> is required (a checkout whose packages/adapters/src to compare against)');
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const EXPECTED = `echo: ${QUESTION}`;

type Call = () => Promise<unknown>;

/** `AnthropicAdapter.generate` built from the sources under `root`, as the runtime's adapter-call stage calls it. */
async function adapterFrom(root: string, url: string): Promise<Call> {
  const adapters = await import(pathToFileURL(resolve(root, 'packages/adapters/src/index.js')).href);
  const adapter = new adapters.AnthropicAdapter({ apiKey: 'k', baseURL: url, timeoutMs: 60_000, defaultMaxTokens: 200 });
  return async () => (await adapter.generate({ model: MODEL, messages: [{ role: 'user', content: QUESTION }], maxTokens: 200 })).text;
}

const sdkOf = (root: string) => realpathSync(createRequire(resolve(root, 'packages/adapters/package.json')).resolve('@anthropic-ai/sdk'));
const thisRoot = resolve(here('.'), '../..');
if (sdkOf(values.baseline) !== sdkOf(thisRoot)) throw new Error(`the two checkouts load different copies of @anthropic-ai/sdk (${sdkOf(values.baseline)}, ${sdkOf(thisRoot)})`);

const { url, child } = await startEmulatorProcess();
// Before any client is made: the SDK takes the global fetch when a client is built.
if (values['in-process']) await answerInProcess(url);
const { client } = await benchClients(url);
const textOf = (m: { content: Array<{ type: string; text?: string }> }) => m.content[0]?.text;
const calls: Record<string, Call> = {
  bare: async () => textOf(await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] })),
  before: await adapterFrom(values.baseline, url),
  after: await adapterFrom(thisRoot, url),
};
const names = Object.keys(calls);

const run = async (call: Call, n: number) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) if ((await call()) !== EXPECTED) throw new Error('unexpected reply');
    }),
  );
};

const gc = (globalThis as { gc?: () => void }).gc;
let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });

/** One block of `call`: CPU µs per call, or (`--alloc`) bytes allocated per call (undefined when a GC ran inside it). */
async function measure(call: Call, n: number): Promise<number | undefined> {
  if (!values.alloc) {
    const cpu0 = process.cpuUsage();
    await run(call, n);
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / n;
  }
  if (!gc) throw new Error('--alloc needs --expose-gc');
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  await new Promise((r) => setTimeout(r, 5));
  const gcs0 = gcs;
  const h0 = process.memoryUsage().heapUsed;
  await run(call, n);
  const h1 = process.memoryUsage().heapUsed;
  await new Promise((r) => setImmediate(r));
  return gcs === gcs0 ? (h1 - h0) / n : undefined;
}

const load0 = loadavg();
console.log(`adapter a/b: ${values.sites ? `allocation sites of ${values.sites}` : `${BLOCKS} blocks x ${CALLS} calls`} at c=${CONCURRENCY}; ${values.alloc ? 'bytes allocated' : 'CPU'} per call; baseline ${values.baseline}; Node ${process.version}; ${new Date().toISOString()}; load ${load0.map((l) => l.toFixed(2)).join(' ')}`);
for (const name of names) await run(calls[name]!, 600);

if (values.sites !== undefined) {
  const call = calls[values.sites];
  if (call === undefined) throw new Error(`--sites: one of ${names.join(', ')}`);
  const N = BLOCKS * CALLS;
  const bySite = await sampledAllocations(() => run(call, N), 64);
  let total = 0;
  for (const v of bySite.values()) total += v;
  console.log(`${(total / N).toFixed(0)} bytes per call sampled in all (${N} calls)`);
  for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 400)) console.log(`${(v / N).toFixed(0).padStart(8)} B/call  ${k}`);
} else if (values.profile) {
  // CPU profile (100 µs sampling) over alternating blocks; each sample is credited to the contender
  // whose block it fell in, self time per call grouped by where the code lives.
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  const blocks: { name: string; from: number; to: number }[] = [];
  await session.post('Profiler.start');
  for (let b = 0; b < BLOCKS; b++) {
    for (const name of names.map((_, i) => names[(i + b) % names.length]!)) {
      const from = Number(process.hrtime.bigint() / 1000n);
      await run(calls[name]!, CALLS);
      blocks.push({ name, from, to: Number(process.hrtime.bigint() / 1000n) });
    }
  }
  const { profile } = await session.post('Profiler.stop');
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  // PROFILE_FUNCTIONS=1: by function instead of by place.
  const group = (f: { url: string; functionName: string; lineNumber: number; columnNumber: number }) =>
    process.env.PROFILE_FUNCTIONS ? `${frameKey(f)}:${f.columnNumber}` : f.url === '' ? f.functionName || '(native)' : /adapters\/src/.test(f.url) ? 'adapters/src' : /anthropic-ai/.test(f.url) ? '@anthropic-ai/sdk' : /undici/.test(f.url) ? 'undici' : f.url.startsWith('node:') ? f.url.split('/').slice(0, 2).join('/') : 'other';
  const self = new Map<string, Map<string, number>>(names.map((n) => [n, new Map()]));
  let t = profile.startTime;
  profile.samples!.forEach((id, i) => {
    t += profile.timeDeltas![i]!;
    const block = blocks.find((b) => t >= b.from && t < b.to);
    if (block === undefined) return;
    const m = self.get(block.name)!;
    const key = group(frames.get(id)!);
    m.set(key, (m.get(key) ?? 0) + profile.timeDeltas![i]!);
  });
  const per = BLOCKS * CALLS;
  const keys = [...new Set([...self.values()].flatMap((m) => [...m.keys()]))];
  const v = (n: string, k: string) => (self.get(n)!.get(k) ?? 0) / per;
  keys.sort((a, b) => Math.abs(v('after', b) - v('bare', b)) - Math.abs(v('after', a) - v('bare', a)));
  console.log(`µs of samples per call (self time, wall while the block ran), ${per} calls each: ${names.join(' | ')}`);
  console.log(`${names.map((n) => keys.reduce((sum, k) => sum + v(n, k), 0).toFixed(1).padStart(7)).join(' ')}  total`);
  for (const k of keys.slice(0, Number(process.env.PROFILE_ROWS ?? 30))) console.log(`${names.map((n) => v(n, k).toFixed(1).padStart(7)).join(' ')}  ${k}`);
} else {
  const per: Record<string, Array<number | undefined>> = Object.fromEntries(names.map((n) => [n, []]));
  for (let b = 0; b < BLOCKS; b++) for (const name of names.map((_, i) => names[(i + b) % names.length]!)) per[name]!.push(await measure(calls[name]!, CALLS));
  // Blocks where every contender has a figure (all of them for CPU; no GC inside any, for --alloc).
  const whole = per.bare!.map((_, i) => names.every((n) => per[n]![i] !== undefined));
  const of = (name: string) => per[name]!.filter((_, i) => whole[i]) as number[];
  const unit = values.alloc ? 'B' : 'µs';
  console.log(`${whole.filter(Boolean).length} of ${BLOCKS} blocks used`);
  for (const name of names) {
    const over = of(name).map((x, i) => x - of('bare')[i]!);
    console.log(`${name.padEnd(8)} ${median(of(name)).toFixed(1).padStart(9)} ${unit}/call; over bare ${signed(median(over))} ${unit} (IQR ${iqrText(over)})`);
  }
  const delta = of('after').map((x, i) => x - of('before')[i]!);
  console.log(`after - before, paired per block: ${signed(median(delta))} ${unit}/call (IQR ${iqrText(delta)})`);
}
console.log(`load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
child.kill('SIGTERM');
process.exit(0);
