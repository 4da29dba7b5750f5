/**
 * Stream harness (not a benchmark of record): where a 300-delta stream's CPU goes, layer by layer,
 * against the Anthropic emulator process: the bare SDK stream, the adapter's `stream()`, the router
 * and default chain's stream, and `runtime.stream` on the router. Alternating blocks, this
 * process's CPU per stream, median over blocks, paired per block against the bare SDK.
 *   npx tsx bench/runtime/stream-split.ts [blocks] [streamsPerBlock]
 */
import { loadavg } from 'node:os';
import { createRuntime, loadSkillSource } from '@sdl/runtime';
import { benchClients, defaultChainRouter, here, MODEL, startEmulatorProcess } from './setup.js';

const [blocksArg = '12', perArg = '20'] = process.argv.slice(2);
const QUESTION = Array.from({ length: 299 }, (_, i) => `word${i}`).join(' ');
const { url, child } = await startEmulatorProcess();
const { client, adapter } = await benchClients(url);
const skill = await loadSkillSource(here('./stream.skill.yaml'));
const router = defaultChainRouter(adapter);
const routed = createRuntime({ router });
routed.load(skill);
const messages = [{ role: 'user' as const, content: QUESTION }];
const count = async (events: AsyncIterable<{ type: string }>, delta: string) => {
  let n = 0;
  for await (const e of events) if (e.type === delta) n++;
  if (n < 290) throw new Error(`only ${n} deltas`);
};
const contenders: Record<string, () => Promise<void>> = {
  'bare SDK': async () => count(await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages }), 'content_block_delta'),
  'adapter.stream': () => count(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), 'text-delta'),
  'router + chain': async () => count((await router.stream({ request: { messages, maxTokens: 4000 } })).events, 'text-delta'),
  'runtime.stream': () => count(routed.stream(skill, { question: QUESTION }), 'text-delta'),
};
const names = Object.keys(contenders).filter((n, i) => i === 0 || !process.env.ONLY || process.env.ONLY.split(',').includes(String(i)));
for (let i = 0; i < 5; i++) for (const n of names) await contenders[n]!();
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const load0 = loadavg();
for (let b = 0; b < Number(blocksArg); b++) {
  for (const n of names.map((_, i) => names[(i + b) % names.length]!)) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < Number(perArg); i++) await contenders[n]!();
    const c = process.cpuUsage(c0);
    cpu[n]!.push((c.user + c.system) / Number(perArg));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${blocksArg} blocks x ${perArg} streams, load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const n of names) {
  const added = cpu[n]!.map((x, i) => (x - cpu['bare SDK']![i]!) / 300);
  console.log(`${n.padEnd(16)} ${median(cpu[n]!).toFixed(0).padStart(6)} µs CPU/stream, over bare ${median(added).toFixed(2)} µs per delta`);
}
child.kill('SIGTERM');
