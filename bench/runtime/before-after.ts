/**
 * Before/after over HTTP in one process (issue 14): `runtime.run` + router + default chain built
 * from this checkout's sources and from another checkout's (`--baseline`, e.g. a worktree of main
 * before a change), and the bare SDK call, against one emulator process. Each side imports its
 * own sources; both should resolve `@anthropic-ai/sdk` to the same files (symlink the baseline's
 * `node_modules/@anthropic-ai/sdk` to this checkout's), else the side sharing the bare call's SDK
 * copy has warmer code and the harness says so. Contenders alternate in blocks, starting contender
 * rotated; this process's CPU time per call, paired per block against the bare SDK, median and IQR.
 *
 *   npx tsx bench/runtime/before-after.ts --baseline /path/to/other/checkout [--blocks 24] [--calls 400] [--concurrency 16]
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { benchClients, here, MODEL, QUESTION, startEmulatorProcess } from './setup.js';
import { iqrText, median, signed } from './stats.js';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    blocks: { type: 'string', default: '24' },
    calls: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
  },
});
if (values.baseline === undefined) throw new Error('--baseline <checkout> is required (a checkout whose packages/*/src to compare against)');
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const EXPECTED = `echo: ${QUESTION}`;

type Call = () => Promise<unknown>;

/** `runtime.run` through the router and the default chain, built from the sources under `root`. */
async function chainFrom(root: string, url: string): Promise<Call> {
  const src = (pkg: string) => pathToFileURL(resolve(root, 'packages', pkg, 'src/index.js')).href;
  const adapters = await import(src('adapters'));
  const runtime = await import(src('runtime'));
  const skill = await runtime.loadSkillSource(here('./one-step.skill.yaml'));
  const adapter = new adapters.AnthropicAdapter({ apiKey: 'k', baseURL: url, timeoutMs: 60_000, defaultMaxTokens: 200 });
  const registry = new runtime.EngineRegistry([{ name: 'claude', provider: 'anthropic', model: MODEL, adapter, config: {} }], 'claude');
  const chain = runtime.createDefaultChain({
    breakers: new runtime.CircuitBreakers(new runtime.MemoryBreakerStore(), runtime.systemClock),
    limiter: new runtime.MemoryRateLimiter(runtime.systemClock),
  });
  const rt = runtime.createRuntime({ router: new runtime.EngineRouter({ registry, chain, describeModel: adapters.findModel }) });
  rt.load(skill);
  return async () => (await rt.run(skill, { question: QUESTION })).output;
}

/** Where `root`'s adapters package finds the SDK, real path. */
const sdkOf = (root: string) => realpathSync(createRequire(resolve(root, 'packages/adapters/package.json')).resolve('@anthropic-ai/sdk'));
const thisRoot = resolve(here('.'), '../..');
if (sdkOf(values.baseline) !== sdkOf(thisRoot)) {
  console.log(`warning: the two checkouts load different copies of @anthropic-ai/sdk (${sdkOf(values.baseline)}, ${sdkOf(thisRoot)}); the comparison favours this checkout`);
}

const { url, child } = await startEmulatorProcess();
const { client } = await benchClients(url);
const textOf = (m: { content: Array<{ type: string; text?: string }> }) => m.content[0]?.text;
const calls: Record<string, Call> = {
  bare: async () => textOf(await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] })),
  'chain, baseline': await chainFrom(values.baseline, url),
  'chain, this checkout': await chainFrom(thisRoot, url),
};
const names = Object.keys(calls);

async function cpuPer(call: Call, n: number): Promise<number> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) if ((await call()) !== EXPECTED) throw new Error('unexpected reply');
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

const load0 = loadavg();
console.log(`before/after: ${BLOCKS} blocks x ${CALLS} calls at c=${CONCURRENCY}; baseline ${values.baseline}; Node ${process.version}; ${new Date().toISOString()}; load ${load0.map((l) => l.toFixed(2)).join(' ')}`);
for (const name of names) await cpuPer(calls[name]!, 600);
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let b = 0; b < BLOCKS; b++) for (const name of names.map((_, i) => names[(i + b) % names.length]!)) cpu[name]!.push(await cpuPer(calls[name]!, CALLS));
for (const name of names) {
  const overBare = cpu[name]!.map((x, i) => x - cpu.bare![i]!);
  console.log(`${name.padEnd(22)} ${median(cpu[name]!).toFixed(1).padStart(7)} µs CPU/call; over bare ${signed(median(overBare))} µs (IQR ${iqrText(overBare)})`);
}
const delta = cpu['chain, this checkout']!.map((x, i) => x - cpu['chain, baseline']![i]!);
console.log(`this checkout - baseline, paired per block: ${signed(median(delta))} µs CPU/call (IQR ${iqrText(delta)})`);
console.log(`load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
child.kill('SIGTERM');
