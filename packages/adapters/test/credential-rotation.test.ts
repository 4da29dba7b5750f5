/**
 * Keys that rotate without a restart, through the official SDKs against the emulators: the emulator
 * stops accepting the old key at once (`acceptKeys`), as a provider does after a rotation. Every row
 * runs for every provider and for both call shapes (generate and stream).
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicAdapter,
  CohereAdapter,
  createEngine,
  EngineError,
  FileSecret,
  OpenAIAdapter,
  parseConfig,
  ProviderCredential,
  startEmulator,
  type Credential,
  type EngineAdapter,
  type Emulator,
  type EngineRequest,
} from '../src/index.js';

const PROVIDERS = ['anthropic', 'openai', 'cohere'] as const;
type Provider = (typeof PROVIDERS)[number];
const MODELS: Record<Provider, string> = { anthropic: 'claude-sonnet-5', openai: 'gpt-5.4', cohere: 'command-a-plus-05-2026' };
const OLD = 'sk-OLD-key-0000aaaa';
const NEW = 'sk-NEW-key-1111bbbb';

function adapterFor(provider: Provider, emulator: Emulator, apiKey: string | Credential): EngineAdapter {
  const options = { apiKey, baseURL: emulator.url };
  return provider === 'anthropic' ? new AnthropicAdapter(options) : provider === 'openai' ? new OpenAIAdapter(options) : new CohereAdapter(options);
}

const request = (provider: Provider, text: string): EngineRequest => ({ model: MODELS[provider], messages: [{ role: 'user', content: text }], maxTokens: 64 });

/** One call in the given shape; resolves with the reply text. */
async function call(adapter: EngineAdapter, provider: Provider, shape: 'generate' | 'stream', text: string): Promise<string> {
  if (shape === 'generate') return (await adapter.generate(request(provider, text))).text;
  let out = '';
  for await (const event of adapter.stream(request(provider, text))) if (event.type === 'text-delta') out += event.text;
  return out;
}

