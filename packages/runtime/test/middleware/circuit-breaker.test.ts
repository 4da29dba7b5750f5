import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  admit,
  CircuitBreakers,
  circuitBreakerMiddleware,
  CircuitOpenError,
  closedRecord,
  createMetrics,
  FakeClock,
  MemoryBreakerStore,
  MiddlewareChain,
  recordOutcome,
  RedisBreakerStore,
  type BreakerPolicy,
  type BreakerStore,
} from '@sdl/runtime';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';
import { drain, engineError, FakeAdapter, makeContext, policies, type Step } from './support.js';

const breakerPolicy = (over: Partial<BreakerPolicy> = {}): BreakerPolicy => ({
  mode: 'consecutive',
  failures: 3,
  failureRate: 0.5,
  windowMs: 10_000,
  minimumCalls: 4,
  resetMs: 5_000,
  halfOpenCalls: 1,
  ...over,
});

function breakerContract(makeStore: () => BreakerStore) {
  let n = 0;
  const setup = (steps: Step[], over: Partial<BreakerPolicy> = {}) => {
    const clock = new FakeClock();
    const metrics = createMetrics();
    const breakers = new CircuitBreakers(makeStore(), clock, metrics);
    const chain = new MiddlewareChain([{ name: 'circuit-breaker', middleware: circuitBreakerMiddleware(breakers) }]);
    const adapter = new FakeAdapter(steps);
    const engine = `engine-${++n}-${Date.now()}`;
    const events: unknown[] = [];
    const call = (streaming = false) => {
      const t = makeContext(adapter, { clock, engine, streaming, policies: policies({ breaker: breakerPolicy(over) }) });
      t.ctx.emit = (e) => events.push(e);
      return chain.run(t.ctx);
    };
    return { clock, breakers, adapter, engine, call, events, metrics };
  };

  it('consecutive mode: opens after N failures in a row, fails fast, then half-opens and closes on a good probe', async () => {
    const s = setup([{ error: engineError('server') }, { error: engineError('server') }, { error: engineError('server') }, { reply: 'ok' }]);
    for (let i = 0; i < 3; i++) await expect(s.call()).rejects.toMatchObject({ kind: 'server' });
    expect(await s.breakers.state(s.engine)).toBe('open');
    const refused = await s.call().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as CircuitOpenError).retryInMs).toBe(5_000);
    expect(s.adapter.calls).toBe(3); // the open breaker did not call the engine
    expect((await s.metrics.registry.getSingleMetric('sdl_circuit_breaker_state')!.get()).values[0]!.value).toBe(2);

    await s.clock.advance(5_000);
    await expect(s.call()).resolves.toMatchObject({ kind: 'response' });
    expect(await s.breakers.state(s.engine)).toBe('closed');
    expect(s.events).toEqual([
      { type: 'breaker-state', engine: s.engine, from: 'closed', to: 'open' },
      { type: 'breaker-state', engine: s.engine, from: 'open', to: 'half-open' },
      { type: 'breaker-state', engine: s.engine, from: 'half-open', to: 'closed' },
    ]);
  });

  it('a success resets the consecutive count', async () => {
    const s = setup([{ error: engineError('server') }, { error: engineError('server') }, { reply: 'ok' }, { error: engineError('server') }, { error: engineError('server') }]);
    for (let i = 0; i < 5; i++) await s.call().catch(() => {});
    expect(await s.breakers.state(s.engine)).toBe('closed');
  });

  it('a failed half-open probe opens it again, and only one probe goes through at a time', async () => {
    const s = setup([{ error: engineError('overloaded') }, { error: engineError('overloaded') }, { error: engineError('overloaded') }, { hang: true }]);
    for (let i = 0; i < 3; i++) await s.call().catch(() => {});
    await s.clock.advance(5_000);
    const controller = new AbortController();
    const t = makeContext(s.adapter, { clock: s.clock, engine: s.engine, signal: controller.signal, policies: policies({ breaker: breakerPolicy() }) });
    const chain = new MiddlewareChain([{ name: 'cb', middleware: circuitBreakerMiddleware(s.breakers) }]);
    // The probe hangs; a second call meanwhile is refused.
    const probe = chain.run({ ...t.ctx, request: { ...t.ctx.request, signal: controller.signal } }).catch((e: unknown) => e);
    await s.clock.advance(0);
    expect(await s.call().catch((e: unknown) => e)).toBeInstanceOf(CircuitOpenError);
    controller.abort(engineError('timeout'));
    expect(await probe).toMatchObject({ kind: 'timeout' });
    expect(await s.breakers.state(s.engine)).toBe('open');
  });

  it('failure-rate mode: opens when the failure ratio over the window reaches the threshold', async () => {
    const s = setup(
      [{ reply: 'a' }, { error: engineError('server') }, { reply: 'b' }, { error: engineError('timeout') }],
      { mode: 'failure_rate', failureRate: 0.5, minimumCalls: 4, failures: 100 },
    );
    for (let i = 0; i < 3; i++) await s.call().catch(() => {});
    expect(await s.breakers.state(s.engine)).toBe('closed'); // 3 calls < minimum
    await s.call().catch(() => {});
    expect(await s.breakers.state(s.engine)).toBe('open'); // 2 of 4 failed
  });

  it('failure-rate mode: old outcomes leave the window', async () => {
    const s = setup(
      [{ error: engineError('server') }, { error: engineError('server') }, { reply: 'a' }, { reply: 'b' }, { reply: 'c' }, { error: engineError('server') }],
      { mode: 'failure_rate', failureRate: 0.5, minimumCalls: 4, failures: 100, windowMs: 10_000 },
    );
    await s.call().catch(() => {});
    await s.call().catch(() => {});
    await s.clock.advance(11_000); // the two failures age out
    for (let i = 0; i < 4; i++) await s.call().catch(() => {});
    expect(await s.breakers.state(s.engine)).toBe('closed'); // 1 of 4 in the window
  });

  it.each(['invalid_request', 'auth', 'rate_limited', 'content_filter'] as const)('does not count %s against the engine', async (kind) => {
    const s = setup([{ error: engineError(kind) }]);
    for (let i = 0; i < 5; i++) await s.call().catch(() => {});
    expect(await s.breakers.state(s.engine)).toBe('closed');
  });

  it('counts a stream that fails mid-way, after its end', async () => {
    const s = setup([{ chunks: ['a', 'b'], failAfter: 1, error: engineError('network') }]);
    for (let i = 0; i < 3; i++) {
      const r = await s.call(true);
      if (r.kind === 'stream') await drain(r.events);
    }
    expect(await s.breakers.state(s.engine)).toBe('open');
  });
}

