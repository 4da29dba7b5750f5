/**
 * Stream harness (not a benchmark of record): where a streamed run's CPU goes over real HTTP,
 * layer by layer, against the Anthropic emulator process: the bare SDK stream (consumed as
 * stream.ts does), the adapter's `stream()` iterated and drained, the adapter drained with a fresh
 * caller signal on the request (as a run hands one), the router + default chain's stream drained,
 * `runtime.stream` with the engine bound directly, and `runtime.stream` on the router (stream.ts's
 * contender). Rounds rotate the contenders; per round, this process's CPU per stream over
 * `--streams` sequential streams; each contender's added CPU is paired per round against the bare
 * SDK's: median (IQR) per stream and per delta.
 *   npx tsx bench/runtime/stream-split.ts [--rounds 15] [--streams 20] [--words 299] [--only 'adapter drained,direct runtime.stream']
 * (`--words 1`: a 2-delta reply, what each layer costs once per stream.)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { drainStream, findModel } from '@sdl/adapters';
import { createRuntime, forEachEvent, loadSkillSource } from '@sdl/runtime';
import { benchClients, defaultChainRouter, here, MODEL, startEmulatorProcess } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    streams: { type: 'string', default: '20' },
    words: { type: 'string', default: '299' },
    only: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const STREAMS = Number(values.streams);
const WORDS = Number(values.words);
const QUESTION = Array.from({ length: WORDS }, (_, i) => `word${i}`).join(' ');
const messages = [{ role: 'user' as const, content: QUESTION }];

const { url, child } = await startEmulatorProcess();
try {
  const { client, adapter } = await benchClients(url);
  const skill = await loadSkillSource(here('./stream.skill.yaml'));
  const router = defaultChainRouter(adapter);
  const routed = createRuntime({ router });
  routed.load(skill);
  const direct = createRuntime({ engines: { claude: { adapter, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
  direct.load(skill);
  const count = async (events: AsyncIterable<{ type: string }>, type: string): Promise<number> => {
    let n = 0;
    for await (const e of events) if (e.type === type) n++;
    return n;
  };
  const contenders: Record<string, () => Promise<number>> = {
    'bare SDK': async () => count(await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages }), 'content_block_delta'),
    'adapter iterated': () => count(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), 'text-delta'),
    'adapter drained': async () => {
      let n = 0;
      await drainStream(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), (e) => {
        if (e.type === 'text-delta') n++;
      });
      return n;
    },
    // As a run hands it: the request carries the run's signal (made per run).
    'adapter drained + signal': async () => {
      let n = 0;
      await drainStream(adapter.stream({ model: MODEL, messages, maxTokens: 4000, signal: new AbortController().signal }), (e) => {
        if (e.type === 'text-delta') n++;
      });
      return n;
    },
    'router + chain drained': async () => {
      let n = 0;
      await forEachEvent((await router.stream({ request: { model: MODEL, messages, maxTokens: 4000 } })).events, (e) => {
        if (e.type === 'text-delta') n++;
      });
      return n;
    },
    'direct runtime.stream': () => count(direct.stream(skill, { question: QUESTION }), 'text-delta'),
    'routed runtime.stream': () => count(routed.stream(skill, { question: QUESTION }), 'text-delta'),
  };
  const only = values.only?.split(',');
  const names = Object.keys(contenders).filter((n, i) => i === 0 || only === undefined || only.includes(n));
  const deltas: Record<string, number> = {};
  for (const n of names) {
    deltas[n] = await contenders[n]!();
    if (deltas[n]! < WORDS - 9) throw new Error(`${n}: only ${deltas[n]} deltas`);
  }
  for (let i = 0; i < 20; i++) for (const n of names) await contenders[n]!(); // warm-up
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const load0 = loadavg();
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of names.map((_, i) => names[(i + r) % names.length]!)) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < STREAMS; i++) await contenders[n]!();
      const c = process.cpuUsage(c0);
      cpu[n]!.push((c.user + c.system) / STREAMS);
    }
  }
  const d = deltas['bare SDK']!;
  console.log(`${ROUNDS} rounds x ${STREAMS} streams of ${d} deltas; load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const bare = cpu['bare SDK']!;
  console.log(`${'bare SDK'.padEnd(22)} ${median(bare).toFixed(0).padStart(6)} µs CPU/stream (IQR ${quartiles(bare).map((x) => x.toFixed(0)).join('–')})`);
  for (const n of names.slice(1)) {
    const added = cpu[n]!.map((x, i) => x - bare[i]!);
    const [q1, q3] = quartiles(added);
    console.log(
      `${n.padEnd(22)} ${median(cpu[n]!).toFixed(0).padStart(6)} µs CPU/stream; over bare, paired: ${median(added).toFixed(0).padStart(5)} µs/stream (IQR ${q1.toFixed(0)}–${q3.toFixed(0)}), ${(median(added) / d).toFixed(2)} µs/delta (IQR ${(q1 / d).toFixed(2)}–${(q3 / d).toFixed(2)})`,
    );
  }
} finally {
  child.kill('SIGTERM');
}
