import type { EngineAdapter, Message } from '@sdl/adapters';
import { describe, expect, it } from 'vitest';
import {
  CircuitBreakers,
  convertHistory,
  createDefaultChain,
  createMetrics,
  DEFAULT_POLICIES,
  EngineRegistry,
  EngineRouter,
  FakeClock,
  MemoryBreakerStore,
  MemoryRateLimiter,
  NoEngineAvailableError,
  responseOf,
  StreamInterruptedError,
  type CallContext,
  type CallEvent,
  type CallResult,
  type EngineEntry,
} from '@sdl/runtime';
import { drain, engineError, FakeAdapter, response } from '../middleware/support.js';

function entry(name: string, adapter: EngineAdapter, config: EngineEntry['config'] = {}): EngineEntry {
  return { name, provider: adapter.provider, model: `${name}-model`, adapter, config };
}

function setup(engines: Record<string, FakeAdapter>, defaultEngine?: string) {
  const clock = new FakeClock();
  const metrics = createMetrics();
  const registry = new EngineRegistry(
    Object.entries(engines).map(([n, a]) => entry(n, a)),
    defaultEngine,
  );
  const breakers = new CircuitBreakers(new MemoryBreakerStore(), clock, metrics);
  const chain = createDefaultChain({ breakers, limiter: new MemoryRateLimiter(clock), random: () => 0.5 });
  const defaults = { ...DEFAULT_POLICIES, retry: { ...DEFAULT_POLICIES.retry, maxAttempts: 2, baseMs: 10 } };
  const router = new EngineRouter({ registry, chain, clock, metrics, defaults });
  const events: CallEvent[] = [];
  const request = { messages: [{ role: 'user' as const, content: 'hi' }] };
  return { clock, registry, router, events, request, metrics, breakers };
}

const settleAll = async <T>(clock: FakeClock, p: Promise<T>) => {
  const guarded = p.then((v) => ({ v }), (e: unknown) => ({ e }));
  await clock.runAll();
  return guarded;
};

