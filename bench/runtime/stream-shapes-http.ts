/**
 * Design harness over real HTTP (not a benchmark of record): what each shape a streamed run can
 * take costs on top of the bare SDK stream when the stream comes over a socket from the emulator
 * process, without the run around it. Contenders, each a consumer counting 300 text deltas:
 * `adapter drained + channel` (the run's shape: the adapter drained into an EventChannel the
 * consumer iterates), `adapter pulled + map` (a collapsed pull: the consumer's next() is one
 * reaction on the adapter stream's, mapping each event), `adapter drained` (no consumer
 * coroutine), and `runtime.stream` + default chain. CPU per stream over the bare SDK's, per
 * delta, paired per round (median, IQR).
 *
 *   npx tsx bench/runtime/stream-shapes-http.ts [--rounds 15] [--streams 20] [--words 299] [--only a,b]
 * (`--words 1`: a 2-delta reply, what each contender costs once per stream.)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { drainStream, type StreamEvent } from '@sdl/adapters';
import { loadSkillSource } from '@sdl/runtime';
import { EventChannel } from '../../packages/runtime/src/run/events.js';
import { benchClients, here, MODEL, routedRuntime, startEmulatorProcess } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '15' }, streams: { type: 'string', default: '20' }, words: { type: 'string', default: '299' }, only: { type: 'string' } },
});
const ROUNDS = Number(values.rounds);
const STREAMS = Number(values.streams);
const WORDS = Number(values.words);
const QUESTION = Array.from({ length: WORDS }, (_, i) => `word${i}`).join(' ');
const messages = [{ role: 'user' as const, content: QUESTION }];
const origin = { skill: 'stream', path: ['answer'], step: 'answer' };
type Delta = { type: string; text: string; skill: string; path: string[]; step: string };
const runEvent = (text: string): Delta => ({ type: 'text-delta', text, skill: origin.skill, path: origin.path, step: origin.step });

const { url, child } = await startEmulatorProcess();
try {
  const { client, adapter } = await benchClients(url);
  const skill = await loadSkillSource(here('./stream.skill.yaml'));
  const routed = routedRuntime(adapter, [skill]);
  const count = async (events: AsyncIterable<{ type: string }>, type: string): Promise<number> => {
    let n = 0;
    for await (const event of events) if (event.type === type) n++;
    return n;
  };
  const contenders: Record<string, () => Promise<number>> = {
    'bare SDK': async () => count(await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages }), 'content_block_delta'),
    'adapter drained': async () => {
      let n = 0;
      await drainStream(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), (e) => void (e.type === 'text-delta' && n++));
      return n;
    },
    'adapter drained + channel': async () => {
      const channel = new EventChannel<Delta>(() => {});
      drainStream(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), (e) => {
        if (e.type === 'text-delta') channel.push(runEvent(e.text));
      }).then(() => channel.close(), () => channel.close());
      return count(channel, 'text-delta');
    },
    'adapter pulled + map': async () => {
      const it = adapter.stream({ model: MODEL, messages, maxTokens: 4000 })[Symbol.asyncIterator]();
      const onStep = (step: IteratorResult<StreamEvent>): IteratorResult<Delta> | Promise<IteratorResult<Delta>> => {
        if (step.done === true) return { done: true, value: undefined };
        const e = step.value;
        return e.type === 'text-delta' ? { done: false, value: runEvent(e.text) } : pulled.next();
      };
      const pulled: AsyncIterableIterator<Delta> = { next: () => it.next().then(onStep), [Symbol.asyncIterator]: () => pulled };
      return count(pulled, 'text-delta');
    },
    'runtime.stream': async () => count(routed.stream(skill, { question: QUESTION }), 'text-delta'),
  };
  const names = Object.keys(contenders).filter((n) => n === 'bare SDK' || values.only === undefined || values.only.split(',').includes(n));
  for (const n of names) if ((await contenders[n]!()) < WORDS - 9) throw new Error(`${n}: too few deltas`);
  for (let i = 0; i < 10; i++) for (const n of names) await contenders[n]!();
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const load0 = loadavg();
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(j + r) % names.length]!;
      const c0 = process.cpuUsage();
      for (let i = 0; i < STREAMS; i++) await contenders[n]!();
      const c = process.cpuUsage(c0);
      cpu[n]!.push((c.user + c.system) / STREAMS);
    }
  }
  console.log(`${WORDS + 1} deltas over HTTP, ${ROUNDS} rounds x ${STREAMS} streams; load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const n of names) {
    const extra = cpu[n]!.map((x, i) => (x - cpu['bare SDK']![i]!) / (WORDS + 1));
    const [q1, q3] = quartiles(extra);
    console.log(`${n.padEnd(26)} ${median(cpu[n]!).toFixed(0)} µs CPU per stream; over bare ${median(extra).toFixed(3)} µs per delta (IQR ${q1.toFixed(3)}–${q3.toFixed(3)})`);
  }
} finally {
  child.kill('SIGTERM');
}
