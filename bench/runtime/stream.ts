/**
 * A 300-delta stream through the runtime and the default chain against the bare SDK's stream
 * (issue 14): the same question (299 words; the emulator echoes it back one word per delta), the
 * whole stream consumed. Rounds alternate the two; per round, total time and CPU of `--streams`
 * sequential streams each; the ratio and the added time per delta are paired per round. A third
 * contender, the bare SDK handed SDL's transport (packages/adapters/src/shared/transport.ts, which the
 * adapters use), gives the same figures on equal transports: what SDL's layers cost apart from it.
 *
 *   npx tsx bench/runtime/stream.ts [--rounds 15] [--streams 40] [--words 299] [--other-checkout DIR]
 * (`--words 1` gives a 2-delta reply: what a stream costs once, to set against the 300-delta figure.)
 * (`--other-checkout` adds `runtime.stream` of another built checkout, e.g. main before a change, to
 * every round, in rotated order, and prints this checkout's CPU per stream minus that one's, paired per round.
 * That difference is biased: with this checkout as its own other (an A/A run, 2026-12-03) it read
 * −382 µs per stream (IQR −462 to −97), so compare checkouts in separate processes instead.)
 */
import Anthropic from '@anthropic-ai/sdk';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadSkillSource } from '@sdl/runtime';
import { benchClients, here, MODEL, routedRuntime, startEmulatorProcess } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, streams: { type: 'string', default: '40' }, 'other-checkout': { type: 'string' }, words: { type: 'string', default: '299' } } });
const ROUNDS = Number(values.rounds);
const STREAMS = Number(values.streams);
const WORDS = Number(values.words);
const QUESTION = Array.from({ length: WORDS }, (_, i) => `word${i}`).join(' ');

