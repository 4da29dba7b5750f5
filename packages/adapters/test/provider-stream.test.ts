import { describe, expect, it } from 'vitest';
import { EngineError } from '../src/errors.js';
import { DRAIN_STREAM, drainStream, ProviderStream, type EventSink, type OpenedCall } from '../src/shared/provider-stream.js';
import type { StreamEvent } from '../src/types.js';

/** A wire event of the fake SDK: text to emit, or an instruction to the reader. */
type Raw = { text?: string; twice?: boolean; fail?: string };

/** An SDK-like event stream over `raws` that records what the stream did to it. */
function sdkStream(raws: Raw[], options: { failAt?: number } = {}) {
  const log: string[] = [];
  let i = 0;
  const iterator: AsyncIterator<Raw> = {
    next: async () => {
      if (options.failAt === i) throw new Error('socket reset');
      return i < raws.length ? { done: false, value: raws[i++]! } : { done: true, value: undefined };
    },
    return: async () => {
      log.push('closed');
      return { done: true, value: undefined };
    },
  };
  return { log, events: { [Symbol.asyncIterator]: () => iterator } };
}

const reader = {
  read(raw: Raw, out: EventSink) {
    if (raw.text !== undefined) out.push({ type: 'text-delta', text: raw.text });
    if (raw.twice) out.push({ type: 'text-delta', text: `${raw.text}!` });
    if (raw.fail) throw new Error(raw.fail);
  },
  finish(out: EventSink) {
    out.push({ type: 'stop', response: { text: 'done', toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 }, stopReason: 'end', model: 'm' } });
  },
};

function stream(raws: Raw[], options: { failAt?: number } = {}) {
  const sdk = sdkStream(raws, options);
  const disposed: number[] = [];
  let opened = 0;
  const s = new ProviderStream<Raw>(async () => {
    opened++;
    const call: OpenedCall<Raw> = {
      events: sdk.events,
      reader,
      toEngineError: (err) => new EngineError('server', `mapped: ${(err as Error).message}`, { provider: 'test' }),
      dispose: () => disposed.push(1),
    };
    return call;
  });
  return { s, log: sdk.log, disposed, opened: () => opened };
}

const texts = (events: StreamEvent[]) => events.map((e) => (e.type === 'text-delta' ? e.text : e.type));

async function collect(events: AsyncIterable<StreamEvent>): Promise<{ seen: StreamEvent[]; error?: unknown }> {
  const seen: StreamEvent[] = [];
  try {
    for await (const e of events) seen.push(e);
    return { seen };
  } catch (error) {
    return { seen, error };
  }
}

async function drained(events: AsyncIterable<StreamEvent>): Promise<{ seen: StreamEvent[]; error?: unknown }> {
  const seen: StreamEvent[] = [];
  try {
    await drainStream(events, (e) => seen.push(e));
    return { seen };
  } catch (error) {
    return { seen, error };
  }
}

describe('ProviderStream', () => {
  for (const [how, read] of [
    ['iterated', collect],
    ['drained', drained],
  ] as const) {
    it(`${how}: delivers every event in order, the closing ones last, and disposes the call once`, async () => {
      const { s, disposed, log } = stream([{ text: 'a' }, {}, { text: 'b', twice: true }, { text: 'c' }]);
      const { seen, error } = await read(s);
      expect(error).toBeUndefined();
      expect(texts(seen)).toEqual(['a', 'b', 'b!', 'c', 'stop']);
      expect(disposed).toEqual([1]);
      expect(log).toEqual([]);
    });

    it(`${how}: events a wire event made before the reader threw come first, then the mapped error; the SDK stream is closed`, async () => {
      const { s, disposed, log } = stream([{ text: 'a' }, { text: 'b', twice: true, fail: 'bad event' }, { text: 'never' }]);
      const { seen, error } = await read(s);
      expect(texts(seen)).toEqual(['a', 'b', 'b!']);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as Error).message).toBe('mapped: bad event');
      expect(log).toEqual(['closed']);
      expect(disposed).toEqual([1]);
    });

    it(`${how}: a failing SDK stream ends with the mapped error and is not closed again`, async () => {
      const { s, disposed, log } = stream([{ text: 'a' }, { text: 'b' }], { failAt: 1 });
      const { seen, error } = await read(s);
      expect(texts(seen)).toEqual(['a']);
      expect((error as Error).message).toBe('mapped: socket reset');
      expect(log).toEqual([]);
      expect(disposed).toEqual([1]);
      await expect(s.next()).resolves.toEqual({ done: true, value: undefined });
    });
  }

  it('sends nothing until the first read, and a return() before it sends nothing at all', async () => {
    const { s, opened, disposed } = stream([{ text: 'a' }]);
    expect(opened()).toBe(0);
    await expect(s.return()).resolves.toEqual({ done: true, value: undefined });
    await expect(s.next()).resolves.toEqual({ done: true, value: undefined });
    expect(opened()).toBe(0);
    expect(disposed).toEqual([]);
  });

  it('return() mid-stream closes the SDK stream, disposes the call, and ends the iteration', async () => {
    const { s, log, disposed } = stream([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    const seen: string[] = [];
    for await (const e of s) {
      if (e.type === 'text-delta') seen.push(e.text);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['a', 'b']);
    expect(log).toEqual(['closed']);
    expect(disposed).toEqual([1]);
    await expect(s.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('a listener that throws while draining gets its own error back, and the stream is closed', async () => {
    const { s, log, disposed } = stream([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    const seen: string[] = [];
    const boom = new Error('listener failed');
    await expect(
      drainStream(s, (e) => {
        if (e.type === 'text-delta') seen.push(e.text);
        if (seen.length === 2) throw boom;
      }),
    ).rejects.toBe(boom);
    expect(seen).toEqual(['a', 'b']);
    expect(log).toEqual(['closed']);
    expect(disposed).toEqual([1]);
  });

  it('a failure to send is raised as the adapter reported it, and the stream is over', async () => {
    const refused = new EngineError('auth', 'bad key', { provider: 'test' });
    const s = new ProviderStream<Raw>(() => Promise.reject(refused));
    await expect(s.next()).rejects.toBe(refused);
    await expect(s.next()).resolves.toEqual({ done: true, value: undefined });
    const again = new ProviderStream<Raw>(() => Promise.reject(refused));
    await expect(again[DRAIN_STREAM](() => {})).rejects.toBe(refused);
  });

  it('drains after being primed with next(): nothing is lost or repeated', async () => {
    const { s } = stream([{ text: 'a', twice: true }, { text: 'b' }]);
    const first = await s.next();
    const rest: StreamEvent[] = [];
    await s[DRAIN_STREAM]((e) => rest.push(e));
    expect(texts([first.value as StreamEvent, ...rest])).toEqual(['a', 'a!', 'b', 'stop']);
  });
});
