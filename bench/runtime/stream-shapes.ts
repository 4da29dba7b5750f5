/**
 * Design micro-benchmark (no SDL code): what one delta costs on top of an SDK-like async-generator
 * stream in each shape a streamed run can take. `drain + channel` is `runtime.stream` today (a loop
 * awaits the SDK's generator and pushes each mapped event into a queue the consumer awaits);
 * `drain + wait on the read` keeps the loop reading ahead but has a waiting consumer react to the
 * loop's read in flight instead of a promise of the queue's own; `collapsed pull` is the consumer's `next()` as one `.then` on the generator's `next()` that maps
 * the event synchronously. CPU per item over the direct loop paired per round (median, IQR), and
 * bytes allocated per item (heap growth with a young generation too large to be collected).
 *
 *   node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 --import tsx bench/runtime/stream-shapes.ts
 */
import { loadavg } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { EventChannel } from '../../packages/runtime/src/run/events.js';
import { median, quartiles } from './stats.js';

const N = 300;
type Raw = { type: string; index: number; delta: { type: string; text: string } };
async function* wire(): AsyncGenerator<Raw> {
  for (let i = 0; i < N; i++) {
    await null;
    yield JSON.parse(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w${i}"}}`) as Raw;
  }
}
// Two generator levels, as the SDK's SSE reader and its event iterator.
async function* sdk(): AsyncGenerator<Raw> {
  for await (const raw of wire()) yield raw;
}
const map = (raw: Raw) => ({ type: 'text-delta', text: raw.delta.text, skill: 's', path: [] as string[], step: 'a' });

const shapes: Record<string, () => Promise<number>> = {
  direct: async () => {
    let n = 0;
    for await (const raw of sdk()) if (raw.type === 'content_block_delta') n++;
    return n;
  },
  'drain + channel': async () => {
    const channel = new EventChannel<ReturnType<typeof map>>(() => {});
    void (async () => {
      const it = sdk();
      for (;;) {
        const step = await it.next();
        if (step.done) break;
        channel.push(map(step.value));
      }
      channel.close();
    })();
    let n = 0;
    for await (const event of channel) if (event.type === 'text-delta') n++;
    return n;
  },
  'drain + wait on the read': async () => {
    // The loop still reads ahead; the consumer waits on the read in flight instead of a promise of its own.
    const buffer: ReturnType<typeof map>[] = [];
    let head = 0;
    let reading: Promise<unknown> | undefined;
    let over = false;
    const take = (): IteratorResult<ReturnType<typeof map>> | Promise<IteratorResult<ReturnType<typeof map>>> => {
      if (head < buffer.length) {
        const value = buffer[head++]!;
        if (head === buffer.length) buffer.length = head = 0;
        return { done: false, value };
      }
      if (over) return { done: true, value: undefined };
      return pull.next();
    };
    void (async () => {
      const it = sdk();
      for (;;) {
        const pending = it.next();
        reading = pending;
        const step = await pending;
        if (step.done) break;
        buffer.push(map(step.value));
      }
      over = true;
      reading = undefined;
    })();
    const pull: AsyncIterableIterator<ReturnType<typeof map>> = {
      next: () => {
        if (head < buffer.length || over) return Promise.resolve(take());
        return reading!.then(take);
      },
      [Symbol.asyncIterator]: () => pull,
    };
    let n = 0;
    for await (const event of pull) if (event.type === 'text-delta') n++;
    return n;
  },
  'collapsed pull': async () => {
    const it = sdk();
    const onStep = (step: IteratorResult<Raw>): IteratorResult<ReturnType<typeof map>> =>
      step.done ? { done: true, value: undefined } : { done: false, value: map(step.value) };
    const pull: AsyncIterableIterator<ReturnType<typeof map>> = {
      next: () => it.next().then(onStep),
      [Symbol.asyncIterator]: () => pull,
    };
    let n = 0;
    for await (const event of pull) if (event.type === 'text-delta') n++;
    return n;
  },
};
const names = Object.keys(shapes);
const cpuOf = async (fn: () => Promise<number>, k: number) => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < k; i++) await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / k;
};
for (let i = 0; i < 300; i++) for (const n of names) await shapes[n]!();
const load0 = loadavg();
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < 21; r++) for (let j = 0; j < names.length; j++) cpu[names[(j + r) % names.length]!]!.push(await cpuOf(shapes[names[(j + r) % names.length]!]!, 100));
const gc = (globalThis as { gc?: () => void }).gc;
console.log(`${N} items per stream, 21 rounds x 100 streams; load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const n of names) {
  let bytes = '';
  if (gc !== undefined) {
    gc();
    const before = getHeapStatistics().used_heap_size;
    for (let i = 0; i < 20; i++) await shapes[n]!();
    bytes = `, ${((getHeapStatistics().used_heap_size - before) / 20 / N).toFixed(0)} B allocated per item`;
  }
  const extra = cpu[n]!.map((x, i) => (x - cpu.direct![i]!) / N);
  const [q1, q3] = quartiles(extra);
  console.log(`${n.padEnd(16)} ${median(cpu[n]!).toFixed(0)} µs CPU per stream; over direct ${median(extra).toFixed(3)} µs per item (IQR ${q1.toFixed(3)}–${q3.toFixed(3)})${bytes}`);
}
