import {
  AnthropicAdapter,
  CohereAdapter,
  OpenAIAdapter,
  startEmulator,
  type EngineAdapter,
  type Emulator,
  type EmulatedProvider,
  type Message,
} from '@sdl/adapters';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CircuitBreakers,
  createDefaultChain,
  DEFAULT_POLICIES,
  EngineRegistry,
  EngineRouter,
  forEachEvent,
  MemoryBreakerStore,
  MemoryRateLimiter,
  StreamInterruptedError,
  systemClock,
  type CallEvent,
  type ResolvedPolicies,
} from '@sdl/runtime';
import { drain } from '../middleware/support.js';

// Integration against the adapters' wire-compatible emulators: real SDKs, real HTTP, injected faults.
const PROVIDERS: EmulatedProvider[] = ['anthropic', 'openai', 'cohere'];
const ENGINE: Record<EmulatedProvider, string> = { anthropic: 'claude', openai: 'gpt', cohere: 'command' };

function adapterFor(provider: EmulatedProvider, url: string): EngineAdapter {
  const options = { apiKey: 'test-key', baseURL: url, timeoutMs: 5_000 };
  if (provider === 'anthropic') return new AnthropicAdapter(options);
  if (provider === 'openai') return new OpenAIAdapter(options);
  return new CohereAdapter(options);
}

// Real time here (HTTP), so backoffs are a few milliseconds.
const defaults: ResolvedPolicies = {
  ...DEFAULT_POLICIES,
  retry: { maxAttempts: 3, baseMs: 2, maxMs: 20, jitter: 'full', maxRetryAfterMs: 500 },
  timeoutMs: 3_000,
};

