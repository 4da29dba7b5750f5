import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createEngine, interpolate, loadConfig, parseConfig, Secret } from '@sdl/adapters';
import fc from 'fast-check';

const KEY = 'sk-ant-SECRET-value-123';
const env = { ANTHROPIC_API_KEY: KEY, OPENAI_API_KEY: 'sk-openai-SECRET', CO_API_KEY: 'co-SECRET' };
const fixture = new URL('./fixtures/config/brief.sdl.config.yaml', import.meta.url).pathname;

describe('interpolate', () => {
  it.each([
    ['${env:A}', { A: 'x' }, 'x'],
    ['pre-${env:A}-post', { A: 'x' }, 'pre-x-post'],
    ['${env:B:-fallback}', {}, 'fallback'],
    ['${env:B:-fallback}', { B: '' }, 'fallback'],
    ['${env:B:-fallback}', { B: 'set' }, 'set'],
    ['${env:B:-}', {}, ''],
    ['${env:B:-a:-b}', {}, 'a:-b'],
    ['literal $${env:A}', { A: 'x' }, 'literal ${env:A}'],
    ['no refs', {}, 'no refs'],
  ])('%s', (text, vars, expected) => {
    const result = interpolate(text, vars);
    expect(result.problems).toEqual([]);
    expect(result.value).toBe(expected);
  });

  it.each([
    ['${env:MISSING}', 'unset'],
    ['${ENV:A}', 'malformed'],
    ['${env:}', 'malformed'],
    ['${env:1A}', 'malformed'],
    ['${env:A', 'malformed'],
  ])('%s is reported (%s)', (text, kind) => {
    expect(interpolate(text, {}).problems[0]?.kind).toBe(kind);
  });

  it('never re-reads inserted values as references (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const result = interpolate('${env:V}', { V: value });
        expect(result.value).toBe(value);
        expect(result.problems).toEqual([]);
      }),
    );
  });
});

