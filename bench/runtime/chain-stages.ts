/**
 * Where the default chain's cost over HTTP goes: `runtime.run` on a one-step skill against the
 * Anthropic emulator (its own process), engine bound directly, then behind `EngineRouter` with no
 * stage, with each default stage alone, and with the whole default chain. Rounds rotate the
 * contenders; this process's CPU per call at concurrency `--concurrency`, each contender paired per
 * round against the direct binding of the same round; medians and IQRs over the rounds.
 *
 * (`--ends`: only the direct binding, the router with no stage and the whole chain.) System CPU is
 * printed apart: what the kernel spends (sockets) moves with the timing of the calls, not with SDL's code.
 *
 *   npx tsx bench/runtime/chain-stages.ts [--rounds 12] [--calls 480] [--concurrency 16] [--ends]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { MiddlewareChain, type Runtime } from '@sdl/runtime';
import { benchClients, defaultChain, routedRuntime, startEmulatorProcess } from './setup.js';
import { cpuOfConcurrentRuns } from './concurrent-runs.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '12' }, calls: { type: 'string', default: '480' }, concurrency: { type: 'string', default: '16' }, ends: { type: 'boolean', default: false } } });
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);

const { url, child } = await startEmulatorProcess();
try {
  const { adapter, skill, direct } = await benchClients(url);
  const defaults = defaultChain();
  const routed = (chain: MiddlewareChain): Runtime => routedRuntime(adapter, [skill], { chain });
  const stageChain = (name: string) => {
    const chain = defaultChain();
    for (const other of chain.names()) if (other !== name) chain.remove(other);
    return chain;
  };
  const runtimes: Record<string, Runtime> = { direct, 'router, no stage': routed(new MiddlewareChain([])) };
  if (!values.ends) for (const name of defaults.names()) runtimes[`router + ${name} only`] = routed(stageChain(name));
  runtimes['router + default chain'] = routed(defaults);
  const names = Object.keys(runtimes);

  const sys: Record<string, number[]> = {};
  const measure = async (runtime: Runtime, calls: number, name?: string): Promise<number> => {
    const cpu = await cpuOfConcurrentRuns(runtime, skill, calls, CONCURRENCY);
    if (name !== undefined) (sys[name] ??= []).push(cpu.system / calls);
    return (cpu.user + cpu.system) / calls;
  };
  for (const name of names) await measure(runtimes[name]!, 400);
  const load0 = loadavg();
  const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      per[name]!.push(await measure(runtimes[name]!, CALLS, name));
    }
  }
  const range = (xs: number[]) => quartiles(xs).map((x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`).join(' .. ');
  console.log(`chain stages over HTTP: ${ROUNDS} rounds x ${CALLS} calls per contender at c=${CONCURRENCY}; Node ${process.version}; load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  direct binding: ${median(per.direct!).toFixed(1)} µs CPU per call`);
  for (const name of names.slice(1)) {
    const added = per[name]!.map((x, i) => x - per.direct![i]!);
    console.log(`  ${name.padEnd(34)} ${median(per[name]!).toFixed(1)} µs; over direct ${median(added) >= 0 ? '+' : ''}${median(added).toFixed(1)} µs (IQR ${range(added)}); of it system ${(median(sys[name]!.map((x, i) => x - sys.direct![i]!))).toFixed(1)} µs (system CPU ${median(sys[name]!).toFixed(1)} µs)`);
  }
} finally {
  child.kill();
}
