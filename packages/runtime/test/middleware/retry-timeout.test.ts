import { EngineError } from '@sdl/adapters';
import {
  backoffDelay,
  MiddlewareChain,
  retryMiddleware,
  StreamInterruptedError,
  timeoutMiddleware,
  type CallResult,
  type RetryPolicy,
} from '@sdl/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drain, engineError, FakeAdapter, makeContext, policies, type Step } from './support.js';

const retryPolicy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxAttempts: 4,
  baseMs: 100,
  maxMs: 10_000,
  jitter: 'full',
  maxRetryAfterMs: 5_000,
  ...over,
});

function setup(steps: Step[], over: Partial<RetryPolicy> = {}, extra: Parameters<typeof makeContext>[1] = {}) {
  const adapter = new FakeAdapter(steps);
  const chain = new MiddlewareChain([
    { name: 'retry', middleware: retryMiddleware({ random: () => 0.5 }) },
    { name: 'timeout', middleware: timeoutMiddleware() },
  ]);
  const t = makeContext(adapter, { policies: policies({ retry: retryPolicy(over), timeoutMs: 1_000 }), ...extra });
  const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));
  return { adapter, chain, ...t, settle };
}

const text = (r: CallResult) => (r.kind === 'response' ? r.response.text : '');

describe('backoffDelay', () => {
  it('full jitter stays within [0, min(max, base*2^(n-1)))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
        const p = retryPolicy();
        const d = backoffDelay(p, n, 0, () => r);
        return d >= 0 && d < Math.min(p.maxMs, p.baseMs * 2 ** (n - 1));
      }),
    );
  });
  it('decorrelated jitter stays within [base, min(max, prev*3)]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 20_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (prev, r) => {
        const p = retryPolicy({ jitter: 'decorrelated' });
        const d = backoffDelay(p, 3, prev, () => r);
        return d >= p.baseMs && d <= Math.min(p.maxMs, prev * 3);
      }),
    );
  });
  it('proportional jitter (a number in the skill) keeps 1-j..1 of the exponential delay', () => {
    const p = retryPolicy({ jitter: { proportional: 0.1 } });
    expect(backoffDelay(p, 3, 0, () => 0)).toBe(360);
    expect(backoffDelay(p, 3, 0, () => 1)).toBe(400);
  });
});

