/**
 * Young-generation GC per call of `runtime.run` + router + default chain over HTTP (issue 14), built
 * from the sources of the checkout given (run it once per checkout, in turn, to compare trees; one
 * tree per process so neither warms the other's code): 16 callers against the emulator process,
 * scavenges per 1,000 calls (proportional to the bytes allocated per call), scavenge pause per call
 * and mean pause, major GCs. Scavenge pauses over HTTP are long (~15–20 ms: the SDK's per-request
 * survivors), so each KB a run allocates costs far more here than in process.
 *
 *   npx tsx bench/runtime/gc-per-call.ts <checkout root> [calls=5000]
 */
import { loadavg } from 'node:os';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { here, MODEL, QUESTION, startEmulatorProcess } from './setup.js';
const root = process.argv[2]!; const N = Number(process.argv[3] ?? 5000);
let minor = 0, minorMs = 0, major = 0, majorMs = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) { const k = (e as { detail?: { kind?: number } }).detail?.kind; if (k === constants.NODE_PERFORMANCE_GC_MINOR) { minor++; minorMs += e.duration; } else { major++; majorMs += e.duration; } } }).observe({ entryTypes: ['gc'] });
const src = (pkg: string) => pathToFileURL(resolve(root, 'packages', pkg, 'src/index.js')).href;
const adapters = await import(src('adapters')); const runtime = await import(src('runtime'));
const { url, child } = await startEmulatorProcess();
const skill = await runtime.loadSkillSource(here('./one-step.skill.yaml'));
const adapter = new adapters.AnthropicAdapter({ apiKey: 'k', baseURL: url, timeoutMs: 60_000, defaultMaxTokens: 200 });
const registry = new runtime.EngineRegistry([{ name: 'claude', provider: 'anthropic', model: MODEL, adapter, config: {} }], 'claude');
const chain = runtime.createDefaultChain({ breakers: new runtime.CircuitBreakers(new runtime.MemoryBreakerStore(), runtime.systemClock), limiter: new runtime.MemoryRateLimiter(runtime.systemClock) });
const rt = runtime.createRuntime({ router: new runtime.EngineRouter({ registry, chain, describeModel: adapters.findModel }) });
rt.load(skill);
const go = async (n: number) => { let i = 0; await Promise.all(Array.from({ length: 16 }, async () => { while (i++ < n) await rt.run(skill, { question: QUESTION }); })); };
await go(1500);
minor = minorMs = major = majorMs = 0;
const c0 = process.cpuUsage();
await go(N);
const c = process.cpuUsage(c0);
await new Promise((r) => setTimeout(r, 50));
console.log(`${root}: load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${((c.user + c.system) / N).toFixed(0)} µs CPU/call; scavenges per 1000 calls ${(minor * 1000 / N).toFixed(1)}, scavenge ms per call ${(minorMs * 1000 / N).toFixed(1)} µs, mean pause ${(minorMs / minor).toFixed(1)} ms; major ${major} (${(majorMs * 1000 / N).toFixed(1)} µs/call)`);
child.kill(); process.exit(0);
