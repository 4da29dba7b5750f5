/**
 * `EngineAdapter.warmUp`, which the rate-limit stage awaits before it takes a slot: the SDK is
 * loaded and one request of the adapter's kind is rehearsed through the SDK and Node's `fetch`
 * against a loopback server, never against the provider and never with the real key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicAdapter, CohereAdapter, EngineError, OpenAIAdapter, startEmulator, type EngineAdapter, type Emulator } from '../src/index.js';
import { LazySdk, type ProviderSdk } from '../src/shared/lazy-sdk.js';
import { REHEARSAL_KEY } from '../src/shared/loopback-rehearsal.js';

const KEY = 'sk-warm-up-test-0123456789';

describe('LazySdk.warmUp', () => {
  it('loads the client for the real key and rehearses on a loopback server with the rehearsal key, once', async () => {
    const opened: { apiKey: string; baseURL: string | undefined }[] = [];
    const rehearsals: { apiKey: string; status: number; url: string }[] = [];
    const sdk = new LazySdk<ProviderSdk<string>>('test', 'test-sdk', KEY, async (apiKey, baseURL) => {
      opened.push({ apiKey, baseURL });
      return {
        client: apiKey,
        toEngineError: () => new EngineError('server', 'unused', { provider: 'test' }),
        rehearse: async () => {
          const res = await fetch(`${baseURL}/v1/chat`, { method: 'POST', body: '{"model":"m"}', headers: { authorization: `Bearer ${apiKey}` } });
          rehearsals.push({ apiKey, status: res.status, url: baseURL! });
          return res.json();
        },
      };
    });
    const warming = sdk.warmUp();
    expect(warming).toBeInstanceOf(Promise);
    expect(sdk.warmUp()).toBe(warming); // concurrent callers share one warm-up
    await warming;
    expect(sdk.warmUp()).toBeUndefined(); // warm: no await on the call path
    expect(sdk.ready(undefined)?.client).toBe(KEY);
    expect(opened).toEqual([
      { apiKey: KEY, baseURL: undefined },
      { apiKey: REHEARSAL_KEY, baseURL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) as unknown as string },
    ]);
    expect(rehearsals).toEqual([{ apiKey: REHEARSAL_KEY, status: 404, url: opened[1]!.baseURL }]);
    // The loopback server is gone once the warm-up is done.
    await expect(fetch(`${opened[1]!.baseURL}/v1/chat`)).rejects.toThrow();
  });

  it('a rehearsal that fails is ignored; an SDK that cannot be loaded fails the warm-up, and a later one tries again', async () => {
    const failing = new LazySdk<ProviderSdk<string>>('test', 'test-sdk', KEY, async () => ({
      client: 'c',
      toEngineError: () => new EngineError('server', 'unused', { provider: 'test' }),
      rehearse: () => Promise.reject(new Error('rehearsal refused')),
    }));
    await failing.warmUp();
    expect(failing.warmUp()).toBeUndefined();

    let attempts = 0;
    const missing = new LazySdk<ProviderSdk<string>>('test', 'test-sdk', KEY, async () => {
      attempts++;
      throw new Error('Cannot find package');
    });
    await expect(missing.warmUp()).rejects.toThrow(/the SDK `test-sdk` could not be loaded/);
    await expect(missing.warmUp()).rejects.toThrow(EngineError);
    expect(attempts).toBe(2);
  });
});

describe.each([
  ['openai', (url: string) => new OpenAIAdapter({ apiKey: KEY, baseURL: url })],
  ['anthropic', (url: string) => new AnthropicAdapter({ apiKey: KEY, baseURL: url })],
  ['cohere', (url: string) => new CohereAdapter({ apiKey: KEY, baseURL: url })],
] as const)('%s adapter warm-up', (provider, make) => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ provider });
  });
  afterAll(() => emulator.close());

  it('sends nothing to the provider, then the first call goes out with the real key', async () => {
    const adapter: EngineAdapter = make(emulator.url);
    await adapter.warmUp!();
    expect(emulator.requests).toEqual([]);
    expect(adapter.warmUp!()).toBeUndefined();
    const response = await adapter.generate({ model: 'm', messages: [{ role: 'user', content: 'hello' }], maxTokens: 16 });
    expect(response.text.length).toBeGreaterThan(0);
    expect(emulator.requests).toHaveLength(1);
    expect(JSON.stringify(emulator.requests[0]!.headers)).toContain(KEY);
  });
});
