/**
 * Bytes of JavaScript heap the router + default chain allocate per call over `runtime.run` with the
 * engine bound directly, with an in-process adapter that answers at once (no HTTP, no SDK), so the
 * difference is SDL's own: nearly noise-free, unlike alloc-per-call.ts where the SDK's and undici's
 * allocations spread each block by ~2 KB. Run with a young generation large enough that no
 * scavenge happens inside a block:
 *
 *   node --expose-gc --max-semi-space-size=256 --min-semi-space-size=256 --import tsx bench/runtime/chain-alloc.ts [blocks] [calls] [concurrency]
 *
 * At concurrency above 1 the adapter answers after one event-loop turn, so calls overlap.
 */
import type { EngineAdapter, EngineRequest, EngineResponse } from '@sdl/adapters';
import { findModel } from '@sdl/adapters';
import { createRuntime, loadSkillSource } from '@sdl/runtime';
import { here, MODEL, QUESTION, routedRuntime } from './setup.js';
import { median, quartiles } from './stats.js';

const [blocksArg = '10', perArg = '2000', concArg = '1'] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const CONCURRENCY = Number(concArg);
const instant = {
  provider: 'anthropic',
  enforcesTimeout: true,
  async generate(request: EngineRequest): Promise<EngineResponse> {
    if (CONCURRENCY > 1) await new Promise((resolve) => setImmediate(resolve));
    return { text: `echo: ${request.messages[0]!.content as string}`, toolCalls: [], usage: { inputTokens: 12, outputTokens: 5 }, stopReason: 'end', model: request.model };
  },
} as unknown as EngineAdapter;
const skill = await loadSkillSource(here('./one-step.skill.yaml'));
const direct = createRuntime({ engines: { claude: { adapter: instant, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
direct.load(skill);
const routed = routedRuntime(instant, [skill]);
const all: Record<string, () => Promise<unknown>> = {
  run: () => direct.run(skill, { question: QUESTION }),
  chain: () => routed.run(skill, { question: QUESTION }),
};
const names = Object.keys(all);
const go = async (call: () => Promise<unknown>, n: number) => {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next++ < n) await call(); }));
};
for (const name of names) await go(all[name]!, 5000);
const bytes: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const N = Number(perArg);
for (let b = 0; b < Number(blocksArg); b++) {
  for (const name of b % 2 ? [...names].reverse() : names) {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    const h0 = process.memoryUsage().heapUsed;
    await go(all[name]!, N);
    bytes[name]!.push((process.memoryUsage().heapUsed - h0) / N);
  }
}
for (const name of names) {
  const [lo, hi] = quartiles(bytes[name]!);
  console.log(`${name.padEnd(6)} ${median(bytes[name]!).toFixed(0)} B/call (IQR ${lo.toFixed(0)} .. ${hi.toFixed(0)}, ${bytes[name]!.length} blocks)`);
}
const diff = bytes.chain!.map((c, i) => c - bytes.run![i]!);
const [lo, hi] = quartiles(diff);
console.log(`chain - run ${median(diff).toFixed(0)} B/call (IQR ${lo.toFixed(0)} .. ${hi.toFixed(0)}), concurrency ${CONCURRENCY}`);