describe('loadConfig', () => {
  it('loads the example from the brief with defaults and env references', async () => {
    const { config, diagnostics } = await loadConfig(fixture, { env });
    expect(diagnostics).toEqual([]);
    expect(config?.defaultEngine).toBe('claude');
    expect(config?.engines.claude).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-5', limits: { rpm: 50, tpm: 40000, concurrency: 8 } });
    expect(config?.engines.claude?.apiKey?.reveal()).toBe(KEY);
    expect(config?.engines.cohere?.baseUrl).toBe('https://api.cohere.com');
    expect(config?.engines.openai?.descriptor.contextWindow).toBeGreaterThan(0);
    expect(config?.state.store).toBe('redis');
    expect(config?.state.url?.reveal()).toBe('redis://127.0.0.1:6379');
  });

  it('never shows keys in JSON, toString or inspect', async () => {
    const { config } = await loadConfig(fixture, { env });
    const texts = [JSON.stringify(config), String(config?.engines.claude?.apiKey), inspect(config, { depth: 10 }), `${config?.engines.claude?.apiKey}`];
    for (const text of texts) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('SECRET');
    }
    expect(JSON.stringify(config)).toContain('[redacted]');
  });

  it('defaults: first engine, memory state', () => {
    const { config, diagnostics } = parseConfig('engines:\n  offline: { provider: scripted, model: anything }\n', 'c.yaml', { env: {} });
    expect(diagnostics).toEqual([]);
    expect(config?.defaultEngine).toBe('offline');
    expect(config?.state).toEqual({ store: 'memory' });
  });

  it('allows an unknown model described by model_info', () => {
    const text = [
      'engines:',
      '  local:',
      '    provider: openai',
      '    model: my-finetune',
      '    api_key: ${env:K}',
      '    model_info: { context_window: 32000, max_output_tokens: 2000, features: [tools], pricing: { input_per_mtok: 1, output_per_mtok: 2 } }',
    ].join('\n');
    const { config, diagnostics } = parseConfig(text, 'c.yaml', { env: { K: 'k' } });
    expect(diagnostics).toEqual([]);
    expect(config?.engines.local?.descriptor).toEqual({
      provider: 'openai',
      id: 'my-finetune',
      contextWindow: 32000,
      maxOutputTokens: 2000,
      features: ['tools'],
      pricing: { inputPerMTok: 1, outputPerMTok: 2 },
    });
  });

  it('interpolates numbers too', () => {
    const { config } = parseConfig('engines:\n  e: { provider: scripted, model: m, limits: { rpm: "${env:RPM:-42}" } }\n', 'c.yaml', { env: {} });
    expect(config?.engines.e?.limits?.rpm).toBe(42);
  });

  // [yaml, code, line, column, message fragment, hint fragment]
  const cases: Array<[string, string, number, number, string, string?]> = [
    ['engines:\n  a: { provider: antropic, model: m }\n', 'SDL2904', 2, 18, '`antropic` is not one of', 'did you mean `anthropic`?'],
    ['engines:\n  a: { provider: scripted, model: m, timout_ms: 5 }\n', 'SDL2901', 2, 38, 'unknown key `timout_ms`', 'did you mean `timeout_ms`?'],
    ['engines:\n  a: { provider: scripted }\n', 'SDL2903', 2, 6, 'has no `model`'],
    ['engines:\n  a:\n    provider: openai\n    model: gpt-5.4\n    api_key: ${env:NOPE_KEY}\n', 'SDL3901', 5, 14, 'NOPE_KEY is not set', '${env:NOPE_KEY:-value}'],
    ['engines:\n  a: { provider: openai, model: gpt-5.4, api_key: "${nv:K}" }\n', 'SDL3902', 2, 52, 'not a valid reference'],
    ['engines:\n  a: { provider: scripted, model: m }\ndefault_engine: b\n', 'SDL3903', 3, 17, '`b` is not one of the engines'],
    ['engines:\n  a: { provider: openai, model: gpt-5.44, api_key: x }\n', 'SDL3904', 2, 33, '`gpt-5.44` is not a known openai model', 'did you mean `gpt-5.4`?'],
    ['engines:\n  a: { provider: scripted, model: m, limits: { rpm: -1 } }\n', 'SDL2902', 2, 53, 'must be a positive integer'],
    ['engines:\n  a: { provider: scripted, model: m, base_url: "ftp://x" }\n', 'SDL2904', 2, 48, 'http:// or https:// URL'],
    ['engines: [a, b]\n', 'SDL2902', 1, 10, 'must be a mapping'],
    ['engines:\n  a: { provider: scripted, model: m }\n  a: { provider: scripted, model: m }\n', 'SDL1901', 3, 3, 'unique'],
    ['engines:\n  a: { provider: scripted, model: m\n', 'SDL1901', 3, 1, ''],
    ['engines:\n  a: { provider: openai, model: gpt-5.4 }\n', 'SDL3906', 2, 8, 'has no api_key', '${env:OPENAI_API_KEY}'],
  ];
  it.each(cases)('diagnostic %#: %s -> %s', (text, code, line, column, message, hint) => {
    const { config, diagnostics } = parseConfig(text, 'sdl.config.yaml', { env: { K: 'k' } });
    expect(config).toBeUndefined();
    const d = diagnostics.find((x) => x.code === code);
    expect(d, JSON.stringify(diagnostics)).toBeDefined();
    expect(d?.file).toBe('sdl.config.yaml');
    expect(d?.range.start).toEqual({ line, column });
    expect(d?.message).toContain(message);
    if (hint) expect(d?.hint).toContain(hint);
  });

  it('warns about a key written in the file and never repeats it', () => {
    const { config, diagnostics } = parseConfig(`engines:\n  a: { provider: anthropic, model: claude-sonnet-5, api_key: ${KEY} }\n`, 'c.yaml', { env: {} });
    expect(config).toBeDefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'SDL3905', severity: 'warning', range: { start: { line: 2, column: 62 } } });
    expect(JSON.stringify(diagnostics)).not.toContain(KEY);
  });

  it('never echoes a value from the environment in an error', () => {
    const { diagnostics } = parseConfig('engines:\n  a: { provider: "${env:P}", model: m }\n', 'c.yaml', { env: { P: KEY } });
    expect(diagnostics[0]?.code).toBe('SDL2904');
    expect(JSON.stringify(diagnostics)).not.toContain(KEY);
  });

  it('reports a missing file as a diagnostic', async () => {
    const { diagnostics } = await loadConfig('/nonexistent/sdl.config.yaml');
    expect(diagnostics[0]).toMatchObject({ code: 'SDL9901', severity: 'error' });
    expect(diagnostics[0]?.message).toContain('does not exist');
  });
});

describe('createEngine', () => {
  it('builds each provider from config; errors never carry the key', async () => {
    const { config } = await loadConfig(fixture, { env: { ...env, COHERE_BASE_URL: 'http://127.0.0.1:9' } });
    expect(createEngine(config!.engines.claude!).provider).toBe('anthropic');
    expect(createEngine(config!.engines.openai!).provider).toBe('openai');
    const cohere = createEngine({ ...config!.engines.cohere!, timeoutMs: 2000 });
    expect(cohere.provider).toBe('cohere');
    // Port 9 (discard) refuses the connection: a network error that names the engine's provider only.
    const err = await cohere.generate({ model: 'command-a-plus-05-2026', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e as Error);
    expect((err as { kind?: string }).kind).toBe('network');
    expect(`${(err as Error).message} ${inspect(err)}`).not.toContain('co-SECRET');
  });

  it('a Secret is opaque', () => {
    const s = new Secret('abc');
    expect(`${s}`).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(s.reveal()).toBe('abc');
  });
});
