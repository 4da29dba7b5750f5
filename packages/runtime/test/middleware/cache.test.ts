import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey, cacheMiddleware, FakeClock, MemoryResponseCache, MiddlewareChain, RedisResponseCache, type ResponseCache } from '@sdl/runtime';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';
import { drain, engineError, FakeAdapter, makeContext, policies, response, type Step } from './support.js';

describe('cacheKey', () => {
  const base = { model: 'm', system: 's', messages: [{ role: 'user' as const, content: 'hi' }], temperature: 0.2 };
  it('ignores key order, the signal and the timeout', () => {
    const a = cacheKey('openai', { ...base, signal: new AbortController().signal, timeoutMs: 5 });
    const b = cacheKey('openai', { temperature: 0.2, messages: [{ content: 'hi', role: 'user' }], system: 's', model: 'm' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
  it.each([
    ['model', { model: 'other' }],
    ['system', { system: 'other' }],
    ['messages', { messages: [{ role: 'user' as const, content: 'bye' }] }],
    ['params', { temperature: 0.3 }],
    ['tools', { tools: [{ name: 't', parameters: {} }] }],
    ['output schema', { output: { schema: { type: 'object' } } }],
  ])('changes with %s', (_name, change) => {
    expect(cacheKey('openai', { ...base, ...change })).not.toBe(cacheKey('openai', base));
  });
});

function cacheContract(makeStore: (clock: FakeClock) => ResponseCache, realTtl: boolean) {
  const setup = (steps: Step[], ttlMs = 60_000) => {
    const clock = new FakeClock();
    const store = makeStore(clock);
    const chain = new MiddlewareChain([{ name: 'cache', middleware: cacheMiddleware(store) }]);
    const adapter = new FakeAdapter(steps);
    const unique = `${Math.random()}`;
    const run = (streaming = false) => {
      const t = makeContext(adapter, { clock, streaming, policies: policies({ cache: { ttlMs } }) });
      t.ctx.request = { ...t.ctx.request, system: unique };
      return chain.run(t.ctx);
    };
    return { clock, adapter, run };
  };

  it('serves a repeated request from the cache', async () => {
    const s = setup([{ reply: 'one' }, { reply: 'two' }]);
    await s.run();
    const second = await s.run();
    expect(second).toMatchObject({ kind: 'response', cached: true, response: { text: 'one' } });
    expect(s.adapter.calls).toBe(1);
  });

  it('replays a cached reply to a stream call as a stream', async () => {
    const s = setup([{ reply: 'hello' }]);
    await s.run();
    const r = await s.run(true);
    if (r.kind !== 'stream') throw new Error('expected a stream');
    expect(await drain(r.events)).toEqual({ text: 'hello', stop: true });
    expect(s.adapter.calls).toBe(1);
  });

  it('stores a streamed reply once the stream ends', async () => {
    const s = setup([{ chunks: ['a', 'b'] }, { reply: 'other' }]);
    const first = await s.run(true);
    if (first.kind === 'stream') await drain(first.events);
    expect(await s.run()).toMatchObject({ cached: true, response: { text: 'ab' } });
  });

  it('does not cache errors', async () => {
    const s = setup([{ error: engineError('server') }, { reply: 'ok' }]);
    await expect(s.run()).rejects.toMatchObject({ kind: 'server' });
    await expect(s.run()).resolves.toMatchObject({ response: { text: 'ok' } });
  });

  if (!realTtl) {
    it('expires entries after the TTL', async () => {
      const s = setup([{ reply: 'one' }, { reply: 'two' }], 1_000);
      await s.run();
      await s.clock.advance(1_000);
      expect(await s.run()).toMatchObject({ response: { text: 'two' } });
    });
  }
}

describe('cache middleware (memory LRU)', () => {
  cacheContract((clock) => new MemoryResponseCache(clock), false);

  it('coalesces identical concurrent requests into one engine call', async () => {
    const clock = new FakeClock();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const adapter = {
      provider: 'openai' as const,
      async generate() {
        calls++;
        await gate;
        return response('shared');
      },
      stream: () => {
        throw new Error('unused');
      },
    };
    const chain = new MiddlewareChain([{ name: 'cache', middleware: cacheMiddleware(new MemoryResponseCache(clock)) }]);
    const runs = Array.from({ length: 5 }, () => chain.run(makeContext(adapter, { clock, policies: policies({ cache: { ttlMs: 60_000 } }) }).ctx));
    await clock.advance(0);
    release();
    const results = await Promise.all(runs);
    expect(calls).toBe(1);
    expect(results.map((r) => (r.kind === 'response' ? r.response.text : ''))).toEqual(Array(5).fill('shared'));
    expect(results.filter((r) => r.cached)).toHaveLength(4);
  });

  it('evicts the least recently used entry beyond its size', async () => {
    const clock = new FakeClock();
    const cache = new MemoryResponseCache(clock, 2);
    await cache.set('a', response('a'), 10_000);
    await cache.set('b', response('b'), 10_000);
    await cache.get('a');
    await cache.set('c', response('c'), 10_000);
    expect(await cache.get('b')).toBeUndefined();
    expect((await cache.get('a'))?.text).toBe('a');
    expect((await cache.get('c'))?.text).toBe('c');
  });

  it('does nothing without a cache policy', async () => {
    const clock = new FakeClock();
    const adapter = new FakeAdapter([{ reply: 'x' }]);
    const chain = new MiddlewareChain([{ name: 'cache', middleware: cacheMiddleware(new MemoryResponseCache(clock)) }]);
    await chain.run(makeContext(adapter, { clock }).ctx);
    await chain.run(makeContext(adapter, { clock }).ctx);
    expect(adapter.calls).toBe(2);
  });
});

describeWithRedis('cache middleware (Redis)', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `sdl-test:cache:${process.pid}:${Date.now()}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  cacheContract(() => new RedisResponseCache(redis, prefix), true);

  it('sets a Redis TTL on each entry', async () => {
    const cache = new RedisResponseCache(redis, prefix);
    await cache.set('ttl', response('x'), 5_000);
    const ttl = await redis.pttl(`${prefix}ttl`);
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });
});