const { url, child } = await startEmulatorProcess();
try {
  const { client, adapter } = await benchClients(url);
  const skill = await loadSkillSource(here('./stream.skill.yaml'));
  const routed = routedRuntime(adapter, [skill]);
  const { nodeFetch } = (await import('../../packages/adapters/dist/shared/transport.js')) as { nodeFetch: typeof fetch };
  const leanClient = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0, timeout: 60_000, logLevel: 'off', fetch: nodeFetch });

  const bareOn = (sdk: Anthropic) => async (): Promise<number> => {
    let deltas = 0;
    const stream = await sdk.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages: [{ role: 'user', content: QUESTION }] });
    for await (const event of stream) if (event.type === 'content_block_delta') deltas++;
    return deltas;
  };
  const bare = bareOn(client);
  const lean = bareOn(leanClient);
  const sdl = async (): Promise<number> => {
    let deltas = 0;
    for await (const event of routed.stream(skill, { question: QUESTION })) if (event.type === 'text-delta') deltas++;
    return deltas;
  };
  let other: (() => Promise<number>) | undefined;
  if (values['other-checkout'] !== undefined) {
    const root = values['other-checkout'];
    const o = {
      runtime: (await import(`${root}/packages/runtime/dist/bundle/index.js`)) as typeof import('@sdl/runtime'),
      setup: (await import(`${root}/bench/runtime/setup.js`)) as typeof import('./setup.js'),
    };
    const { adapter: otherAdapter } = await o.setup.benchClients(url);
    const otherSkill = await o.runtime.loadSkillSource(here('./stream.skill.yaml'));
    const otherRouted = o.setup.routedRuntime(otherAdapter, [otherSkill]);
    other = async () => {
      let deltas = 0;
      for await (const event of otherRouted.stream(otherSkill, { question: QUESTION })) if (event.type === 'text-delta') deltas++;
      return deltas;
    };
    if ((await other()) < WORDS - 9) throw new Error('the other checkout streamed too few deltas');
  }
  const [bareDeltas, sdlDeltas, leanDeltas] = [await bare(), await sdl(), await lean()];
  if (bareDeltas < WORDS - 9 || sdlDeltas < WORDS - 9 || leanDeltas < WORDS - 9) throw new Error(`expected ~${WORDS + 1} deltas, got ${bareDeltas} bare, ${leanDeltas} bare on SDL's transport and ${sdlDeltas} through the chain`);

  const time = async (fn: () => Promise<number>) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < STREAMS; i++) await fn();
    const cpu = process.cpuUsage(cpu0);
    return { ms: (performance.now() - t0) / STREAMS, cpuUs: (cpu.user + cpu.system) / STREAMS };
  };
  for (let i = 0; i < 10; i++) await Promise.all([bare(), sdl(), lean(), other?.()]); // warm-up
  type Timing = { ms: number; cpuUs: number };
  const rounds: { bare: Timing; sdl: Timing; lean: Timing; other?: Timing }[] = [];
  const loadBefore = loadavg();
  const order = other === undefined ? (['bare', 'sdl', 'lean'] as const) : (['bare', 'sdl', 'lean', 'other'] as const);
  const run = { bare, sdl, lean, other: other ?? bare };
  for (let r = 0; r < ROUNDS; r++) {
    const round: Partial<Record<(typeof order)[number], Timing>> = {};
    for (let i = 0; i < order.length; i++) {
      const name = order[(i + r) % order.length]!;
      round[name] = await time(run[name]);
    }
    rounds.push(round as (typeof rounds)[number]);
  }
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
  const ratio = rounds.map((r) => r.sdl.ms / r.bare.ms);
  const cpuRatio = rounds.map((r) => r.sdl.cpuUs / r.bare.cpuUs);
  const perDelta = rounds.map((r) => ((r.sdl.cpuUs - r.bare.cpuUs) / sdlDeltas));
  console.log(`stream of ${sdlDeltas} deltas, ${ROUNDS} rounds x ${STREAMS} streams each; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`bare SDK stream: ${median(rounds.map((r) => r.bare.ms)).toFixed(2)} ms, ${median(rounds.map((r) => r.bare.cpuUs)).toFixed(0)} µs CPU per stream (medians)`);
  console.log(`runtime.stream + default chain: ${median(rounds.map((r) => r.sdl.ms)).toFixed(2)} ms, ${median(rounds.map((r) => r.sdl.cpuUs)).toFixed(0)} µs CPU per stream`);
  if (other !== undefined) {
    const diff = rounds.map((r) => r.sdl.cpuUs - r.other!.cpuUs);
    const timeDiff = rounds.map((r) => (r.sdl.ms - r.other!.ms) * 1000);
    const [q1, q3] = quartiles(diff);
    console.log(`other checkout (${values['other-checkout']}): ${median(rounds.map((r) => r.other!.ms)).toFixed(2)} ms, ${median(rounds.map((r) => r.other!.cpuUs)).toFixed(0)} µs CPU per stream; over bare time ${median(rounds.map((r) => r.other!.ms / r.bare.ms)).toFixed(2)}×, CPU ${median(rounds.map((r) => r.other!.cpuUs / r.bare.cpuUs)).toFixed(2)}×`);
    console.log(`this checkout minus the other, paired per round: CPU ${median(diff).toFixed(0)} µs per stream (IQR ${q1.toFixed(0)}–${q3.toFixed(0)}), time ${median(timeDiff).toFixed(0)} µs`);
  }
  const leanRatio = rounds.map((r) => r.sdl.ms / r.lean.ms);
  const leanCpuRatio = rounds.map((r) => r.sdl.cpuUs / r.lean.cpuUs);
  const leanPerDelta = rounds.map((r) => (r.sdl.cpuUs - r.lean.cpuUs) / sdlDeltas);
  console.log(`bare SDK stream on SDL's transport: ${median(rounds.map((r) => r.lean.ms)).toFixed(2)} ms, ${median(rounds.map((r) => r.lean.cpuUs)).toFixed(0)} µs CPU per stream`);
  console.log(`same transport, paired per round: time ${median(leanRatio).toFixed(2)}× (range ${spread(leanRatio)}), CPU ${median(leanCpuRatio).toFixed(2)}× (range ${spread(leanCpuRatio)}), added CPU per delta ${median(leanPerDelta).toFixed(2)} µs (range ${spread(leanPerDelta)})`);
  console.log(`paired per round: time ${median(ratio).toFixed(2)}× (range ${spread(ratio)}; goal ≤ 1.05×), CPU ${median(cpuRatio).toFixed(2)}× (range ${spread(cpuRatio)}), added CPU per delta ${median(perDelta).toFixed(2)} µs (range ${spread(perDelta)}; goal ≤ 0.2 µs)`);
} finally {
  child.kill('SIGTERM');
}