describe('retry middleware (fake clock)', () => {
  it('backs off exponentially with full jitter and succeeds', async () => {
    const { chain, ctx, clock, events, adapter, settle } = setup([{ error: engineError('server') }, { error: engineError('overloaded') }, { reply: 'ok' }]);
    const result = settle(chain.run(ctx));
    await clock.advance(0);
    expect(adapter.calls).toBe(1);
    await clock.advance(49); // first retry after random(0.5) * 100 = 50 ms
    expect(adapter.calls).toBe(1);
    await clock.advance(1);
    expect(adapter.calls).toBe(2);
    await clock.advance(100); // second: 0.5 * 200
    const r = await result;
    expect(r.ok && text(r.v)).toBe('ok');
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { delayMs: number }).delayMs)).toEqual([50, 100]);
  });

  it.each([
    ['invalid_request'],
    ['auth'],
    ['context_length'],
    ['content_filter'],
  ] as const)('does not retry %s', async (kind) => {
    const { chain, ctx, adapter } = setup([{ error: engineError(kind) }, { reply: 'never' }]);
    await expect(chain.run(ctx)).rejects.toMatchObject({ kind });
    expect(adapter.calls).toBe(1);
  });

  it('gives up after max_attempts with the last error', async () => {
    const { chain, ctx, clock, adapter, settle } = setup([{ error: engineError('network') }], { maxAttempts: 3 });
    const result = settle(chain.run(ctx));
    await clock.runAll();
    const r = await result;
    expect(r.ok).toBe(false);
    expect(!r.ok && (r.e as EngineError).kind).toBe('network');
    expect(adapter.calls).toBe(3);
  });

  it('honours retryAfterMs from the error when longer than the backoff', async () => {
    const { chain, ctx, clock, adapter, events, settle } = setup([{ error: engineError('rate_limited', 2_000) }, { reply: 'ok' }]);
    const result = settle(chain.run(ctx));
    await clock.advance(1_999);
    expect(adapter.calls).toBe(1);
    await clock.advance(1);
    expect((await result).ok).toBe(true);
    expect(events[0]).toMatchObject({ type: 'retry', delayMs: 2_000, errorKind: 'rate_limited' });
  });

  it('fails at once when retry-after exceeds the cap (so the router can fail over)', async () => {
    const { chain, ctx, adapter } = setup([{ error: engineError('rate_limited', 60_000) }, { reply: 'ok' }]);
    await expect(chain.run(ctx)).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(adapter.calls).toBe(1);
  });

  it('never sleeps past the overall deadline', async () => {
    const clock0 = 1_700_000_000_000;
    const { chain, ctx, adapter, clock, settle } = setup([{ error: engineError('server') }], { maxAttempts: 10 }, { deadline: clock0 + 120 });
    const result = settle(chain.run(ctx));
    await clock.runAll();
    expect((await result).ok).toBe(false);
    // 50 ms, then 100 ms would end at 150 > 120: two attempts only.
    expect(adapter.calls).toBe(2);
  });

  it('retries a stream that fails before its first delta, and yields its text once', async () => {
    const { chain, adapter, clock, settle } = setup([{ chunks: ['a', 'b'], failAfter: 0, error: engineError('server') }, { chunks: ['a', 'b'] }]);
    const { ctx } = makeContext(adapter, { streaming: true, clock, policies: policies({ retry: retryPolicy(), timeoutMs: 1000 }) });
    const result = settle(chain.run(ctx));
    await clock.advance(50); // one backoff; the attempt timer keeps running until the stream ends
    const r = await result;
    expect(r.ok).toBe(true);
    if (r.ok && r.v.kind === 'stream') expect(await drain(r.v.events)).toEqual({ text: 'ab', stop: true });
    expect(adapter.calls).toBe(2);
  });

  it('does not retry after the first delta: the caller gets StreamInterruptedError, no duplicated text', async () => {
    const { chain, adapter, clock } = setup([{ chunks: ['a', 'b', 'c'], failAfter: 2, error: engineError('server') }, { chunks: ['x'] }]);
    const { ctx } = makeContext(adapter, { streaming: true, clock, policies: policies({ retry: retryPolicy(), timeoutMs: 1000 }) });
    const r = await chain.run(ctx);
    if (r.kind !== 'stream') throw new Error('expected stream');
    const out = await drain(r.events);
    expect(out.text).toBe('ab');
    expect(out.error).toBeInstanceOf(StreamInterruptedError);
    expect((out.error as StreamInterruptedError).deliveredText).toBe('ab');
    expect(((out.error as StreamInterruptedError).cause as EngineError).kind).toBe('server');
    expect(adapter.calls).toBe(1);
  });

  it('stops waiting when the caller aborts', async () => {
    const controller = new AbortController();
    const { chain, ctx, clock, adapter, settle } = setup([{ error: engineError('server') }, { reply: 'ok' }], {}, { signal: controller.signal });
    const result = settle(chain.run(ctx));
    await clock.advance(10);
    controller.abort(new Error('user cancelled'));
    const r = await result;
    expect(r.ok).toBe(false);
    expect(adapter.calls).toBe(1);
  });
});

describe('timeout middleware (fake clock)', () => {
  it('turns a hung attempt into EngineError("timeout") and retries it', async () => {
    const { chain, ctx, clock, adapter, settle } = setup([{ hang: true }, { reply: 'second' }]);
    const result = settle(chain.run(ctx));
    await clock.advance(999);
    expect(adapter.calls).toBe(1);
    await clock.advance(1);
    expect(adapter.requests[0]!.signal!.aborted).toBe(true);
    expect((adapter.requests[0]!.signal!.reason as EngineError).kind).toBe('timeout');
    await clock.runAll();
    const r = await result;
    expect(r.ok && text(r.v)).toBe('second');
  });

  it('passes the attempt timeout to the adapter and bounds it by the deadline', async () => {
    const start = new Date(1_700_000_000_000).getTime();
    const { chain, ctx, adapter } = setup([{ reply: 'ok' }], {}, { deadline: start + 300 });
    await chain.run(ctx);
    expect(adapter.requests[0]!.timeoutMs).toBe(300);
  });

  it('a mid-stream timeout reaches the consumer as StreamInterruptedError', async () => {
    const { chain, clock } = setup([]);
    const adapter = {
      provider: 'openai' as const,
      generate: () => Promise.reject(new Error('unused')),
      async *stream() {
        yield { type: 'text-delta' as const, text: 'partial' };
        await new Promise(() => {});
      },
    };
    const { ctx } = makeContext(adapter, { streaming: true, clock, policies: policies({ retry: retryPolicy(), timeoutMs: 500 }) });
    const r = await chain.run(ctx);
    if (r.kind !== 'stream') throw new Error('expected stream');
    const out = drain(r.events);
    await clock.advance(500);
    const done = await out;
    expect(done.text).toBe('partial');
    expect(done.error).toBeInstanceOf(StreamInterruptedError);
  });
});
