/**
 * Where `runtime.run`'s extra CPU over HTTP is spent (issue 14), one contender per process: the
 * bare SDK call (`bare`) or `runtime.run` of the one-step skill on an adapter that makes exactly
 * that bare call and answers with a fixed translation (`run`), 16 callers, against the emulator
 * process. Prints CPU per call (user, sys), wall per call, and CPU per call of the main thread
 * against every other thread (from /proc/self/task, Linux only). Run it under
 * `strace -f -c` to compare system calls per call.
 *
 *   npx tsx bench/runtime/sys-per-call.ts bare|run [calls]
 */
import { findModel, type EngineAdapter, type EngineResponse } from '@sdl/adapters';
import { createRuntime } from '@sdl/runtime';
import { benchClients, MODEL, QUESTION, startEmulatorProcess } from './setup.js';
const which = process.argv[2]!; const C = 16; const N = Number(process.argv[3] ?? 4000);
const { url, child } = await startEmulatorProcess();
const { client, skill } = await benchClients(url);
const bareCall = async () => (await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] })).content[0];
const lite = { provider: 'anthropic', enforcesTimeout: true, async generate(): Promise<EngineResponse> { await bareCall(); return { text: 'x', toolCalls: [], usage: { inputTokens: 12, outputTokens: 5 }, stopReason: 'end', model: MODEL }; } } as unknown as EngineAdapter;
const rt = createRuntime({ engines: { claude: { adapter: lite, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
rt.load(skill);
const fn = which === 'bare' ? bareCall : () => rt.run(skill, { question: QUESTION });
async function go(n: number) { let i = 0; await Promise.all(Array.from({ length: C }, async () => { while (i++ < n) await fn(); })); }
await go(1000);
const { readdirSync, readFileSync } = await import('node:fs');
const threads = () => { const m: Record<string, number> = {}; for (const t of readdirSync('/proc/self/task')) { try { const st = readFileSync(`/proc/self/task/${t}/stat`, 'utf8'); const comm = t === String(process.pid) ? 'main' : 'other'; const f = st.slice(st.lastIndexOf(')') + 2).split(' '); m[comm] = (m[comm] ?? 0) + Number(f[11]) + Number(f[12]); } catch {} } return m; };
const th0 = threads();
const c0 = process.cpuUsage(); const t0 = performance.now();
if (process.env.MARK) console.error('MARK');
await go(N);
const c = process.cpuUsage(c0);
console.log(`${which}: ${((c.user + c.system) / N).toFixed(1)} µs CPU/call (user ${(c.user / N).toFixed(1)}, sys ${(c.system / N).toFixed(1)}), ${((performance.now() - t0) * 1000 / N).toFixed(1)} µs wall/call`);
const th1 = threads(); console.log(Object.entries(th1).map(([k, v]) => `${k}: ${(((v - (th0[k] ?? 0)) * 10000) / N).toFixed(1)} µs/call`).join(', '));
child.kill();
process.exit(0);
