/**
 * What `skillc batch` and `skillc worker` share: the Redis they meet in (flag, then
 * `SDL_REDIS_URL`, then a redis `state.url` of the config, then the local default), and a runtime
 * whose rate limits and circuit breakers live in that Redis, so every worker on every machine
 * draws from the same buckets.
 */
import type { SdlConfig } from '@sdl/adapters';
import {
  CircuitBreakers,
  createRuntime,
  RedisBreakerStore,
  RedisRateLimiter,
  systemClock,
  type HostTool,
  type Runtime,
} from '@sdl/runtime';
import { Redis } from 'ioredis';
import { enginesFromConfig, type RunEngines } from '../run/engines.js';

/** The Redis URL batch processes use. */
export function batchRedisUrl(flag: string | undefined, config: SdlConfig, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) return flag;
  if (env.SDL_REDIS_URL !== undefined && env.SDL_REDIS_URL !== '') return env.SDL_REDIS_URL;
  if (config.state.store === 'redis' && config.state.url !== undefined) return config.state.url.reveal();
  return 'redis://127.0.0.1:6379';
}

/** A runtime on the config's engines with Redis-shared limits and breakers; `close()` ends its Redis connection. */
export interface SharedRuntime {
  runtime: Runtime;
  engines: RunEngines;
  close(): Promise<void>;
}

/** Builds the shared runtime; `prefix` namespaces the limiter's and breakers' keys like the queue's. */
export function createSharedRuntime(config: SdlConfig, redisUrl: string, prefix: string, tools: Record<string, HostTool> = {}): SharedRuntime {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const limiter = new RedisRateLimiter({ redis, prefix: `${prefix}:rl:` });
  const breakerStore = new RedisBreakerStore(redis, `${prefix}:breaker:`);
  const breakers = new CircuitBreakers(breakerStore, systemClock);
  const engines = enginesFromConfig(config, { limiter, breakers });
  const runtime = createRuntime({ router: engines.router, describeModel: engines.describeModel, defaultEngine: config.defaultEngine, tools });
  return {
    runtime,
    engines,
    async close() {
      await limiter.idle();
      breakerStore.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
