/**
 * Does fusing the default chain's idle stages into one function pay over HTTP? `runtime.run` on the
 * one-step skill against the Anthropic emulator (its own process): the engine bound directly, the
 * router with no stage (the floor any fused path can reach), the router + the default chain, and the
 * router + a hand-fused stand-in for the idle default chain (one terminal: the breaker's admission and
 * record on the same in-memory breakers, the adapter's deadline on the request, the adapter call; no
 * retry on failure: the bench's calls never fail). Rounds rotate the contenders; this process's CPU per
 * call, paired per round against the direct binding and against the default chain; medians and IQRs
 * over rounds. `--in-process`: the SDK's fetch answers in process with the emulator's recorded reply
 * ({@link answerInProcess}: the SDK still serializes and parses; no socket), the low-noise stand-in.
 *
 *   npx tsx bench/runtime/chain-fused.ts [--rounds 30] [--calls 400] [--concurrency 16] [--in-process]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  callAdapter,
  CircuitBreakers,
  CircuitOpenError,
  createDefaultChain,
  MemoryBreakerStore,
  MemoryRateLimiter,
  MiddlewareChain,
  systemClock,
  type CallContext,
  type CallResult,
  type Runtime,
} from '@sdl/runtime';
import { answerInProcess, benchClients, routedRuntime, startEmulatorProcess } from './setup.js';
import { cpuOfConcurrentRuns } from './concurrent-runs.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' }, calls: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '16' }, 'in-process': { type: 'boolean', default: false } } });
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);

/** The idle default chain as one terminal (the stand-in: success path only). */
function handFused(breakers: CircuitBreakers) {
  return (ctx: CallContext): Promise<CallResult> => {
    const admission = breakers.admitNow(ctx.engine, ctx.policies.breaker, ctx.emit)!;
    if (!admission.allowed) return Promise.reject(new CircuitOpenError(ctx.engine, admission.to, admission.retryInMs));
    ctx.request.timeoutMs = ctx.policies.timeoutMs;
    return callAdapter(ctx).then((result) => {
      breakers.recordNow(ctx.engine, ctx.policies.breaker, 'success', admission.probe, ctx.emit);
      return result;
    });
  };
}

const { url, child } = await startEmulatorProcess();
try {
  if (values['in-process']) await answerInProcess(url);
  const { adapter, skill, direct } = await benchClients(url);
  const breakers = () => new CircuitBreakers(new MemoryBreakerStore(), systemClock);
  const runtimes: Record<string, Runtime> = {
    direct,
    'router, no stage': routedRuntime(adapter, [skill], { chain: new MiddlewareChain([]) }),
    'router + default chain': routedRuntime(adapter, [skill], { chain: createDefaultChain({ breakers: breakers(), limiter: new MemoryRateLimiter(systemClock) }) }),
    'router + hand-fused stand-in': routedRuntime(adapter, [skill], { chain: new MiddlewareChain([], handFused(breakers())) }),
  };
  const names = Object.keys(runtimes);
  const measure = async (runtime: Runtime, calls: number): Promise<number> => {
    const cpu = await cpuOfConcurrentRuns(runtime, skill, calls, CONCURRENCY);
    return (cpu.user + cpu.system) / calls;
  };
  for (const name of names) await measure(runtimes[name]!, 400);
  const load0 = loadavg();
  const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      per[name]!.push(await measure(runtimes[name]!, CALLS));
    }
  }
  const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  const range = (xs: number[]) => quartiles(xs).map(sign).join(' .. ');
  console.log(`chain fused ${values['in-process'] ? 'in process (SDK answered in process)' : 'over HTTP'}: ${ROUNDS} rounds x ${CALLS} calls per contender at c=${CONCURRENCY}; Node ${process.version}; load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  direct binding: ${median(per.direct!).toFixed(1)} µs CPU per call`);
  for (const name of names.slice(1)) {
    const added = per[name]!.map((x, i) => x - per.direct![i]!);
    console.log(`  ${name.padEnd(34)} ${median(per[name]!).toFixed(1)} µs; over direct ${sign(median(added))} µs (IQR ${range(added)})`);
  }
  // Paired against the default chain: what the fusing saves.
  const chain = per['router + default chain']!;
  for (const name of names.slice(1)) {
    if (name === 'router + default chain') continue;
    const saved = per[name]!.map((x, i) => x - chain[i]!);
    console.log(`  ${name.padEnd(34)} over the default chain ${sign(median(saved))} µs (IQR ${range(saved)})`);
  }
} finally {
  child.kill();
}
