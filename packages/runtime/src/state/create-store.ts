/**
 * Builds a store from the `state:` section of `sdl.config.yaml` (already interpolated), so hosts
 * and `skillc run` pick a backend by configuration rather than by code.
 */
import path from 'node:path';
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { StateClock, StateStore } from './types.js';

/** A value that is revealed only on purpose: the `Secret` of `@sdl/adapters` (the Redis URL may hold a password). */
export interface RevealableSecret {
  reveal(): string;
}

/**
 * The `state:` section of `sdl.config.yaml` as `loadConfig` returns it (`config.state`), so
 * `createStateStore(config.state)` needs no translation. Field names are those of spec/config.md.
 */
export interface StateConfig {
  store: 'memory' | 'file' | 'redis';
  /** The directory of a `file` store (relative to `baseDir`). */
  path?: string;
  /** @deprecated The old name of `path`; still accepted. */
  dir?: string;
  /** The Redis URL of a `redis` store: a `Secret` from the config, or a plain string. */
  url?: string | RevealableSecret;
  /** Key prefix of a `redis` store. */
  prefix?: string;
}

/** Options of {@link createStateStore}. */
export interface CreateStateStoreOptions {
  /** Time source for TTLs (default: `Date.now`). */
  clock?: StateClock;
  /** Relative `dir` values are resolved against this (default: the working directory). */
  baseDir?: string;
}

/**
 * A store for the given configuration (`config.state` of a loaded `sdl.config.yaml`); `memory`
 * when no configuration is given. The URL is revealed here only to hand it to the Redis client.
 */
export function createStateStore(config: StateConfig | undefined, options: CreateStateStoreOptions = {}): StateStore {
  const clock = options.clock;
  switch (config?.store ?? 'memory') {
    case 'memory':
      return new MemoryStore(clock ? { clock } : {});
    case 'file': {
      const dir = config?.path ?? config?.dir;
      if (typeof dir !== 'string' || dir === '') throw new TypeError('state.store "file" needs `path` (a directory path)');
      return new FileStore({ dir: path.resolve(options.baseDir ?? process.cwd(), dir), ...(clock ? { clock } : {}) });
    }
    case 'redis': {
      const given = config?.url;
      const url = typeof given === 'object' && given !== null && typeof given.reveal === 'function' ? given.reveal() : given;
      const prefix = config?.prefix;
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
        // Never the URL itself: it may hold a password.
        throw new TypeError('state.store "redis" needs `url` (redis://host:port or rediss://...)');
      }
      return new RedisStore({ redis: url, ...(typeof prefix === 'string' ? { prefix } : {}), ...(clock ? { clock } : {}) });
    }
    default:
      throw new TypeError(`unknown state.store ${JSON.stringify(config?.store)}: use "memory", "file" or "redis"`);
  }
}
