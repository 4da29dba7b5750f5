/**
 * Profiling harness (not a benchmark): N sequential streams of one stream-split.ts contender
 * against the emulator process, sampled (50 µs) after a warm-up; prints CPU per stream and the
 * top self-time functions in µs per stream, and writes the profile to PROFILE_OUT when set.
 *   npx tsx bench/runtime/stream-profile.ts <bare|adapter|direct|routed> [streams] [words]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { drainStream, findModel } from '@sdl/adapters';
import { createRuntime, loadSkillSource } from '@sdl/runtime';
import { benchClients, defaultChainRouter, here, MODEL, startEmulatorProcess } from './setup.js';

const [which = 'routed', streamsArg = '2000', wordsArg = '1'] = process.argv.slice(2);
const QUESTION = Array.from({ length: Number(wordsArg) }, (_, i) => `word${i}`).join(' ');
const messages = [{ role: 'user' as const, content: QUESTION }];
const { url, child } = await startEmulatorProcess();
const { client, adapter } = await benchClients(url);
const skill = await loadSkillSource(here('./stream.skill.yaml'));
const routed = createRuntime({ router: defaultChainRouter(adapter) });
routed.load(skill);
const direct = createRuntime({ engines: { claude: { adapter, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
direct.load(skill);
const count = async (events: AsyncIterable<{ type: string }>) => {
  let n = 0;
  for await (const e of events) if (e.type === 'text-delta' || e.type === 'content_block_delta') n++;
  return n;
};
const calls: Record<string, () => Promise<number>> = {
  bare: async () => count(await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages })),
  adapter: async () => {
    let n = 0;
    await drainStream(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), () => n++);
    return n;
  },
  direct: () => count(direct.stream(skill, { question: QUESTION })),
  routed: () => count(routed.stream(skill, { question: QUESTION })),
};
const call = calls[which]!;
for (let i = 0; i < 300; i++) await call();
const session = new Session();
session.connect();
const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
await post('Profiler.enable');
await post('Profiler.setSamplingInterval', { interval: 50 });
await post('Profiler.start');
const n = Number(streamsArg);
const cpu0 = process.cpuUsage();
for (let i = 0; i < n; i++) await call();
const cpu = process.cpuUsage(cpu0);
const { profile } = await post('Profiler.stop');
if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number };
const dt = (profile.endTime - profile.startTime) / profile.samples.length;
const self = new Map<string, number>();
for (const node of profile.nodes as Node[]) {
  const f = node.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, '').replace(/.*\/packages\//, '')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + node.hitCount * dt);
}
console.log(`${which}: ${n} streams, ${((cpu.user + cpu.system) / n).toFixed(0)} µs CPU per stream (profiled)`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) console.log(`${(us / n).toFixed(1).padStart(7)} ${key}`);
child.kill('SIGTERM');
