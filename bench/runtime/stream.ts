/**
 * A 300-delta stream through the runtime and the default chain against the bare SDK's stream
 * (issue 14): the same question (299 words; the emulator echoes it back one word per delta), the
 * whole stream consumed. Rounds alternate the two; per round, total time and CPU of `--streams`
 * sequential streams each; the ratio and the added time per delta are paired per round.
 *
 *   npx tsx bench/runtime/stream.ts [--rounds 15] [--streams 40]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadSkillSource } from '../../packages/runtime/src/index.js';
import { benchClients, here, MODEL, routedRuntime, startEmulatorProcess } from './setup.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, streams: { type: 'string', default: '40' } } });
const ROUNDS = Number(values.rounds);
const STREAMS = Number(values.streams);
const QUESTION = Array.from({ length: 299 }, (_, i) => `word${i}`).join(' ');

const { url, child } = await startEmulatorProcess();
try {
  const { client, adapter } = await benchClients(url);
  const skill = await loadSkillSource(here('./stream.skill.yaml'));
  const routed = routedRuntime(adapter, [skill]);

  const bare = async (): Promise<number> => {
    let deltas = 0;
    const stream = await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages: [{ role: 'user', content: QUESTION }] });
    for await (const event of stream) if (event.type === 'content_block_delta') deltas++;
    return deltas;
  };
  const sdl = async (): Promise<number> => {
    let deltas = 0;
    for await (const event of routed.stream(skill, { question: QUESTION })) if (event.type === 'text-delta') deltas++;
    return deltas;
  };
  const [bareDeltas, sdlDeltas] = [await bare(), await sdl()];
  if (bareDeltas < 290 || sdlDeltas < 290) throw new Error(`expected ~300 deltas, got ${bareDeltas} bare and ${sdlDeltas} through the chain`);

  const time = async (fn: () => Promise<number>) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < STREAMS; i++) await fn();
    const cpu = process.cpuUsage(cpu0);
    return { ms: (performance.now() - t0) / STREAMS, cpuUs: (cpu.user + cpu.system) / STREAMS };
  };
  for (let i = 0; i < 10; i++) await Promise.all([bare(), sdl()]); // warm-up
  const rounds: { bare: { ms: number; cpuUs: number }; sdl: { ms: number; cpuUs: number } }[] = [];
  const loadBefore = loadavg();
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) rounds.push({ bare: await time(bare), sdl: await time(sdl) });
    else {
      const s = await time(sdl);
      rounds.push({ bare: await time(bare), sdl: s });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
  const ratio = rounds.map((r) => r.sdl.ms / r.bare.ms);
  const cpuRatio = rounds.map((r) => r.sdl.cpuUs / r.bare.cpuUs);
  const perDelta = rounds.map((r) => ((r.sdl.cpuUs - r.bare.cpuUs) / sdlDeltas));
  console.log(`stream of ${sdlDeltas} deltas, ${ROUNDS} rounds x ${STREAMS} streams each; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`bare SDK stream: ${median(rounds.map((r) => r.bare.ms)).toFixed(2)} ms, ${median(rounds.map((r) => r.bare.cpuUs)).toFixed(0)} µs CPU per stream (medians)`);
  console.log(`runtime.stream + default chain: ${median(rounds.map((r) => r.sdl.ms)).toFixed(2)} ms, ${median(rounds.map((r) => r.sdl.cpuUs)).toFixed(0)} µs CPU per stream`);
  console.log(`paired per round: time ${median(ratio).toFixed(2)}× (range ${spread(ratio)}; goal ≤ 1.05×), CPU ${median(cpuRatio).toFixed(2)}× (range ${spread(cpuRatio)}), added CPU per delta ${median(perDelta).toFixed(2)} µs (range ${spread(perDelta)}; goal ≤ 0.2 µs)`);
} finally {
  child.kill('SIGTERM');
}