describe('EngineRouter failover', () => {
  it('moves down prefer when retries are exhausted, emitting engine-switch', async () => {
    const a = new FakeAdapter([{ error: engineError('server') }]);
    const b = new FakeAdapter([{ reply: 'from b' }], 'anthropic');
    const s = setup({ a, b });
    const r = await settleAll(s.clock, s.router.generate({ request: s.request, prefer: ['a', 'b'], emit: (e) => s.events.push(e) }));
    expect('v' in r && r.v).toMatchObject({ engine: 'b', provider: 'anthropic', model: 'b-model', response: { text: 'from b' } });
    expect(a.calls).toBe(2); // retried once on a first
    expect(s.events.filter((e) => e.type === 'engine-switch')).toEqual([{ type: 'engine-switch', from: 'a', to: 'b', reason: 'server' }]);
    expect(await s.metrics.registry.metrics()).toContain('sdl_engine_switches_total{from="a",to="b",reason="server"} 1');
  });

  it.each([
    ['retry-after beyond the cap', engineError('rate_limited', 10 * 60_000), 'rate_limited'],
    ['auth (this engine only)', engineError('auth'), 'auth'],
    ['overloaded', engineError('overloaded'), 'overloaded'],
  ])('fails over on %s', async (_name, error, reason) => {
    const a = new FakeAdapter([{ error }]);
    const b = new FakeAdapter([{ reply: 'b' }]);
    const s = setup({ a, b });
    const r = await settleAll(s.clock, s.router.generate({ request: s.request, prefer: ['a', 'b'], emit: (e) => s.events.push(e) }));
    expect('v' in r && r.v.engine).toBe('b');
    expect(s.events.find((e) => e.type === 'engine-switch')).toMatchObject({ reason });
  });

  it.each(['invalid_request', 'context_length', 'content_filter'] as const)('does not fail over on %s', async (kind) => {
    const a = new FakeAdapter([{ error: engineError(kind) }]);
    const b = new FakeAdapter([{ reply: 'b' }]);
    const s = setup({ a, b });
    await expect(s.router.generate({ request: s.request, prefer: ['a', 'b'] })).rejects.toMatchObject({ kind });
    expect(b.calls).toBe(0);
  });

  it('fails over while the breaker is open without calling the engine', async () => {
    const a = new FakeAdapter([{ error: engineError('server') }]);
    const b = new FakeAdapter([{ reply: 'b' }]);
    const s = setup({ a, b });
    const policies = { circuit_breaker: { failures: 1 }, retry: { max_attempts: 1 } };
    await settleAll(s.clock, s.router.generate({ request: s.request, prefer: ['a', 'b'], policies }));
    expect(await s.breakers.state('a')).toBe('open');
    const r = await s.router.generate({ request: s.request, prefer: ['a', 'b'], policies, emit: (e) => s.events.push(e) });
    expect(r.engine).toBe('b');
    expect(a.calls).toBe(1);
    expect(s.events.find((e) => e.type === 'engine-switch')).toMatchObject({ reason: 'breaker_open' });
  });

  it('fails over when the rate-limit wait is beyond the cap', async () => {
    const a = new FakeAdapter([{ reply: 'a' }]);
    const b = new FakeAdapter([{ reply: 'b' }]);
    const s = setup({});
    s.registry.set(entry('a', a, { limits: { rpm: 1, max_wait_ms: 1000 } }));
    s.registry.set(entry('b', b));
    expect((await s.router.generate({ request: s.request, prefer: ['a', 'b'] })).engine).toBe('a');
    const r = await s.router.generate({ request: s.request, prefer: ['a', 'b'], emit: (e) => s.events.push(e) });
    expect(r.engine).toBe('b');
    expect(s.events.find((e) => e.type === 'engine-switch')).toMatchObject({ reason: 'rate_limit_wait_exceeds_cap' });
  });

  it('reports every engine when all fail', async () => {
    const s = setup({ a: new FakeAdapter([{ error: engineError('server') }]), b: new FakeAdapter([{ error: engineError('overloaded') }]) });
    const r = await settleAll(s.clock, s.router.generate({ request: s.request, prefer: ['a', 'b', 'ghost'] }));
    expect('e' in r && r.e).toBeInstanceOf(NoEngineAvailableError);
    expect((r as { e: NoEngineAvailableError }).e.attempts.map((x) => [x.engine, x.reason])).toEqual([
      ['a', 'server'],
      ['b', 'overloaded'],
      ['ghost', 'not registered'],
    ]);
  });

  it('skips engines that do not qualify and says why', async () => {
    const s = setup({ a: new FakeAdapter([{ reply: 'a' }]), b: new FakeAdapter([{ reply: 'b' }]) });
    const r = await s.router.generate({ request: s.request, prefer: ['a', 'b'], qualifies: (e) => (e.name === 'a' ? 'context window too small' : undefined) });
    expect(r.engine).toBe('b');
  });

  it('a stream fails over before its first delta, never after', async () => {
    const a = new FakeAdapter([{ chunks: ['x'], failAfter: 0, error: engineError('overloaded') }]);
    const b = new FakeAdapter([{ chunks: ['he', 'llo'], failAfter: 1, error: engineError('network') }]);
    const c = new FakeAdapter([{ chunks: ['never'] }]);
    const s = setup({ a, b, c });
    const pending = s.router.stream({ request: s.request, prefer: ['a', 'b', 'c'] });
    await s.clock.advance(100); // backoffs only; the attempt timer runs until the stream ends
    const r = { v: await pending };
    expect(r.v.engine).toBe('b');
    const out = await drain(r.v.events);
    expect(out.text).toBe('he');
    expect(out.error).toBeInstanceOf(StreamInterruptedError);
    expect(c.calls).toBe(0);
  });
});

describe('hot switching', () => {
  it('setDefaultEngine changes where new calls go, without a restart', async () => {
    const s = setup({ a: new FakeAdapter([{ reply: 'a' }]), b: new FakeAdapter([{ reply: 'b' }]) }, 'a');
    expect((await s.router.generate({ request: s.request })).engine).toBe('a');
    s.router.setDefaultEngine('b');
    expect((await s.router.generate({ request: s.request })).engine).toBe('b');
    expect(() => s.router.setDefaultEngine('zzz')).toThrow(/no such engine/);
  });

  it('replacing an engine affects new calls only; the in-flight call finishes on its adapter', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const old: EngineAdapter = {
      provider: 'openai',
      async generate() {
        await gate;
        return response('old adapter');
      },
      stream: () => {
        throw new Error('unused');
      },
    };
    const s = setup({});
    s.registry.set(entry('main', old));
    const inflight = s.router.generate({ request: s.request });
    await s.clock.advance(0);
    s.registry.set(entry('main', new FakeAdapter([{ reply: 'new adapter' }])));
    expect((await s.router.generate({ request: s.request })).response.text).toBe('new adapter');
    release();
    expect((await inflight).response.text).toBe('old adapter');
  });

  it('removing an engine sends new calls to the next one', async () => {
    const s = setup({ a: new FakeAdapter([{ reply: 'a' }]), b: new FakeAdapter([{ reply: 'b' }]) }, 'a');
    s.registry.remove('a');
    expect((await s.router.generate({ request: s.request })).engine).toBe('b');
  });

  it('generateWith hands the answering hop and its result to finish, failing over as generate does', async () => {
    const a = new FakeAdapter([{ error: engineError('server') }]);
    const b = new FakeAdapter([{ reply: 'from b' }]);
    const s = setup({ a, b });
    const finish = (ctx: CallContext, result: CallResult) => `${ctx.engine}/${ctx.model}: ${responseOf(result).text}`;
    const r = await settleAll(s.clock, s.router.generateWith({ request: s.request, prefer: ['a', 'b'] }, finish));
    expect('v' in r && r.v).toBe('b/b-model: from b');
    expect(await s.router.generateWith({ request: s.request, prefer: ['b'] }, finish)).toBe('b/b-model: from b');
    expect(() => responseOf({ kind: 'stream', events: (async function* () {})() })).toThrow('internal: expected a response');
  });

  it('uses the skill model per engine', async () => {
    const a = new FakeAdapter([{ reply: 'a' }]);
    const s = setup({ a });
    const r = await s.router.generate({ request: s.request, models: { a: 'special-model' } });
    expect(r.model).toBe('special-model');
    expect(a.requests[0]!.model).toBe('special-model');
  });
});

