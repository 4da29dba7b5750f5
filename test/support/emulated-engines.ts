/**
 * The engines the end-to-end tests run on: the real adapters (official SDKs over HTTP) pointed at
 * emulators, behind the engine router and the default middleware chain, as a host would wire them.
 */
import {
  AnthropicAdapter,
  CohereAdapter,
  OpenAIAdapter,
  findModel,
  type EmulatedProvider,
  type Emulator,
  type EngineAdapter,
} from '@sdl/adapters';
import {
  CircuitBreakers,
  CostTracker,
  DEFAULT_POLICIES,
  EngineRegistry,
  EngineRouter,
  MemoryBreakerStore,
  MemoryRateLimiter,
  createDefaultChain,
  systemClock,
  type ResolvedPolicies,
} from '@sdl/runtime';

/** The adapter of `provider`, talking to `url` with `apiKey` and a 5 s call timeout. */
export function emulatedAdapter(provider: EmulatedProvider, url: string, apiKey: string): EngineAdapter {
  const options = { apiKey, baseURL: url, timeoutMs: 5_000 };
  if (provider === 'anthropic') return new AnthropicAdapter(options);
  if (provider === 'openai') return new OpenAIAdapter(options);
  return new CohereAdapter(options);
}

/** One engine per provider in `only` (the first is the default), behind the default chain and the router. */
export function emulatedRouter(options: {
  emulators: Record<EmulatedProvider, Emulator>;
  engines: Record<EmulatedProvider, string>;
  models: Record<EmulatedProvider, string>;
  apiKey: string;
  only: EmulatedProvider[];
  costs?: CostTracker;
  policies?: Partial<ResolvedPolicies>;
}): EngineRouter {
  const { emulators, engines, models, apiKey, only } = options;
  const registry = new EngineRegistry(
    only.map((p) => ({ name: engines[p], provider: p, model: models[p], adapter: emulatedAdapter(p, emulators[p].url, apiKey) })),
    engines[only[0]!],
  );
  const chain = createDefaultChain({
    breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock),
    limiter: new MemoryRateLimiter(systemClock),
    costs: options.costs ?? new CostTracker({ describeModel: findModel }),
  });
  return new EngineRouter({ registry, chain, defaults: { ...DEFAULT_POLICIES, timeoutMs: 5_000, ...options.policies } });
}