describe('circuit breaker (memory store)', () => {
  breakerContract(() => new MemoryBreakerStore());
});

describeWithRedis('circuit breaker (Redis store)', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `sdl-test:cb:${process.pid}:${Date.now()}:`;
  const stores: RedisBreakerStore[] = [];
  afterAll(async () => {
    for (const s of stores) s.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  breakerContract(() => {
    const store = new RedisBreakerStore(redis, prefix);
    stores.push(store);
    return store;
  });

  it('is shared: a breaker opened through one store is open for another process', async () => {
    const clock = new FakeClock();
    const aStore = new RedisBreakerStore(redis, prefix);
    stores.push(aStore);
    const a = new CircuitBreakers(aStore, clock);
    const bStore = new RedisBreakerStore(redis, prefix);
    stores.push(bStore);
    const b = new CircuitBreakers(bStore, clock);
    const policy = breakerPolicy();
    for (let i = 0; i < 3; i++) await a.record('shared-engine', policy, 'failure', false);
    expect(await b.state('shared-engine')).toBe('open');
    expect((await b.admit('shared-engine', policy)).allowed).toBe(false);
  });
});

describe('breaker transitions read the time only when they need it', () => {
  const policy = policies().breaker;
  it('a closed breaker admits and keeps a success without reading it; opening and an open breaker read it', () => {
    let reads = 0;
    const now = () => (reads++, 1_000);
    const record = closedRecord();
    expect(admit(record, policy, now).allowed).toBe(true);
    expect(recordOutcome(record, policy, now, 'success', false)).toEqual({ from: 'closed', to: 'closed' });
    expect(reads).toBe(0);
    for (let i = 0; i < policy.failures; i++) recordOutcome(record, policy, now, 'failure', false);
    expect(record).toMatchObject({ state: 'open', openedAt: 1_000 });
    expect(reads).toBe(1);
    expect(admit(record, policy, now)).toMatchObject({ allowed: false, retryInMs: policy.resetMs });
    expect(reads).toBe(2);
    expect(admit(record, policy, 1_000 + policy.resetMs)).toMatchObject({ allowed: true, probe: true, from: 'open', to: 'half-open' });
  });
  it('failure-rate mode reads it once per outcome, for its window', () => {
    let reads = 0;
    const rate = { ...policy, mode: 'failure_rate' as const, minimumCalls: 2, failureRate: 0.5 };
    const record = closedRecord();
    recordOutcome(record, rate, () => (reads++, 5_000), 'failure', false);
    recordOutcome(record, rate, () => (reads++, 5_001), 'failure', false);
    expect(reads).toBe(2);
    expect(record).toMatchObject({ state: 'open', openedAt: 5_001 });
  });
});

describe('circuit breaker on streams', () => {
  const setup = (steps: Step[]) => {
    const clock = new FakeClock();
    const breakers = new CircuitBreakers(new MemoryBreakerStore(), clock);
    const chain = new MiddlewareChain([{ name: 'circuit-breaker', middleware: circuitBreakerMiddleware(breakers) }]);
    const adapter = new FakeAdapter(steps);
    const call = () => chain.run(makeContext(adapter, { clock, engine: 'e', streaming: true, policies: policies({ breaker: breakerPolicy() }) }).ctx);
    return { clock, breakers, call };
  };
  const failures = (n: number): Step[] => Array.from({ length: n }, () => ({ error: engineError('server') }));

  it('a streamed probe settles the breaker once, at its end: closed early it counts neither way, completed it closes the breaker', async () => {
    const s = setup([...failures(3), { chunks: ['a', 'b'] }, { chunks: ['a', 'b'] }]);
    for (let i = 0; i < 3; i++) await expect(s.call()).rejects.toMatchObject({ kind: 'server' });
    await s.clock.advance(5_000);
    const closedEarly = await s.call();
    if (closedEarly.kind !== 'stream') throw new Error('expected a stream');
    const iterator = closedEarly.events[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return?.();
    expect(await s.breakers.state('e')).toBe('half-open');
    const completed = await s.call();
    if (completed.kind !== 'stream') throw new Error('expected a stream');
    await drain(completed.events);
    expect(await s.breakers.state('e')).toBe('closed');
  });

  it('a stream that fails after its first event counts one failure, however it then ends', async () => {
    const s = setup([...failures(2), { chunks: ['a', 'b'], failAfter: 1, error: engineError('network') }, { reply: 'ok' }]);
    for (let i = 0; i < 2; i++) await expect(s.call()).rejects.toMatchObject({ kind: 'server' });
    const r = await s.call();
    if (r.kind !== 'stream') throw new Error('expected a stream');
    expect((await drain(r.events)).error).toMatchObject({ name: 'StreamInterruptedError' });
    expect(await s.breakers.state('e')).toBe('open'); // the third failure in a row, counted once (not again by onFinally)
  });
});
