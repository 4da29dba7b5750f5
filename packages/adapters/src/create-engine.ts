import { AnthropicAdapter } from './anthropic/adapter.js';
import { CohereAdapter } from './cohere/adapter.js';
import type { EngineConfig, SdlConfig } from './config/load.js';
import { EngineError } from './errors.js';
import { OpenAIAdapter } from './openai/adapter.js';
import { ScriptedAdapter, type ScriptedEngineOptions } from './scripted/adapter.js';
import type { ProviderAdapterOptions } from './shared/options.js';
import { ProviderCredential, type CredentialCallback } from './shared/credential.js';
import { FileSecret } from './config/file-secret.js';
import type { EngineAdapter } from './types.js';

/** Options of {@link createEngine} and {@link createEngines}. */
export interface CreateEngineOptions {
  /** The script of a `scripted` engine (replies come from a skill's tests or the host). */
  scripted?: ScriptedEngineOptions;
  /**
   * Where the key comes from instead of `api_key` (a vault, a token endpoint): called on the first
   * call, after the TTL it returns and after an `auth` failure ({@link ProviderCredential}).
   */
  credential?: CredentialCallback;
}

/**
 * Builds the adapter an engine config entry describes. The key goes to the SDK and nowhere else.
 *
 * @param engine - one validated entry of `sdl.config.yaml` (`config.engines[name]`)
 * @param options - the script of a `scripted` engine
 * @returns the provider's adapter, configured with the engine's base URL, timeout and output limit
 * @throws {@link EngineError} of kind `auth` when a provider engine has no API key
 *
 * @example
 * ```ts
 * import { createEngine, loadConfig } from '@sdl/adapters';
 *
 * const { config } = await loadConfig('sdl.config.yaml');
 * if (config) {
 *   const engine = createEngine(config.engines[config.defaultEngine]!);
 *   const reply = await engine.generate({ model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'Hello' }] });
 *   console.log(reply.text, reply.usage.outputTokens);
 * }
 * ```
 */
export function createEngine(engine: EngineConfig, options: CreateEngineOptions = {}): EngineAdapter {
  if (engine.provider === 'scripted') return new ScriptedAdapter({ model: engine.model, ...options.scripted });
  let apiKey: ProviderAdapterOptions['apiKey'];
  if (options.credential !== undefined) apiKey = new ProviderCredential(options.credential, { engine: engine.name, provider: engine.provider });
  else if (engine.apiKey instanceof FileSecret) apiKey = engine.apiKey; // read again when the file changes
  else if (engine.apiKey) apiKey = engine.apiKey.reveal();
  else throw new EngineError('auth', `engine \`${engine.name}\` has no api_key in its configuration`, { provider: engine.provider });
  const adapterOptions: ProviderAdapterOptions = {
    apiKey,
    ...(engine.baseUrl ? { baseURL: engine.baseUrl } : {}),
    ...(engine.timeoutMs !== undefined ? { timeoutMs: engine.timeoutMs } : {}),
    // Anthropic needs max_tokens on every call; never ask for more than the model can give.
    defaultMaxTokens: Math.min(4096, engine.descriptor.maxOutputTokens),
  };
  switch (engine.provider) {
    case 'anthropic':
      return new AnthropicAdapter(adapterOptions);
    case 'openai':
      return new OpenAIAdapter(adapterOptions);
    case 'cohere':
      return new CohereAdapter(adapterOptions);
  }
}

/** Options of {@link createEngines}. */
export interface CreateEnginesOptions {
  /** The script of `scripted` engines. */
  scripted?: ScriptedEngineOptions;
  /** Credential callbacks by engine name (see {@link CreateEngineOptions.credential}). */
  credentials?: Record<string, CredentialCallback>;
}

/** One adapter per configured engine, by name. */
export function createEngines(config: SdlConfig, options: CreateEnginesOptions = {}): Record<string, EngineAdapter> {
  return Object.fromEntries(
    Object.entries(config.engines).map(([name, engine]) => {
      const credential = options.credentials?.[name];
      return [name, createEngine(engine, { ...(options.scripted ? { scripted: options.scripted } : {}), ...(credential ? { credential } : {}) })];
    }),
  );
}
