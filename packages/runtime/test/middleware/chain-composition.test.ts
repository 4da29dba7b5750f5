import { EngineError, type EngineAdapter, type EngineRequest } from '@sdl/adapters';
import {
  CircuitBreakers,
  CostTracker,
  createDefaultChain,
  DEFAULT_POLICIES,
  EngineRegistry,
  EngineRouter,
  FakeClock,
  MemoryBreakerStore,
  MemoryRateLimiter,
  MemoryResponseCache,
  MiddlewareChain,
  StreamInterruptedError,
  systemClock,
  tapStream,
  compose,
  type CallContext,
  type CallResult,
  type Middleware,
  type ResolvedPolicies,
} from '@sdl/runtime';
import { describe, expect, it } from 'vitest';
import { withTraits } from '../../src/middleware/stage-traits.js';
import { drain, FakeAdapter, makeContext, policies, type Step } from './support.js';

const limits = { rpm: 100, maxQueue: 10, queueTimeoutMs: 60_000, maxWaitMs: 60_000 };
const chainWithEverything = (clock = new FakeClock()) =>
  createDefaultChain({
    breakers: new CircuitBreakers(new MemoryBreakerStore(), clock),
    limiter: new MemoryRateLimiter(clock),
    cache: new MemoryResponseCache(clock),
    costs: new CostTracker({ describeModel: () => undefined }),
  });

describe('the chain composes only the stages a call needs', () => {
  it.each<[string, ResolvedPolicies, string[]]>([
    ['the defaults', DEFAULT_POLICIES, ['budget', 'circuit-breaker', 'retry', 'timeout', 'metrics']],
    ['redaction rules', policies({ redact: { kinds: ['email'], custom: [] } }), ['redaction', 'budget', 'circuit-breaker', 'retry', 'timeout', 'metrics']],
    ['a cache ttl', policies({ cache: { ttlMs: 1000 } }), ['cache', 'budget', 'circuit-breaker', 'retry', 'timeout', 'metrics']],
    ['a zero cache ttl', policies({ cache: { ttlMs: 0 } }), ['budget', 'circuit-breaker', 'retry', 'timeout', 'metrics']],
    ['engine limits', policies({ engineLimits: limits }), ['budget', 'rate-limit', 'circuit-breaker', 'retry', 'timeout', 'metrics']],
    ['tenant limits', policies({ tenantLimits: limits }), ['budget', 'rate-limit', 'circuit-breaker', 'retry', 'timeout', 'metrics']],
    ['a single attempt', policies({ retry: { ...DEFAULT_POLICIES.retry, maxAttempts: 1 } }), ['budget', 'circuit-breaker', 'timeout', 'metrics']],
  ])('%s', (_, p, expected) => {
    expect(chainWithEverything().activeNames(p)).toEqual(expected);
  });

  it('never leaves out host middleware, and recomposes when the stages change', async () => {
    const seen: string[] = [];
    const host: Middleware = (ctx, next) => {
      seen.push(ctx.engine);
      return next();
    };
    const chain = chainWithEverything().use('host', host, 'outermost');
    expect(chain.activeNames(DEFAULT_POLICIES)[0]).toBe('host');
    const { ctx } = makeContext(new FakeAdapter([{ reply: 'x' }]));
    await chain.run(ctx);
    expect(seen).toEqual(['fake']);
    chain.remove('host');
    await chain.run(makeContext(new FakeAdapter([{ reply: 'y' }]), { policies: ctx.policies }).ctx);
    expect(seen).toEqual(['fake']);
  });

  it('hands a stage that passes its context the composition inside it as `next`, and other middleware a closure per call', async () => {
    const seen: { passing: unknown[]; host: unknown[] } = { passing: [], host: [] };
    const passing = withTraits(
      (ctx, next) => {
        seen.passing.push(next);
        return (next as unknown as (c: CallContext) => Promise<CallResult>)(ctx);
      },
      { passesContext: true },
    );
    const host: Middleware = (ctx, next) => {
      seen.host.push(next);
      return next();
    };
    const terminal = async (ctx: CallContext): Promise<CallResult> => ({ kind: 'response', response: { text: ctx.engine, toolCalls: [], usage: { inputTokens: 0, outputTokens: 0 }, stopReason: 'end', model: 'm' } });
    const run = compose([passing, host], terminal);
    for (const engine of ['a', 'b']) {
      const result = await run(makeContext(new FakeAdapter([]), { engine }).ctx);
      expect(result.kind === 'response' && result.response.text).toBe(engine);
    }
    expect(seen.passing[0]).toBe(seen.passing[1]);
    expect(seen.host[0]).not.toBe(seen.host[1]);
  });

  it('a call with a single attempt counts as attempt 1 without the retry stage', async () => {
    let attempt = -1;
    const chain = chainWithEverything().use('probe', (ctx, next) => ((attempt = ctx.attempt), next()), 'innermost');
    const { ctx } = makeContext(new FakeAdapter([{ error: new EngineError('server', 'boom', { provider: 'openai' }) }]), {
      policies: policies({ retry: { ...DEFAULT_POLICIES.retry, maxAttempts: 1 } }),
    });
    ctx.attempt = 1; // as the router starts every call
    await expect(chain.run(ctx)).rejects.toMatchObject({ kind: 'server' });
    expect(attempt).toBe(1);
  });
});

