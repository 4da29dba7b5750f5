/**
 * What the router and the default middleware chain add per call and per stream delta, with an
 * in-process adapter that answers at once (no HTTP, no emulator), so only SDL's own work is timed:
 * `runtime.run` / `runtime.stream` with the engine bound directly (baseline) against the same
 * skill through `EngineRouter` + `createDefaultChain` (no policy configured: the default a host
 * gets). Contenders alternate in blocks; CPU time of this process per call, paired per block.
 * At `--concurrency` above 1 the adapter answers after a timer tick, so calls overlap as they do
 * against a server. Streams: the adapter yields `--deltas` text deltas then usage and stop.
 *
 * `--cold-kb N`: the adapter writes one byte per 64-byte line of an N KB buffer before it answers,
 * evicting the caches as the HTTP stack's own work does between two calls (the same for both
 * contenders, so it cancels out of the paired difference). The chain's added CPU per call grows
 * with it (figures in bench/README.md, issue 14): the in-process figure with warm caches undershoots the HTTP one.
 *
 *   npx tsx bench/runtime/chain-micro.ts [--blocks 30] [--calls 2000] [--streams 100] [--deltas 300] [--concurrency 1] [--wait-ms 0] [--cold-kb 0]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent } from '@sdl/adapters';
import { findModel } from '@sdl/adapters';
import { createRuntime, loadSkillSource } from '@sdl/runtime';
import { here, MODEL, QUESTION, routedRuntime } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '30' },
    calls: { type: 'string', default: '2000' },
    streams: { type: 'string', default: '100' },
    deltas: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '1' },
    /** With --concurrency above 1: how long the adapter waits before answering (0: one event-loop turn). */
    'wait-ms': { type: 'string', default: '0' },
    /** KB of memory the adapter touches before each answer (cold caches, as after an HTTP round trip). */
    'cold-kb': { type: 'string', default: '0' },
  },
});
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);
const STREAMS = Number(values.streams);
const DELTAS = Number(values.deltas);
const CONCURRENCY = Number(values.concurrency);

const WAIT_MS = Number(values['wait-ms']);
const evicting = new Uint8Array(Number(values['cold-kb']) * 1024);
/** Touches one byte per cache line of `evicting` (nothing at --cold-kb 0). */
const evictCaches = () => {
  for (let i = 0; i < evicting.length; i += 64) evicting[i] = (evicting[i]! + 1) & 0xff;
};
const tick = () => new Promise((resolve) => (WAIT_MS > 0 ? setTimeout(resolve, WAIT_MS) : setImmediate(resolve)));
const response = (text: string, model: string): EngineResponse => ({ text, toolCalls: [], usage: { inputTokens: 12, outputTokens: 5 }, stopReason: 'end', model });
const instant = {
  provider: 'anthropic',
  // As the SDK adapters declare: it never stalls, so no deadline of the chain's own is needed.
  enforcesTimeout: true,
  async generate(request: EngineRequest): Promise<EngineResponse> {
    if (CONCURRENCY > 1) await tick();
    evictCaches();
    return response(`echo: ${request.messages[0]!.content as string}`, request.model);
  },
  async *stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    if (CONCURRENCY > 1) await tick();
    let text = '';
    for (let i = 0; i < DELTAS; i++) {
      const delta = i === 0 ? 'w0' : ` w${i}`;
      text += delta;
      yield { type: 'text-delta', text: delta };
    }
    yield { type: 'usage', usage: { inputTokens: 12, outputTokens: DELTAS } };
    yield { type: 'stop', response: response(text, request.model) };
  },
} as unknown as EngineAdapter;

const skill = await loadSkillSource(here('./one-step.skill.yaml'));
const streamSkill = await loadSkillSource(here('./stream.skill.yaml'));
const direct = createRuntime({ engines: { claude: { adapter: instant, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
const routed = routedRuntime(instant, [skill, streamSkill]);
direct.load(skill);
direct.load(streamSkill);

const expected = `echo: ${QUESTION}`;
const runOn = (rt: typeof direct) => async () => {
  if ((await rt.run(skill, { question: QUESTION })).output !== expected) throw new Error('unexpected reply');
};
const streamOn = (rt: typeof direct) => async () => {
  let deltas = 0;
  for await (const event of rt.stream(streamSkill, { question: QUESTION })) if (event.type === 'text-delta') deltas++;
  if (deltas !== DELTAS) throw new Error(`expected ${DELTAS} deltas, got ${deltas}`);
};

/** CPU µs of this process per call over `n` calls at CONCURRENCY. */
async function cpuPer(call: () => Promise<void>, n: number): Promise<number> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next++ < n) await call(); }));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}


async function pair(label: string, unit: number, unitName: string, a: () => Promise<void>, b: () => Promise<void>, n: number) {
  for (let i = 0; i < 3; i++) await Promise.all([cpuPer(a, n), cpuPer(b, n)]); // warm-up (JIT)
  const base: number[] = [];
  const test: number[] = [];
  for (let block = 0; block < BLOCKS; block++) {
    if (block % 2) {
      test.push(await cpuPer(b, n));
      base.push(await cpuPer(a, n));
    } else {
      base.push(await cpuPer(a, n));
      test.push(await cpuPer(b, n));
    }
  }
  const added = test.map((t, i) => (t - base[i]!) / unit);
  const ratio = test.map((t, i) => t / base[i]!);
  const [lo, hi] = quartiles(added);
  const [rlo, rhi] = quartiles(ratio);
  console.log(
    `${label}: direct ${median(base).toFixed(1)} µs, router + default chain ${median(test).toFixed(1)} µs CPU per call; ` +
      `added ${median(added).toFixed(2)} µs per ${unitName} (IQR ${lo.toFixed(2)} .. ${hi.toFixed(2)}), ratio ${median(ratio).toFixed(3)}× (IQR ${rlo.toFixed(3)} .. ${rhi.toFixed(3)})`,
  );
}

const load0 = loadavg();
console.log(`chain micro: ${BLOCKS} blocks, concurrency ${CONCURRENCY}, cold ${values['cold-kb']} KB, Node ${process.version}, ${new Date().toISOString()}, load ${load0.map((l) => l.toFixed(2)).join(' ')}`);
await pair(`run (${CALLS} calls per block)`, 1, 'call', runOn(direct), runOn(routed), CALLS);
await pair(`stream of ${DELTAS} deltas (${STREAMS} streams per block)`, DELTAS, 'delta', streamOn(direct), streamOn(routed), STREAMS);
console.log(`load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
