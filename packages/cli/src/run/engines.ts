/**
 * From a validated `sdl.config.yaml` to what `skillc run` hands the runtime: an engine registry
 * (one adapter per engine), an `EngineRouter` over the default middleware chain, model
 * descriptors that honour `model_info`, and the state store of `state:`.
 */
import path from 'node:path';
import {
  createEngine,
  findModel,
  type EngineAdapter,
  type ModelDescriptor,
  type Provider,
  type SdlConfig,
} from '@sdl/adapters';
import {
  CircuitBreakers,
  createDefaultChain,
  createStateStore,
  EngineRegistry,
  EngineRouter,
  MemoryBreakerStore,
  MemoryRateLimiter,
  systemClock,
  type EngineEntry,
  type RateLimiter,
  type ResponseCache,
  type RuntimeMetrics,
  type StateStore,
} from '@sdl/runtime';

/** What a run needs from the configuration. */
export interface RunEngines {
  router: EngineRouter;
  /** Descriptors by provider and model; engines' `model_info` first, then the built-in list. */
  describeModel: (provider: Provider, model: string) => ModelDescriptor | undefined;
  /** The engine an EngineError came from (errors carry the provider only; several engines may share one). */
  engineOf(error: unknown): string | undefined;
}

/**
 * Tags every error an adapter throws with the engine's name, so a failure can be reported as
 * "engine `backup` (anthropic): rate_limited" without the error ever holding the key.
 */
function tagged(name: string, adapter: EngineAdapter, origins: WeakMap<object, string>): EngineAdapter {
  const tag = (error: unknown): never => {
    if (typeof error === 'object' && error !== null && !origins.has(error)) origins.set(error, name);
    throw error;
  };
  const wrapped: EngineAdapter = {
    provider: adapter.provider,
    generate: (request) => adapter.generate(request).catch(tag),
    async *stream(request) {
      try {
        yield* adapter.stream(request);
      } catch (error) {
        tag(error);
      }
    },
  };
  // The rate limiter warms adapters up before it grants a slot; provider batches need the batch API.
  if (adapter.warmUp !== undefined) wrapped.warmUp = () => adapter.warmUp!();
  if (adapter.batches !== undefined) Object.assign(wrapped, { batches: adapter.batches });
  return wrapped;
}

/** Shared middleware state for processes that work together (`skillc batch`, `skillc worker`): limits and breakers in Redis. */
export interface SharedChainState {
  limiter?: RateLimiter;
  breakers?: CircuitBreakers;
  /** Responses cached for skills with `policies.cache` (`skillc serve`: in Redis when the state store is); no cache stage without it. */
  cache?: ResponseCache;
  /** Prometheus metrics the chain and router record into (`skillc serve` exposes them at /metrics). */
  metrics?: RuntimeMetrics;
}

/** Builds the engines, the router (default middleware chain) and the descriptors of `config`; limiter and breakers are per process unless `shared` gives others. */
export function enginesFromConfig(config: SdlConfig, shared: SharedChainState = {}): RunEngines {
  const origins = new WeakMap<object, string>();
  const entries: EngineEntry[] = Object.values(config.engines).map((engine) => {
    // A scripted engine outside `skillc test` has no script: it echoes the last user message.
    const adapter = createEngine(engine, { scripted: { fallback: 'echo' } });
    const entryConfig: NonNullable<EngineEntry['config']> = {};
    if (engine.limits) entryConfig.limits = { ...engine.limits };
    if (engine.timeoutMs !== undefined) entryConfig.timeout_ms = engine.timeoutMs;
    return { name: engine.name, provider: engine.provider, model: engine.model, adapter: tagged(engine.name, adapter, origins), config: entryConfig };
  });
  const configured = new Map<string, ModelDescriptor>();
  for (const engine of Object.values(config.engines)) configured.set(`${engine.provider}\u0000${engine.model}`, engine.descriptor);
  const describeModel = (provider: Provider, model: string) => configured.get(`${provider}\u0000${model}`) ?? findModel(provider, model);
  const registry = new EngineRegistry(entries, config.defaultEngine);
  const chain = createDefaultChain({
    breakers: shared.breakers ?? new CircuitBreakers(new MemoryBreakerStore(), systemClock),
    limiter: shared.limiter ?? new MemoryRateLimiter(systemClock),
    ...(shared.cache === undefined ? {} : { cache: shared.cache }),
  });
  const router = new EngineRouter({ registry, chain, describeModel, ...(shared.metrics === undefined ? {} : { metrics: shared.metrics }) });
  return {
    router,
    describeModel,
    engineOf: (error) => {
      if (typeof error !== 'object' || error === null) return undefined;
      const tagged = origins.get(error);
      if (tagged !== undefined) return tagged;
      // Errors made by the middleware (e.g. a timeout) carry only the provider: name the engine when that is unambiguous.
      const provider = (error as { provider?: unknown }).provider;
      const matches = Object.values(config.engines).filter((e) => e.provider === provider);
      return matches.length === 1 ? matches[0]!.name : undefined;
    },
  };
}

/** The conversation store of `state:`; a file store's relative `path` is relative to the config file. */
export function stateStoreFromConfig(config: SdlConfig): StateStore {
  const state = config.state;
  const baseDir = path.dirname(path.resolve(config.file));
  // Defaults of `skillc run` where the config leaves them out: .sdl/state, the local Redis.
  if (state.store === 'file') return createStateStore({ ...state, path: state.path ?? '.sdl/state' }, { baseDir });
  if (state.store === 'redis') return createStateStore({ ...state, url: state.url ?? 'redis://127.0.0.1:6379' });
  return createStateStore(state);
}

/**
 * For a Redis store: can we reach the server? Answers with a message naming host and port (never
 * the URL, which may hold a password), or undefined when it answers PING. Without this a down Redis
 * shows as the client's retries running out, long after the run started.
 */
export async function redisUnreachable(config: SdlConfig, timeoutMs = 3000): Promise<string | undefined> {
  if (config.state.store !== 'redis') return undefined;
  return redisUrlUnreachable(config.state.url?.reveal() ?? 'redis://127.0.0.1:6379', 'the Redis state store', timeoutMs);
}

/** {@link redisUnreachable} for any Redis URL; `what` names it in the message (never the URL itself). */
export async function redisUrlUnreachable(text: string, what: string, timeoutMs = 3000): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `the URL of ${what} is not a valid URL`;
  }
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 6379);
  const where = `${host}:${port}`;
  const { connect } = await import('node:net');
  const { connect: connectTls } = await import('node:tls');
  return new Promise((resolve) => {
    const socket = url.protocol === 'rediss:' ? connectTls({ host, port, servername: host }) : connect({ host, port });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`${what} at ${where} did not answer within ${timeoutMs} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`cannot reach ${what} at ${where} (${error.code ?? error.message})`));
    socket.once(url.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => done(undefined));
  });
}
