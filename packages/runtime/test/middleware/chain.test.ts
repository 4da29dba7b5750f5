import { describe, expect, it } from 'vitest';
import {
  CircuitBreakers,
  CostTracker,
  createDefaultChain,
  FakeClock,
  MemoryBreakerStore,
  MemoryRateLimiter,
  MemoryResponseCache,
  MiddlewareChain,
  rateLimitMiddleware,
  resolvePolicies,
  type Middleware,
  type RateLimiter,
} from '@sdl/runtime';
import { drain, FakeAdapter, makeContext, policies } from './support.js';

describe('the default chain', () => {
  const clock = new FakeClock();
  const make = () =>
    createDefaultChain({
      breakers: new CircuitBreakers(new MemoryBreakerStore(), clock),
      limiter: new MemoryRateLimiter(clock),
      cache: new MemoryResponseCache(clock),
      costs: new CostTracker({ describeModel: () => undefined }),
    });

  it('has the documented order', () => {
    expect(make().names()).toEqual(['redaction', 'cache', 'budget', 'rate-limit', 'circuit-breaker', 'retry', 'timeout', 'metrics']);
  });

  it('lets hosts insert middleware at named positions, and runs it as an onion', async () => {
    const trace: string[] = [];
    const mark =
      (name: string): Middleware =>
      async (_ctx, next) => {
        trace.push(`>${name}`);
        const r = await next();
        trace.push(`<${name}`);
        return r;
      };
    const chain = make()
      .use('outer', mark('outer'), 'outermost')
      .use('audit', mark('audit'), { after: 'redaction' })
      .use('per-attempt', mark('per-attempt'), { before: 'timeout' })
      .use('inner', mark('inner'), 'innermost');
    expect(chain.names()).toEqual(['outer', 'redaction', 'audit', 'cache', 'budget', 'rate-limit', 'circuit-breaker', 'retry', 'per-attempt', 'timeout', 'metrics', 'inner']);
    await chain.run(makeContext(new FakeAdapter([{ reply: 'x' }]), { clock }).ctx);
    expect(trace).toEqual(['>outer', '>audit', '>per-attempt', '>inner', '<inner', '<per-attempt', '<audit', '<outer']);
    expect(() => chain.use('x', mark('x'), { before: 'nope' })).toThrow(/no middleware named "nope"/);
    expect(() => chain.use('audit', mark('audit'))).toThrow(/already/);
  });
});

describe('policy resolution', () => {
  it('takes the stricter bound and keeps engine and tenant limits apart', () => {
    const p = resolvePolicies(
      { retry: { max_attempts: 6, base_ms: 200 }, timeout_ms: 10_000, rate_limit: { rpm: 10 }, budget: { max_cost_usd: 2 } },
      { retry: { max_attempts: 3 }, timeout_ms: 20_000, limits: { rpm: 500, tpm: 40_000, concurrency: 8 } },
    );
    expect(p.retry.maxAttempts).toBe(3);
    expect(p.retry.baseMs).toBe(200);
    expect(p.timeoutMs).toBe(10_000);
    expect(p.engineLimits).toMatchObject({ rpm: 500, tpm: 40_000, concurrency: 8 });
    expect(p.tenantLimits).toMatchObject({ rpm: 10 });
    expect(p.budget.runUsd).toBe(2);
    expect(p.retry.jitter).toBe('full');
    expect(resolvePolicies({ retry: { jitter: 0.1 } }, undefined).retry.jitter).toEqual({ proportional: 0.1 });
  });
});

