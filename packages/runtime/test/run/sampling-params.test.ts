/**
 * A step's sampling parameters reach the provider: `top_p` from the skill goes into the engine request
 * and each adapter puts it where its API wants it (OpenAI `top_p`, Cohere `p`), through the official
 * SDKs to the emulators on 127.0.0.1. Anthropic's Messages API takes no sampling parameters any more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicAdapter, CohereAdapter, OpenAIAdapter, startEmulator, type EngineAdapter, type Emulator, type EmulatedProvider } from '@sdl/adapters';
import { createRuntime } from '@sdl/runtime';
import { binding } from './support/fake-engine.js';
import { promptStep, skill } from './support/skill-builder.js';

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

describe.each<[EmulatedProvider, string | undefined]>([
  ['openai', 'top_p'],
  ['cohere', 'p'],
  ['anthropic', undefined],
])('top_p on %s', (provider, field) => {
  it(field ? `is sent as \`${field}\`` : 'is not sent (the API has no sampling parameters)', async () => {
    const emu = emulators.get(provider)!;
    const before = emu.requests.length;
    const runtime = createRuntime({ engines: { e: binding(adapterFor(provider)) } });
    const s = skill({ steps: [promptStep('ask', 'hello there', {})] });
    s.engines.params = { top_p: 0.42, temperature: 0.5 };
    await runtime.run(s, {});
    const body = emu.requests.slice(before).at(-1)?.body as Record<string, unknown>;
    if (field) expect(body[field]).toBe(0.42);
    else expect(JSON.stringify(body)).not.toContain('0.42');
  });
});