describe('convertHistory', () => {
  const history: Message[] = [
    { role: 'user', content: 'weather?' },
    { role: 'assistant', content: 'checking', toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Oslo' } }] },
    { role: 'tool', toolCallId: 'call_1', name: 'weather', content: '{"c":3}' },
    { role: 'assistant', content: '3 degrees' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_2', name: 'dangling', arguments: {} }] },
  ];
  it('hands on a conversation of plain user turns as it is, in an array of its own', () => {
    const turns: Message[] = [{ role: 'user', content: 'one' }, { role: 'user', content: 'two' }];
    for (const target of [{ features: ['tools'] as const }, { features: [] as const, featuresKnown: true, provider: 'openai' as const }]) {
      const out = convertHistory(turns, target);
      expect(out).toEqual(turns);
      expect(out).not.toBe(turns);
    }
    // A turn with an attachment the target cannot read is still converted.
    const withImage: Message[] = [{ role: 'user', content: 'see', attachments: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] }];
    expect(convertHistory(withImage, { features: [], featuresKnown: true })[0]).toEqual({ role: 'user', content: '[an image was attached here; this engine cannot read it]\nsee' });
  });
  it('keeps answered tool calls for engines with tools, drops dangling ones', () => {
    const out = convertHistory(history, { features: ['tools'] });
    expect(out[1]).toEqual(history[1]);
    expect(out[2]).toEqual(history[2]);
    expect(out[4]).toEqual({ role: 'assistant', content: '' });
  });
  it('turns calls and results into text for engines without tools', () => {
    const out = convertHistory(history, { features: [] });
    expect(out.every((m) => m.role !== 'tool' && !('toolCalls' in m && m.toolCalls))).toBe(true);
    expect(out[1]!.content).toContain('[called tool weather with {"city":"Oslo"}]');
    expect(out[2]).toEqual({ role: 'user', content: '[result of tool weather]: {"c":3}' });
  });
});

describe('router logging', () => {
  it('scrubs whatever logger the host passes', async () => {
    const lines: unknown[] = [];
    const host = { debug() {}, info() {}, warn: (m: string, f?: unknown) => lines.push([m, f]), error() {} };
    const a = new FakeAdapter([{ error: engineError('server') }]);
    const b = new FakeAdapter([{ reply: 'b' }]);
    const clock = new FakeClock();
    const registry = new EngineRegistry([entry('a', a), entry('b', b)]);
    const chain = createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), clock), limiter: new MemoryRateLimiter(clock) });
    const router = new EngineRouter({ registry, chain, clock, logger: host, defaults: { ...DEFAULT_POLICIES, retry: { ...DEFAULT_POLICIES.retry, maxAttempts: 1 } } });
    await router.generate({ request: { messages: [{ role: 'user', content: 'x' }] }, prefer: ['a', 'b'] });
    expect(lines.length).toBeGreaterThan(0);
    host.warn('probe', { api_key: 'sk-live', note: 'mail me@example.com' });
    router['logger'].warn('probe', { api_key: 'sk-live', note: 'mail me@example.com' });
    expect(JSON.stringify(lines.at(-1))).not.toContain('me@example.com');
    expect(JSON.stringify(lines.at(-1))).not.toContain('sk-live');
  });
});
