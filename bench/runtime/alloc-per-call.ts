/**
 * Bytes of JavaScript heap allocated per call by each layer over HTTP (issue 14: every byte a run
 * allocates is paid again in the young-generation scavenges, which copy the in-flight calls' live
 * state). Run with a young generation large enough that no scavenge happens inside a block, so the
 * heap growth over a block is what the block allocated:
 *
 *   node --expose-gc --max-semi-space-size=256 --min-semi-space-size=256 --import tsx bench/runtime/alloc-per-call.ts [blocks] [calls] [concurrency]
 *
 * Contenders as in pair-harness.ts (bare SDK, AnthropicAdapter.generate, runtime.run direct, chain).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { benchClients, MODEL, QUESTION, routedRuntime, startEmulatorProcess } from './setup.js';
import { median, quartiles } from './stats.js';

const [blocksArg = '10', perArg = '200', concArg = '16'] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
const { url, child } = await startEmulatorProcess();
const { client, adapter, skill, direct } = await benchClients(url);
const routed = routedRuntime(adapter, [skill]);
const all: Record<string, () => Promise<unknown>> = {
  bare: () => client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] }),
  adapter: () => adapter.generate({ model: MODEL, messages: [{ role: 'user', content: QUESTION }], maxTokens: 200 }),
  run: () => direct.run(skill, { question: QUESTION }),
  chain: () => routed.run(skill, { question: QUESTION }),
};
const names = Object.keys(all);
const go = async (call: () => Promise<unknown>, n: number, c: number) => {
  let next = 0;
  await Promise.all(Array.from({ length: c }, async () => { while (next++ < n) await call(); }));
};
const settle = async () => { gc(); await new Promise((r) => setImmediate(r)); gc(); };
for (const name of names) await go(all[name]!, 500, Number(concArg));
const bytes: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const N = Number(perArg);
for (let b = 0; b < Number(blocksArg); b++) {
  for (const name of names.map((_, i) => names[(i + b) % names.length]!)) {
    await settle();
    await new Promise((r) => setTimeout(r, 5));
    const gcs0 = gcs;
    const h0 = process.memoryUsage().heapUsed;
    await go(all[name]!, N, Number(concArg));
    const h1 = process.memoryUsage().heapUsed;
    await new Promise((r) => setImmediate(r));
    if (gcs !== gcs0) { console.log(`(${name}: a GC ran inside the block; dropped)`); continue; }
    bytes[name]!.push((h1 - h0) / N);
  }
}
for (const name of names) {
  const [lo, hi] = quartiles(bytes[name]!);
  console.log(`${name.padEnd(8)} ${median(bytes[name]!).toFixed(0)} bytes allocated per call (IQR ${lo.toFixed(0)} .. ${hi.toFixed(0)}, ${bytes[name]!.length} blocks)`);
}
child.kill('SIGTERM');
process.exit(0);
