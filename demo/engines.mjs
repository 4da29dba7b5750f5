/**
 * The demo's engines: three wire-compatible emulators (Anthropic, OpenAI, Cohere) started in this
 * process on OS-chosen ports, an `sdl.config.yaml` pointing the real adapters (official SDKs over
 * HTTP) at them, and the runtime on the engine router with the default middleware chain.
 */
import { parseConfig, startEmulator } from '@sdl/adapters';
import {
  callModelThroughRouter,
  CircuitBreakers,
  createDefaultChain,
  createRuntime,
  EngineRegistry,
  engineEntryFromConfig,
  EngineRouter,
  MemoryBreakerStore,
  MemoryRateLimiter,
  MemoryStore,
  systemClock,
} from '@sdl/runtime';
import { demoReply } from './replies.mjs';

/** Engine name in sdl.config.yaml → emulated provider. */
export const ENGINES = [
  { name: 'claude', provider: 'anthropic', model: 'claude-sonnet-5' },
  { name: 'openai', provider: 'openai', model: 'gpt-5.4' },
  { name: 'cohere', provider: 'cohere', model: 'command-a-plus-05-2026' },
];

/** The config a host would keep in sdl.config.yaml; only the URLs point at the emulators. */
function demoConfigText(urls) {
  const lines = ['engines:'];
  for (const e of ENGINES) {
    lines.push(`  ${e.name}: { provider: ${e.provider}, model: ${e.model}, api_key: "\${env:SDL_DEMO_API_KEY}", base_url: "${urls[e.name]}", timeout_ms: 10000 }`);
  }
  lines.push('default_engine: claude');
  return `${lines.join('\n')}\n`;
}

/** How long an open breaker waits before a probe (short, so the demo shows the recovery). */
export const BREAKER_RESET_MS = 1500;

/** Small deterministic PRNG so retry jitter (and so the printed delays) repeat from run to run. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts the emulators and builds the runtime.
 * @param {{ streamDelayMs?: number, tools?: Record<string, unknown> }} options
 */
export async function startDemoEngines(options = {}) {
  const emulators = {};
  for (const e of ENGINES) {
    emulators[e.name] = await startEmulator({ provider: e.provider, reply: demoReply, streamDelayMs: options.streamDelayMs ?? 0 });
  }
  const urls = Object.fromEntries(ENGINES.map((e) => [e.name, emulators[e.name].url]));
  // The emulators accept any key; a real host sets ANTHROPIC_API_KEY etc. and never prints them.
  const parsed = parseConfig(demoConfigText(urls), 'sdl.config.yaml (demo)', { env: { SDL_DEMO_API_KEY: 'emulator-only-key' } });
  if (parsed.config === undefined) {
    await Promise.all(Object.values(emulators).map((em) => em.close()));
    throw new Error(`demo config is invalid:\n${parsed.diagnostics.map((d) => `  ${d.code} ${d.message}`).join('\n')}`);
  }
  const config = parsed.config;
  // Engine-level policies: a short retry budget and a breaker that opens after two failed calls,
  // so the failover scene takes seconds, not minutes (the stricter of skill and engine wins).
  const entries = Object.values(config.engines).map((engine) => {
    const entry = engineEntryFromConfig(engine);
    return { ...entry, config: { ...entry.config, retry: { max_attempts: 3 }, circuit_breaker: { failures: 2, reset_ms: BREAKER_RESET_MS } } };
  });
  const registry = new EngineRegistry(entries, config.defaultEngine);
  const breakers = new CircuitBreakers(new MemoryBreakerStore(), systemClock);
  const chain = createDefaultChain({ breakers, limiter: new MemoryRateLimiter(systemClock), random: seeded(7) });
  const router = new EngineRouter({ registry, chain });

  /** Scenes subscribe to the chain's events (retries, breaker changes, switches). */
  const listeners = new Set();
  const onCallEvent = (event) => {
    for (const listener of listeners) listener(event);
  };
  // Conversation memory; a host would pick FileStore or RedisStore for durability across processes.
  const state = new MemoryStore();
  const runtime = createRuntime({ router, callModel: callModelThroughRouter(router, { onCallEvent }), tools: options.tools ?? {}, state });

  return {
    config,
    configText: demoConfigText(urls),
    emulators,
    registry,
    breakers,
    router,
    runtime,
    state,
    /** @param {(event: any) => void} listener  @returns {() => void} unsubscribe */
    onCallEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await Promise.all(Object.values(emulators).map((em) => em.close()));
    },
  };
}