/** The FakeAdapter declaring, as the SDK adapters do, that it ends calls by `timeoutMs` itself. */
class DeadlineAdapter extends FakeAdapter {
  readonly enforcesTimeout = true;
}

/** A context on the real clock whose request carries the caller's signal (or none), as the router builds it. */
function realClockContext(adapter: EngineAdapter, signal?: AbortSignal, timeoutMs = 5_000): CallContext {
  const { ctx } = makeContext(adapter, { policies: policies({ timeoutMs }) });
  const request: EngineRequest = { ...ctx.request };
  if (signal) request.signal = signal;
  return { ...ctx, clock: systemClock, request, signal: signal ?? new AbortController().signal };
}

describe('one deadline per call: the timeout stage and an adapter that enforces timeoutMs', () => {
  const chain = () =>
    createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), limiter: new MemoryRateLimiter(systemClock) });

  it('hands the adapter the budget and the caller’s own signal, with no signal of the chain’s', async () => {
    const caller = new AbortController();
    const adapter = new DeadlineAdapter([{ reply: 'ok' }]);
    await chain().run(realClockContext(adapter, caller.signal));
    expect(adapter.requests[0]!.signal).toBe(caller.signal);
    expect(adapter.requests[0]!.timeoutMs).toBe(5_000);
  });

  it.each<[string, (c: MiddlewareChain) => MiddlewareChain, boolean, boolean]>([
    ['an adapter that does not declare it', (c) => c, false, true],
    ['host middleware inside the timeout (it may read the attempt’s signal)', (c) => c.use('host', (_, next) => next()), true, true],
    ['host middleware outside the timeout', (c) => c.use('host', (_, next) => next(), 'outermost'), true, false],
  ])('with %s', async (_, arrange, declares, ownSignal) => {
    const caller = new AbortController();
    const adapter = declares ? new DeadlineAdapter([{ reply: 'ok' }]) : new FakeAdapter([{ reply: 'ok' }]);
    await arrange(chain()).run(realClockContext(adapter, caller.signal));
    const sent = adapter.requests[0]!.signal!;
    expect(sent !== caller.signal).toBe(ownSignal);
    expect(adapter.requests[0]!.timeoutMs).toBe(5_000);
  });

  it('on a test clock the stage keeps its own timer (the adapter’s deadline runs on real time)', async () => {
    const adapter = new DeadlineAdapter([{ hang: true }]);
    const { ctx, clock } = makeContext(adapter, { policies: policies({ timeoutMs: 100, retry: { ...DEFAULT_POLICIES.retry, maxAttempts: 1 } }) });
    const result = chain().run(ctx).then(
      () => 'answered',
      (e: EngineError) => e.kind,
    );
    await clock.advance(100);
    expect(await result).toBe('timeout');
  });

  it('through the router: each attempt’s request is its own, and host middleware outside sees the request without the budget', async () => {
    const routed = (arrange: (c: MiddlewareChain) => MiddlewareChain) => {
      const adapter = new DeadlineAdapter([{ error: new EngineError('server', 'boom', { provider: 'openai' }) }, { reply: 'ok' }]);
      const registry = new EngineRegistry([{ name: 'e', provider: 'openai', model: 'm', adapter, config: {} }], 'e');
      const chain = arrange(createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), limiter: new MemoryRateLimiter(systemClock), random: () => 0 }));
      const defaults = { ...DEFAULT_POLICIES, timeoutMs: 5_000, retry: { ...DEFAULT_POLICIES.retry, maxAttempts: 2, baseMs: 1 } };
      return { adapter, router: new EngineRouter({ registry, chain, defaults }) };
    };
    const request = { messages: [{ role: 'user' as const, content: 'hi' }] };
    const plain = routed((c) => c);
    expect((await plain.router.generate({ request })).response.text).toBe('ok');
    expect(plain.adapter.requests).toHaveLength(2);
    expect(plain.adapter.requests[0]).not.toBe(plain.adapter.requests[1]);
    for (const sent of plain.adapter.requests) expect(sent.timeoutMs).toBeGreaterThan(4_000);
    expect(request).toEqual({ messages: [{ role: 'user', content: 'hi' }] });

    const seen: EngineRequest[] = [];
    const hosted = routed((c) => c.use('host', (ctx, next) => (seen.push(ctx.request), next()), 'outermost'));
    expect((await hosted.router.generate({ request })).response.text).toBe('ok');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.timeoutMs).toBeUndefined();
    expect(hosted.adapter.requests.map((r) => r.timeoutMs! > 4_000)).toEqual([true, true]);
  });

  it('a caller signal that has already fired refuses the attempt', async () => {
    const caller = new AbortController();
    caller.abort();
    const adapter = new DeadlineAdapter([{ reply: 'ok' }]);
    await expect(chain().run(realClockContext(adapter, caller.signal))).rejects.toMatchObject({ kind: 'cancelled' });
    expect(adapter.calls).toBe(0);
  });
});

