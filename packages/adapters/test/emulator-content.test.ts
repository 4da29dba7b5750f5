/**
 * The emulators speak the response content of issue 12, through the official SDKs and the adapters:
 * thinking with signatures, prompt-cache usage (Anthropic cache_control writes then reads, OpenAI's
 * automatic caching), citations and refusals, on both paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicAdapter,
  CohereAdapter,
  OpenAIAdapter,
  startEmulator,
  thinkingSignature,
  type EmulatedProvider,
  type Emulator,
  type EmulatorReply,
  type EngineAdapter,
  type EngineRequest,
  type EngineResponse,
} from '@sdl/adapters';

const emulators = new Map<EmulatedProvider, Emulator>();
beforeAll(async () => {
  for (const provider of ['anthropic', 'openai', 'cohere'] as const) emulators.set(provider, await startEmulator({ provider }));
});
afterAll(async () => {
  for (const emu of emulators.values()) await emu.close();
});

function adapterFor(provider: EmulatedProvider): EngineAdapter {
  const url = emulators.get(provider)!.url;
  const options = { apiKey: 'sk-emulator-test', timeoutMs: 5000 };
  if (provider === 'anthropic') return new AnthropicAdapter({ ...options, baseURL: url });
  if (provider === 'openai') return new OpenAIAdapter({ ...options, baseURL: url });
  return new CohereAdapter({ ...options, baseURL: url });
}

const request = (extra: Partial<EngineRequest> = {}): EngineRequest => ({ model: 'emulated-model', messages: [{ role: 'user', content: 'What does the report say?' }], ...extra });

/** One call on each path with the emulator answering `reply`. */
async function both(provider: EmulatedProvider, reply: EmulatorReply, req = request()): Promise<EngineResponse[]> {
  const emu = emulators.get(provider)!;
  const adapter = adapterFor(provider);
  emu.enqueueReply(reply, reply);
  const whole = await adapter.generate(req);
  let streamed: EngineResponse | undefined;
  for await (const e of adapter.stream(req)) if (e.type === 'stop') streamed = e.response;
  return [whole, streamed!];
}

describe('emulated thinking', () => {
  const thinking = 'The report is about Q3; summarise its first line.';
  it('anthropic: a signed thinking block, the signature the emulator can check', async () => {
    for (const r of await both('anthropic', { text: 'It says revenue grew.', reasoning: thinking })) {
      expect(r.parts?.[0]).toEqual({ type: 'reasoning', text: thinking, signature: thinkingSignature(thinking), provider: 'anthropic' });
      expect(r.text).toBe('It says revenue grew.');
    }
  });
  it('cohere: a thinking content part', async () => {
    for (const r of await both('cohere', { text: 'It says revenue grew.', reasoning: thinking })) {
      expect(r.parts?.find((p) => p.type === 'reasoning')).toMatchObject({ text: thinking, provider: 'cohere' });
      expect(r.text).toBe('It says revenue grew.');
    }
  });
  it('openai: reasoning tokens only, inside completion tokens (Chat Completions shows no reasoning text)', async () => {
    for (const r of await both('openai', { text: 'It says revenue grew.', reasoning: thinking })) {
      expect(r.usage.reasoningTokens).toBe(Math.ceil(thinking.length / 4));
      expect(r.usage.outputTokens).toBeGreaterThan(r.usage.reasoningTokens!);
      expect(r.parts?.some((p) => p.type === 'reasoning')).toBe(false);
    }
  });
});

describe('emulated prompt caching', () => {
  it('anthropic: a cache_control breakpoint writes the prefix once, then reads it', async () => {
    const system = 'You are a careful analyst. '.repeat(200);
    const req = request({ system, cache: { system: true } });
    const adapter = adapterFor('anthropic');
    const first = await adapter.generate(req);
    const second = await adapter.generate(req);
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(1000);
    expect(first.usage.cacheReadTokens).toBeUndefined();
    expect(second.usage.cacheReadTokens).toBe(first.usage.cacheWriteTokens);
    expect(second.usage.inputTokens).toBe(first.usage.inputTokens);
  });
  it('openai: a repeated prompt prefix of 1024+ tokens is cached automatically, in 128-token steps', async () => {
    const history = 'Earlier context line. '.repeat(400);
    const req = request({ messages: [{ role: 'user', content: history }, { role: 'assistant', content: 'Noted.' }, { role: 'user', content: 'Now answer.' }] });
    const adapter = adapterFor('openai');
    const first = await adapter.generate(req);
    const second = await adapter.generate(req);
    expect(first.usage.cacheReadTokens).toBeUndefined();
    expect(second.usage.cacheReadTokens! % 128).toBe(0);
    expect(second.usage.cacheReadTokens).toBeGreaterThanOrEqual(1024);
    expect(second.usage.cacheReadTokens).toBeLessThanOrEqual(second.usage.inputTokens);
  });
});

describe('emulated citations and refusals', () => {
  it.each(['anthropic', 'cohere'] as const)('%s: citations of a request document on both paths', async (provider) => {
    for (const r of await both(provider, { text: 'Revenue grew 8%.', citations: [{ citedText: 'Revenue grew 8% in Q3.', documentIndex: 0, documentTitle: 'Q3 report' }] })) {
      expect(r.citations).toHaveLength(1);
      expect(r.citations?.[0]?.sources[0]).toMatchObject({ kind: 'document', title: 'Q3 report' });
      expect(r.text).toBe('Revenue grew 8%.');
    }
  });
  it.each([
    ['anthropic', { text: '', explanation: 'I will not help with that.' }],
    ['openai', { text: 'I will not help with that.' }],
  ] as const)('%s: a refusal is content_filter with its words', async (provider, refusal) => {
    for (const r of await both(provider, { refusal: 'I will not help with that.' })) {
      expect(r.stopReason).toBe('content_filter');
      expect(r.refusal).toMatchObject(refusal);
      expect(r.text).toBe('');
    }
  });
});