describe('middleware + router against the emulators', () => {
  const emulators = {} as Record<EmulatedProvider, Emulator>;
  let router: EngineRouter;
  let events: CallEvent[];

  beforeAll(async () => {
    for (const p of PROVIDERS) emulators[p] = await startEmulator({ provider: p });
  });
  afterAll(async () => {
    await Promise.all(PROVIDERS.map((p) => emulators[p].close()));
  });
  beforeEach(() => {
    const registry = new EngineRegistry(
      PROVIDERS.map((p) => ({ name: ENGINE[p], provider: p, model: `${p}-test-model`, adapter: adapterFor(p, emulators[p].url) })),
      'claude',
    );
    const chain = createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), limiter: new MemoryRateLimiter(systemClock) });
    router = new EngineRouter({ registry, chain, defaults });
    events = [];
    for (const p of PROVIDERS) emulators[p].requests.length = 0;
  });

  const ask = (content: string, extra: Partial<Parameters<EngineRouter['generate']>[0]> = {}) =>
    router.generate({ request: { messages: [{ role: 'user', content }] }, prefer: ['claude', 'gpt', 'command'], emit: (e) => events.push(e), ...extra });

  it.each(PROVIDERS)('%s: a 500 then success is retried on the same engine', async (p) => {
    emulators[p].enqueueFault('500');
    const r = await ask('hello', { engine: ENGINE[p] });
    expect(r.engine).toBe(ENGINE[p]);
    expect(r.response.text).toBe('echo: hello');
    expect(emulators[p].requests.map((q) => q.status)).toEqual([500, 200]);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
  });

  it.each(PROVIDERS)('%s: a connection reset is retried', async (p) => {
    emulators[p].enqueueFault('reset');
    const r = await ask('again', { engine: ENGINE[p] });
    expect(r.response.text).toBe('echo: again');
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ errorKind: 'network' });
  });

  it('honours retry-after-ms within the cap', async () => {
    emulators.openai.enqueueFault('429ms@30');
    const r = await ask('wait', { engine: 'gpt' });
    expect(r.engine).toBe('gpt');
    expect((events.find((e) => e.type === 'retry') as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(30);
  });

  it('fails over when retry-after is beyond the cap, instead of waiting', async () => {
    emulators.anthropic.enqueueFault('429@30'); // 30 s
    const started = Date.now();
    const r = await ask('hurry');
    expect(r.engine).toBe('gpt');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(events.find((e) => e.type === 'engine-switch')).toEqual({ type: 'engine-switch', from: 'claude', to: 'gpt', reason: 'rate_limited' });
  });

  it('fails over across all three adapters: overloaded claude, bad key on gpt, command answers', async () => {
    emulators.anthropic.enqueueFault('529', '529', '529');
    emulators.openai.enqueueFault('401');
    const r = await ask('anyone?');
    expect(r.engine).toBe('command');
    expect(r.response.text).toBe('echo: anyone?');
    expect(events.filter((e) => e.type === 'engine-switch').map((e) => [e.from, e.to, e.reason])).toEqual([
      ['claude', 'gpt', 'overloaded'],
      ['gpt', 'command', 'auth'],
    ]);
  });

  it('does not fail over on a request the engine rejects as too long', async () => {
    emulators.anthropic.enqueueFault('context');
    await expect(ask('big')).rejects.toMatchObject({ kind: 'context_length' });
    expect(emulators.openai.requests).toHaveLength(0);
  });

  it('a stream fails over before the first delta and is interrupted (typed) after it', async () => {
    emulators.anthropic.enqueueFault('503', '503', '503');
    const first = await router.stream({ request: { messages: [{ role: 'user', content: 'stream me' }] }, prefer: ['claude', 'gpt'] });
    expect(first.engine).toBe('gpt');
    expect(await drain(first.events)).toEqual({ text: 'echo: stream me', stop: true });

    emulators.openai.enqueueFault('disconnect');
    const second = await router.stream({ request: { messages: [{ role: 'user', content: 'a longer reply to cut in the middle' }] }, engine: 'gpt', prefer: ['gpt', 'command'] });
    const out = await drain(second.events);
    expect(out.error).toBeInstanceOf(StreamInterruptedError);
    expect('echo: a longer reply to cut in the middle'.startsWith(out.text)).toBe(true); // a prefix, never duplicated
    expect((out.error as StreamInterruptedError).deliveredText).toBe(out.text);
    expect(emulators.cohere.requests).toHaveLength(0);
  });

  it.each(PROVIDERS)('%s: a stream cut after its first delta tells the text delivered, iterated and drained', async (p) => {
    const question = 'a longer reply to cut in the middle of its many words';
    for (const drained of [false, true]) {
      emulators[p].enqueueFault('disconnect');
      const routed = await router.stream({ request: { messages: [{ role: 'user', content: question }] }, engine: ENGINE[p], prefer: [ENGINE[p]] });
      let text = '';
      let error: unknown;
      try {
        if (drained) await forEachEvent(routed.events, (e) => void (e.type === 'text-delta' && (text += e.text)));
        else for await (const e of routed.events) if (e.type === 'text-delta') text += e.text;
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StreamInterruptedError);
      expect(text).not.toBe('');
      expect(`echo: ${question}`.startsWith(text)).toBe(true);
      expect((error as StreamInterruptedError).deliveredText).toBe(text);
    }
  });

  it('continues one conversation across all three engines, tool calls and results converted', async () => {
    const tools = [{ name: 'weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    const system = 'You are terse.';
    const history: Message[] = [{ role: 'user', content: 'call weather {"city":"Oslo"}' }];
    // Turn 1 on claude: the model calls the tool.
    const t1 = await router.generate({ request: { system, tools, messages: history }, engine: 'claude', prefer: ['claude', 'gpt', 'command'] });
    expect(t1.engine).toBe('claude');
    expect(t1.response.toolCalls).toHaveLength(1);
    const call = t1.response.toolCalls[0]!;
    history.push({ role: 'assistant', content: t1.response.text, toolCalls: t1.response.toolCalls });
    history.push({ role: 'tool', toolCallId: call.id, name: 'weather', content: '{"celsius":3}' });
    // Turn 2: claude is down; gpt takes the conversation, tool call and result included.
    emulators.anthropic.enqueueFault('529', '529', '529');
    const t2 = await router.generate({ request: { system, tools, messages: history }, prefer: ['claude', 'gpt', 'command'] });
    expect(t2.engine).toBe('gpt');
    expect(t2.response.text).toBe('tool weather returned: {"celsius":3}');
    const gptSaw = emulators.openai.requests.at(-1)!.parsed!;
    expect(gptSaw.system).toBe(system);
    expect(gptSaw.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(gptSaw.messages[1]!.toolCalls![0]).toMatchObject({ name: 'weather' });
    expect(gptSaw.messages[2]!.toolCallId).toBe(gptSaw.messages[1]!.toolCalls![0]!.id);
    history.push({ role: 'assistant', content: t2.response.text });
    history.push({ role: 'user', content: 'thanks' });
    // Turn 3: gpt is unauthorised now; command continues with the whole history.
    emulators.openai.enqueueFault('401');
    const t3 = await router.generate({ request: { system, tools, messages: history }, engine: 'gpt', prefer: ['gpt', 'command'] });
    expect(t3.engine).toBe('command');
    expect(t3.response.text).toBe('echo: thanks');
    const cohereSaw = emulators.cohere.requests.at(-1)!.parsed!;
    expect(cohereSaw.system).toBe(system);
    expect(cohereSaw.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(cohereSaw.messages[2]!.toolCallId).toBe(cohereSaw.messages[1]!.toolCalls![0]!.id);
  });

  // The default chain on the real clock hands the SDK adapters (which enforce `timeoutMs` themselves)
  // the attempt's budget and arms no timer or signal of its own: the adapter's deadline is the only one.
  const shortTimeout = { ...defaults, timeoutMs: 1_000 };
  const askShort = (content: string, engine: string, extra: Partial<Parameters<EngineRouter['generate']>[0]> = {}) =>
    new EngineRouter({ registry: router.registry, chain: router.chain, defaults: shortTimeout }).generate({
      request: { messages: [{ role: 'user', content }] },
      engine,
      prefer: [engine],
      emit: (e) => events.push(e),
      ...extra,
    });

  it.each(PROVIDERS)('%s: an attempt that outlives timeout_ms ends by the adapter’s own deadline and is retried', async (p) => {
    emulators[p].enqueueFault('slow@10000');
    const started = Date.now();
    const r = await askShort('in time?', ENGINE[p]);
    expect(r.response.text).toBe('echo: in time?');
    expect(Date.now() - started).toBeLessThan(8_000); // not the 10 s the engine takes
    expect(events.filter((e) => e.type === 'retry')).toEqual([expect.objectContaining({ errorKind: 'timeout', attempt: 2 })]);
  });

  it.each(PROVIDERS)('%s: a stream that stalls after its first delta reaches the consumer as StreamInterruptedError (timeout)', async (p) => {
    emulators[p].enqueueFault('stall');
    const routed = await new EngineRouter({ registry: router.registry, chain: router.chain, defaults: shortTimeout }).stream({
      request: { messages: [{ role: 'user', content: 'a reply that stalls half way through' }] },
      engine: ENGINE[p],
      prefer: [ENGINE[p]],
    });
    const started = Date.now();
    const out = await drain(routed.events);
    expect(Date.now() - started).toBeLessThan(8_000); // not the 10 s the engine takes
    expect(out.error).toBeInstanceOf(StreamInterruptedError);
    expect((out.error as StreamInterruptedError).cause).toMatchObject({ kind: 'timeout' });
    expect((out.error as StreamInterruptedError).deliveredText).toBe(out.text);
  });

  it.each(PROVIDERS)('%s: the caller’s signal on the request still cancels the call at once', async (p) => {
    emulators[p].enqueueFault('slow@10000');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    const call = router.generate({
      request: { messages: [{ role: 'user', content: 'never mind' }], signal: controller.signal },
      signal: controller.signal,
      engine: ENGINE[p],
      prefer: [ENGINE[p]],
    });
    await expect(call).rejects.toMatchObject({ kind: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