describe('the primed stream: every stage’s hooks on one stream object', () => {
  const streamOf = async (steps: Step[], taps: { name: string; trace: string[] }[] = [], throwIn?: string) => {
    const adapter = new FakeAdapter(steps);
    const stages = taps.map(({ name, trace }) => ({
      name,
      middleware: (async (_ctx, next) => {
        const r = await next();
        if (r.kind !== 'stream') return r;
        return {
          ...r,
          events: tapStream(r.events, {
            onEvent: (e) => {
              if (e.type === 'text-delta') trace.push(`${name}:event:${e.text}`);
            },
            onComplete: (final) => {
              trace.push(`${name}:complete:${final?.text}`);
              if (throwIn === name) throw new Error(`${name} failed`);
            },
            onError: (error) => void trace.push(`${name}:error:${(error as Error).name}`),
            onFinally: () => void trace.push(`${name}:finally`),
          }),
        };
      }) as Middleware,
    }));
    const r = await new MiddlewareChain(stages).run(makeContext(adapter, { streaming: true }).ctx);
    if (r.kind !== 'stream') throw new Error('expected a stream');
    return r.events;
  };

  it('runs the hooks as nested stages would: innermost first, each stage’s complete then finally', async () => {
    const trace: string[] = [];
    const events = await streamOf([{ chunks: ['a', 'b'] }], [{ name: 'outer', trace }, { name: 'inner', trace }]);
    expect(await drain(events)).toEqual({ text: 'ab', stop: true });
    expect(trace).toEqual([
      'inner:event:a',
      'outer:event:a',
      'inner:event:b',
      'outer:event:b',
      'inner:complete:ab',
      'inner:finally',
      'outer:complete:ab',
      'outer:finally',
    ]);
  });

  it('stages that tap the primed stream add no wrapper of their own', async () => {
    const seen: unknown[] = [];
    const stage = (name: string): { name: string; middleware: Middleware } => ({
      name,
      middleware: async (_ctx, next) => {
        const r = await next();
        if (r.kind !== 'stream') return r;
        seen.push(r.events);
        return { ...r, events: tapStream(r.events, {}) };
      },
    });
    const r = await new MiddlewareChain([stage('outer'), stage('inner')]).run(makeContext(new FakeAdapter([{ chunks: ['a'] }]), { streaming: true }).ctx);
    if (r.kind !== 'stream') throw new Error('expected a stream');
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(r.events).toBe(seen[0]);
  });

  it('a hook that fails on completion becomes the error every outer stage sees', async () => {
    const trace: string[] = [];
    const events = await streamOf([{ chunks: ['a'] }], [{ name: 'outer', trace }, { name: 'inner', trace }], 'inner');
    const out = await drain(events);
    expect((out.error as Error).message).toBe('inner failed');
    expect(trace.slice(-5)).toEqual(['inner:complete:a', 'inner:error:Error', 'inner:finally', 'outer:error:Error', 'outer:finally']);
  });

  it('a failure after the first delta reaches every stage and the consumer as StreamInterruptedError', async () => {
    const trace: string[] = [];
    const events = await streamOf([{ chunks: ['a', 'b'], failAfter: 1, error: new EngineError('server', 'cut', { provider: 'openai' }) }], [{ name: 'outer', trace }, { name: 'inner', trace }]);
    const out = await drain(events);
    expect(out.text).toBe('a');
    expect(out.error).toBeInstanceOf(StreamInterruptedError);
    expect((out.error as StreamInterruptedError).deliveredText).toBe('a');
    expect(trace.slice(-4)).toEqual(['inner:error:StreamInterruptedError', 'inner:finally', 'outer:error:StreamInterruptedError', 'outer:finally']);
  });

  it('a consumer that stops early closes the adapter’s stream and runs every finally once', async () => {
    const trace: string[] = [];
    let closed = 0;
    const adapter = {
      provider: 'openai' as const,
      generate: () => Promise.reject(new Error('unused')),
      stream: () => ({
        [Symbol.asyncIterator]() {
          let i = 0;
          return {
            next: async () => ({ done: false as const, value: { type: 'text-delta' as const, text: `t${i++}` } }),
            return: async () => {
              closed++;
              return { done: true as const, value: undefined };
            },
          };
        },
      }),
    };
    const stage: Middleware = async (_ctx, next) => {
      const r = await next();
      return r.kind === 'stream' ? { ...r, events: tapStream(r.events, { onFinally: () => void trace.push('finally') }) } : r;
    };
    const r = await new MiddlewareChain([{ name: 's', middleware: stage }]).run(makeContext(adapter, { streaming: true }).ctx);
    if (r.kind !== 'stream') throw new Error('expected a stream');
    const seen: string[] = [];
    for await (const e of r.events) {
      if (e.type === 'text-delta') seen.push(e.text);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['t0', 't1', 't2']);
    expect(closed).toBe(1);
    expect(trace).toEqual(['finally']);
  });

  it('a stage that taps a stream already being read wraps it instead, and still sees the rest', async () => {
    const trace: string[] = [];
    const events = await streamOf([{ chunks: ['a', 'b', 'c'] }]);
    const iterator = events[Symbol.asyncIterator]();
    const first = await iterator.next(); // the usage event
    expect(first.done).toBe(false);
    const late = tapStream({ [Symbol.asyncIterator]: () => iterator }, { onEvent: (e) => void (e.type === 'text-delta' && trace.push(e.text)), onFinally: () => void trace.push('end') });
    expect(await drain(late)).toEqual({ text: 'abc', stop: true });
    expect(trace).toEqual(['a', 'b', 'c', 'end']);
  });
});
