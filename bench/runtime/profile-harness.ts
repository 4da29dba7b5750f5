/**
 * Profiling harness (not a benchmark): N calls of one contender against the emulator process,
 *   PROFILE_OUT=run.cpuprofile node --import tsx bench/runtime/profile-harness.ts <bare|adapter|run|chain> [calls] [concurrency]
 * With PROFILE_OUT the measured calls only (after 500 warm-up calls) are profiled (50 µs sampling)
 * and the profile is written there; the CPU per call printed is then inflated by the profiler.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { benchClients, MODEL, QUESTION, routedRuntime, startEmulatorProcess } from './setup.js';

const [which = 'run', callsArg = '4000', concArg = '16'] = process.argv.slice(2);
const { url, child } = await startEmulatorProcess();
const { client, adapter, skill, direct } = await benchClients(url);
const routed = routedRuntime(adapter, [skill]);
const calls: Record<string, () => Promise<unknown>> = {
  bare: () => client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] }),
  adapter: () => adapter.generate({ model: MODEL, messages: [{ role: 'user', content: QUESTION }], maxTokens: 200 }),
  run: () => direct.run(skill, { question: QUESTION }),
  chain: () => routed.run(skill, { question: QUESTION }),
};
const call = calls[which]!;
const go = async (n: number, c: number) => {
  let next = 0;
  await Promise.all(Array.from({ length: c }, async () => { while (next++ < n) await call(); }));
};
await go(500, Number(concArg));
const session = new Session();
session.connect();
const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
const profiling = process.env.PROFILE_OUT !== undefined;
if (profiling) {
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 50 });
  await post('Profiler.start');
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await go(Number(callsArg), Number(concArg));
const cpu = process.cpuUsage(cpu0);
if (profiling) writeFileSync(process.env.PROFILE_OUT!, JSON.stringify((await post('Profiler.stop')).profile));
console.log(`${which}: ${callsArg} calls c=${concArg}: ${((cpu.user + cpu.system) / Number(callsArg)).toFixed(0)} µs CPU/call, ${(Number(callsArg) / (performance.now() - t0) * 1000).toFixed(0)} calls/s`);
child.kill('SIGTERM');