/** A fake clock for the file's once-a-second look. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const emulators = new Map<Provider, Emulator>();
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sdl-rotate-'));
  for (const provider of PROVIDERS) emulators.set(provider, await startEmulator({ provider, apiKeys: [OLD], reply: { text: 'fine' } }));
});
afterAll(async () => {
  await Promise.all([...emulators.values()].map((e) => e.close()));
});

const rows = PROVIDERS.flatMap((provider) => (['generate', 'stream'] as const).map((shape) => ({ provider, shape })));

describe.each(rows)('$provider, $shape', ({ provider, shape }) => {
  const emulator = () => emulators.get(provider)!;
  const refused = () => emulator().requests.filter((r) => r.status === 401).length;

  it('a mounted key file (${file:...}): after the file changes, calls with the old key retry once with the new one; one re-read per rotation', async () => {
    emulator().acceptKeys(OLD);
    const file = path.join(dir, `${provider}-${shape}.key`);
    writeFileSync(file, `${OLD}\n`);
    const time = clock();
    const secret = new FileSecret(file, { now: time.now });
    const adapter = adapterFor(provider, emulator(), secret);
    expect(await call(adapter, provider, shape, 'before')).toBe('fine');

    // The rotation: the provider refuses the old key from now on, and the secret file is replaced
    // (written beside it and renamed over it, as Kubernetes and Docker do).
    emulator().acceptKeys(NEW);
    writeFileSync(`${file}.tmp`, `${NEW}\n`);
    renameSync(`${file}.tmp`, file);
    const before401 = refused();
    // Within the second the file is not looked at: these 12 calls start with the old key, are refused,
    // and retry with the key the first refusal read.
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => call(adapter, provider, shape, `during ${i}`)));
    expect(replies).toEqual(Array(12).fill('fine'));
    expect(refused() - before401).toBe(12);
    expect(secret.reloads).toBe(1);

    // New calls use the new key without a refusal.
    time.advance(1_000);
    const after401 = refused();
    expect(await call(adapter, provider, shape, 'after')).toBe('fine');
    expect(refused()).toBe(after401);
    expect(secret.reloads).toBe(1);
    expect(secret.reveal()).toBe(NEW);
  });

  it('a file that did not change: the refusal stands (no retry loop), as auth', async () => {
    emulator().acceptKeys(NEW);
    const file = path.join(dir, `${provider}-${shape}-stale.key`);
    writeFileSync(file, OLD);
    const adapter = adapterFor(provider, emulator(), new FileSecret(file));
    const before = emulator().requests.length;
    const error = await call(adapter, provider, shape, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe('auth');
    expect(emulator().requests.length - before).toBe(1);
  });

  it('a host callback: fetched once, again only after its TTL or a refusal; concurrent refusals share one fetch', async () => {
    emulator().acceptKeys(OLD);
    const time = clock();
    let issued = OLD;
    let calls = 0;
    const credential = new ProviderCredential(
      async () => {
        calls += 1;
        await new Promise((r) => setTimeout(r, 5)); // a vault round trip: refusals arrive while it is pending
        return { apiKey: issued, ttlMs: 60_000 };
      },
      { engine: 'primary', provider, now: time.now },
    );
    const adapter = adapterFor(provider, emulator(), credential);
    await Promise.all([call(adapter, provider, shape, 'a'), call(adapter, provider, shape, 'b')]);
    expect(calls).toBe(1);

    emulator().acceptKeys(NEW);
    issued = NEW;
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => call(adapter, provider, shape, `r${i}`)));
    expect(replies).toEqual(Array(10).fill('fine'));
    expect(calls).toBe(2);

    time.advance(60_000); // the TTL ran out: fetched again before the next call
    expect(await call(adapter, provider, shape, 'ttl')).toBe('fine');
    expect(calls).toBe(3);
    expect(inspect(credential)).not.toContain(NEW);
  });

  it('a callback that fails is auth naming the engine, and never quotes the key', async () => {
    let fail = false;
    const credential = new ProviderCredential(
      async () => {
        if (fail) throw new Error(`vault: token for ${OLD} revoked`);
        return { apiKey: OLD };
      },
      { engine: 'primary', provider },
    );
    emulator().acceptKeys(OLD);
    const adapter = adapterFor(provider, emulator(), credential);
    expect(await call(adapter, provider, shape, 'ok')).toBe('fine');
    emulator().acceptKeys(NEW);
    fail = true; // the next call is refused (old key), and the refresh fails
    const error = await call(adapter, provider, shape, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe('auth');
    expect((error as EngineError).message).toBe('engine `primary`: the credential callback failed: vault: token for [redacted] revoked');
    expect(JSON.stringify(error) + String(error) + inspect(error)).not.toContain(OLD);
  });
});

describe('`${file:path}` in sdl.config.yaml', () => {
  it('makes api_key a FileSecret read from the path relative to the config, used by createEngine', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'sdl-rotate-config-'));
    writeFileSync(path.join(project, 'anthropic.key'), `${OLD}\n`);
    const text = 'engines:\n  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "${file:anthropic.key}" }\n';
    const { config, diagnostics } = parseConfig(text, path.join(project, 'sdl.config.yaml'), { env: {} });
    expect(diagnostics).toEqual([]);
    const key = config!.engines.claude!.apiKey;
    expect(key).toBeInstanceOf(FileSecret);
    expect(String(key) + JSON.stringify(config) + inspect(config, { depth: Infinity })).not.toContain(OLD);
    const emulator = emulators.get('anthropic')!;
    emulator.acceptKeys(OLD);
    const adapter = createEngine({ ...config!.engines.claude!, baseUrl: emulator.url });
    expect((await adapter.generate(request('anthropic', 'hi'))).text).toBe('fine');
  });

  // [what, text, line, column, end column, message]
  const cases: Array<[string, string, number, number, number, string]> = [
    ['a missing file', 'engines:\n  c: { provider: anthropic, model: claude-sonnet-5, api_key: "${file:nope.key}" }\n', 2, 63, 79, 'the secret file nope.key does not exist'],
    ['a path leaving the folder', 'engines:\n  c: { provider: anthropic, model: claude-sonnet-5, api_key: "${file:../x.key}" }\n', 2, 63, 79, '`../x.key` leaves the config\'s folder'],
  ];
  it.each(cases)('SDL3908 for %s, at the reference', (_what, text, line, column, endColumn, message) => {
    const project = mkdtempSync(path.join(tmpdir(), 'sdl-rotate-bad-'));
    const { config, diagnostics } = parseConfig(text, path.join(project, 'sdl.config.yaml'), { env: {} });
    expect(config).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'SDL3908', severity: 'error', message, range: { start: { line, column }, end: { line, column: endColumn } } });
    expect(diagnostics[0]!.hint).toBeDefined();
  });
});
