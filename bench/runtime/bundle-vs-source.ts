/**
 * What the runtime benches measured before 2026-12-04 against what a host runs: `runtime.run` (engine
 * bound directly, and through `EngineRouter` + the default chain) from the sources through tsx, whose
 * esbuild transform wraps every function and closure in a `__name` call (keepNames), against the
 * built bundles (`@sdl/runtime`, `@sdl/adapters`), in one process, with an adapter that answers at
 * once (so only SDL's code is timed). Blocks rotate the four contenders; CPU per call, each bundle
 * row paired per block against its source row; medians and IQRs over the blocks.
 *
 *   npx tsx bench/runtime/bundle-vs-source.ts [--blocks 24] [--calls 4000]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as builtAdapters from '@sdl/adapters';
import * as builtRuntime from '@sdl/runtime';
import * as sourceAdapters from '../../packages/adapters/src/index.js';
import * as sourceRuntime from '../../packages/runtime/src/index.js';
import { here, MODEL, QUESTION } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({ options: { blocks: { type: 'string', default: '24' }, calls: { type: 'string', default: '4000' } } });
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);

const instant = {
  provider: 'anthropic',
  enforcesTimeout: true,
  generate: async (request: { model: string; messages: { content: unknown }[] }) => ({
    text: `echo: ${request.messages[0]!.content as string}`,
    toolCalls: [],
    usage: { inputTokens: 12, outputTokens: 5 },
    stopReason: 'end',
    model: request.model,
    requestId: 'msg_1',
  }),
  async *stream() {},
};

/** The direct binding and the routed runtime of one copy of the packages. */
async function contenders(R: typeof sourceRuntime, A: typeof sourceAdapters): Promise<{ direct: () => Promise<unknown>; chain: () => Promise<unknown> }> {
  const adapter = instant as unknown as sourceAdapters.EngineAdapter;
  const skill = await R.loadSkillSource(here('./one-step.skill.yaml'));
  const direct = R.createRuntime({ engines: { claude: { adapter, model: MODEL, descriptor: A.findModel('anthropic', MODEL)! } } });
  direct.load(skill);
  const registry = new R.EngineRegistry([{ name: 'claude', provider: 'anthropic', model: MODEL, adapter, config: {} }], 'claude');
  const chain = R.createDefaultChain({ breakers: new R.CircuitBreakers(new R.MemoryBreakerStore(), R.systemClock), limiter: new R.MemoryRateLimiter(R.systemClock) });
  const routed = R.createRuntime({ router: new R.EngineRouter({ registry, chain, describeModel: A.findModel }) });
  routed.load(skill);
  return { direct: () => direct.run(skill, { question: QUESTION }), chain: () => routed.run(skill, { question: QUESTION }) };
}

const source = await contenders(sourceRuntime, sourceAdapters);
const built = await contenders(builtRuntime as unknown as typeof sourceRuntime, builtAdapters as unknown as typeof sourceAdapters);
const calls: Record<string, () => Promise<unknown>> = { 'direct, sources': source.direct, 'direct, bundles': built.direct, 'chain, sources': source.chain, 'chain, bundles': built.chain };
const names = Object.keys(calls);
const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const load0 = loadavg();
// Four warm-up blocks (JIT), not counted.
for (let block = -4; block < BLOCKS; block++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + block + 4) % names.length]!;
    const cpu0 = process.cpuUsage();
    for (let k = 0; k < CALLS; k++) await calls[name]!();
    const cpu = process.cpuUsage(cpu0);
    if (block >= 0) per[name]!.push((cpu.user + cpu.system) / CALLS);
  }
}
console.log(`sources through tsx vs bundles, in process: ${BLOCKS} blocks x ${CALLS} calls; Node ${process.version}; load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const kind of ['direct', 'chain']) {
  const src = per[`${kind}, sources`]!;
  const bundle = per[`${kind}, bundles`]!;
  const ratio = bundle.map((b, i) => b / src[i]!);
  console.log(
    `  ${kind.padEnd(6)} sources ${median(src).toFixed(2)} µs, bundles ${median(bundle).toFixed(2)} µs CPU per call; bundles / sources ${median(ratio).toFixed(3)} (IQR ${quartiles(ratio).map((r) => r.toFixed(3)).join(' .. ')})`,
  );
}
