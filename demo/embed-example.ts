import { loadConfig } from '@sdl/adapters';
import {
  CircuitBreakers,
  createDefaultChain,
  createRuntime,
  EngineRegistry,
  engineEntryFromConfig,
  EngineRouter,
  FileStore,
  loadSkillFile,
  MemoryBreakerStore,
  MemoryRateLimiter,
  systemClock,
  type RunResult,
} from '@sdl/runtime';

const GLOSSARY: Record<string, Record<string, string>> = {
  'express checkout': { ja: 'エクスプレスチェックアウト', zh: '快速结账', de: 'Express-Checkout' },
};

/** Builds the runtime once at start-up: engines from sdl.config.yaml, one host tool, durable sessions. */
export async function createTranslator({
  configFile = 'sdl.config.yaml',
  skillFile = 'build/translate-with-glossary.skill.json',
  stateDir = '.sdl-state',
} = {}) {
  const { config, diagnostics } = await loadConfig(configFile);
  if (config === undefined) {
    throw new Error(diagnostics.map((d) => `${d.file}:${d.range.start.line}:${d.range.start.column}: ${d.message}`).join('\n'));
  }
  // Every engine of the config behind the default middleware chain:
  // redaction, rate limits, circuit breaker, retry with backoff, timeout, failover down `prefer:`.
  const registry = new EngineRegistry(Object.values(config.engines).map(engineEntryFromConfig), config.defaultEngine);
  const chain = createDefaultChain({
    breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock),
    limiter: new MemoryRateLimiter(systemClock),
  });
  const runtime = createRuntime({
    router: new EngineRouter({ registry, chain }),
    state: new FileStore({ dir: stateDir }), // conversation memory; RedisStore when several processes share it
    tools: {
      lookup_term: {
        description: 'Approved translation of a glossary term',
        parameters: { type: 'object', required: ['term', 'target_language'], properties: { term: { type: 'string' }, target_language: { type: 'string' } } },
        execute: (args) => {
          const term = String(args.term); // arguments were validated against `parameters` already
          const approved = GLOSSARY[term.toLowerCase()]?.[String(args.target_language)];
          return { term, approved: approved ?? term, note: approved ? 'from the glossary' : 'not in the glossary' };
        },
      },
    },
  });
  const skill = runtime.load(await loadSkillFile(skillFile)); // resolves engines and tools now, not on the first request

  return {
    translate: (text: string, target_language: string): Promise<RunResult> =>
      runtime.run(skill, { text, target_language }, { deadlineMs: 30_000 }),
    /** Hot switch: runs that start from now on prefer this engine after the skill's own `prefer:`. */
    useEngine: (name: string) => runtime.setDefaultEngine(name),
  };
}