describe('rate-limit middleware', () => {
  it('takes an engine slot and a tenant slot, emits rate-limit-wait, and holds slots until a stream ends', async () => {
    const clock = new FakeClock();
    const limiter = new MemoryRateLimiter(clock);
    const chain = new MiddlewareChain([{ name: 'rate-limit', middleware: rateLimitMiddleware(limiter) }]);
    const adapter = new FakeAdapter([{ chunks: ['a', 'b'] }, { reply: 'second' }]);
    const p = policies({
      engineLimits: { concurrency: 1, maxQueue: 10, queueTimeoutMs: 60_000, maxWaitMs: 60_000 },
      tenantLimits: { rpm: 100, maxQueue: 10, queueTimeoutMs: 60_000, maxWaitMs: 60_000 },
    });
    const first = makeContext(adapter, { clock, streaming: true, policies: p, tenant: 'acme' });
    const stream = await chain.run(first.ctx);
    const second = makeContext(adapter, { clock, policies: p, tenant: 'acme' });
    let done = false;
    const pending = chain.run(second.ctx).then(() => (done = true));
    await clock.advance(0);
    expect(done).toBe(false); // the stream still holds the engine's only slot
    expect(second.events).toEqual([{ type: 'rate-limit-wait', engine: 'fake', scope: 'engine', key: 'engine:fake', queued: 1 }]);
    if (stream.kind === 'stream') await drain(stream.events);
    await pending;
    expect(done).toBe(true);
    expect(limiter.queueDepth('engine:fake')).toBe(0);
  });

  it('warms the adapter up (loads its SDK) before it takes a slot, so a granted call is sent at once', async () => {
    const clock = new FakeClock();
    const memory = new MemoryRateLimiter(clock);
    const order: string[] = [];
    const limiter: RateLimiter = {
      acquire: (request) => {
        order.push('acquire');
        return memory.acquire(request);
      },
      queueDepth: (key) => memory.queueDepth(key),
    };
    let loaded!: () => void;
    const adapter = Object.assign(new FakeAdapter([{ reply: 'ok' }]), {
      warm: false,
      warmUp(this: { warm: boolean }): Promise<void> | undefined {
        if (this.warm) return undefined;
        order.push('warm-up');
        return new Promise<void>((resolve) => (loaded = () => ((this.warm = true), order.push('loaded'), resolve())));
      },
    });
    const chain = new MiddlewareChain([{ name: 'rate-limit', middleware: rateLimitMiddleware(limiter) }]);
    const p = policies({ engineLimits: { rpm: 60, maxQueue: 10, queueTimeoutMs: 60_000, maxWaitMs: 60_000 } });
    const first = chain.run(makeContext(adapter, { clock, policies: p }).ctx);
    await clock.advance(0);
    expect(order).toEqual(['warm-up']); // no slot taken while the SDK loads
    loaded();
    await expect(first).resolves.toMatchObject({ kind: 'response' });
    await expect(chain.run(makeContext(adapter, { clock, policies: p }).ctx)).resolves.toMatchObject({ kind: 'response' });
    expect(order).toEqual(['warm-up', 'loaded', 'acquire', 'acquire']); // warm: straight to the limiter
  });

  it('releases its slots when the call fails', async () => {
    const clock = new FakeClock();
    const limiter = new MemoryRateLimiter(clock);
    const chain = new MiddlewareChain([{ name: 'rate-limit', middleware: rateLimitMiddleware(limiter) }]);
    const adapter = new FakeAdapter([{ error: new (await import('@sdl/adapters')).EngineError('server', 'x', { provider: 'openai' }) }, { reply: 'ok' }]);
    const p = policies({ engineLimits: { concurrency: 1, maxQueue: 0, queueTimeoutMs: 1, maxWaitMs: 1 } });
    await expect(chain.run(makeContext(adapter, { clock, policies: p }).ctx)).rejects.toMatchObject({ kind: 'server' });
    await expect(chain.run(makeContext(adapter, { clock, policies: p }).ctx)).resolves.toMatchObject({ kind: 'response' });
  });
});

describe('every stage on a stream', () => {
  it('runs a stream through the full default chain: limited, metered, costed, cached, replayed', async () => {
    const clock = new FakeClock();
    const { createMetrics } = await import('@sdl/runtime');
    const metrics = createMetrics();
    const limiter = new MemoryRateLimiter(clock);
    const costs = new CostTracker({
      describeModel: (provider, id) => ({ provider, id, contextWindow: 1000, maxOutputTokens: 100, features: [], pricing: { inputPerMTok: 1_000_000, outputPerMTok: 0 } }),
    });
    const chain = createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), clock, metrics), limiter, cache: new MemoryResponseCache(clock), costs });
    const adapter = new FakeAdapter([{ chunks: ['my mail is ', 'x'] }, { reply: 'not used' }]);
    const p = policies({
      cache: { ttlMs: 60_000 },
      engineLimits: { concurrency: 1, maxQueue: 0, queueTimeoutMs: 1, maxWaitMs: 1 },
      redact: { kinds: ['email'], custom: [] },
      budget: { runUsd: 1_000 },
    });
    const run = async () => {
      const t = makeContext(adapter, { clock, streaming: true, policies: p, runId: 'r' });
      Object.assign(t.ctx, { metrics });
      t.ctx.request = { ...t.ctx.request, messages: [{ role: 'user', content: 'write to a@b.co' }], maxTokens: 10 };
      const r = await chain.run(t.ctx);
      if (r.kind !== 'stream') throw new Error('expected a stream');
      return { out: await drain(r.events), cached: r.cached };
    };
    expect(await run()).toEqual({ out: { text: 'my mail is x', stop: true }, cached: undefined });
    expect(adapter.requests[0]!.messages[0]!.content).toBe('write to [REDACTED:email]');
    expect(costs.run('r').usd).toBe(10); // the fake's usage: 10 input tokens at $1 each
    expect(await run()).toEqual({ out: { text: 'my mail is x', stop: true }, cached: true });
    expect(adapter.calls).toBe(1);
    expect(costs.run('r').calls).toBe(1); // a cache hit costs nothing
    const text = await metrics.registry.metrics();
    expect(text).toContain('sdl_engine_call_duration_seconds_count{engine="fake",model="fake-model",outcome="ok"} 1');
    expect(text).toContain('sdl_cache_requests_total{result="hit"} 1');
    expect(text).toContain('sdl_circuit_breaker_state{engine="fake"} 0');
    // The engine's only slot was released when the first stream ended (maxQueue 0 would refuse otherwise).
    await expect(limiter.acquire({ key: 'engine:fake', limits: p.engineLimits!, tokens: 1 })).resolves.toBeDefined();
  });
});
