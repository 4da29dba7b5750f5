/**
 * Builds a store from the `state:` section of `sdl.config.yaml` (already interpolated), so hosts
 * and `skillc run` pick a backend by configuration rather than by code.
 */
import path from 'node:path';
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { StateClock, StateStore } from './types.js';

/** The `state:` configuration. */
export type StateConfig =
  | { store: 'memory' }
  | { store: 'file'; dir: string }
  | { store: 'redis'; url: string; prefix?: string };

/** Options of {@link createStateStore}. */
export interface CreateStateStoreOptions {
  /** Time source for TTLs (default: `Date.now`). */
  clock?: StateClock;
  /** Relative `dir` values are resolved against this (default: the working directory). */
  baseDir?: string;
}

/** A store for the given configuration; `memory` when no configuration is given. */
export function createStateStore(config: StateConfig | undefined, options: CreateStateStoreOptions = {}): StateStore {
  const clock = options.clock;
  switch (config?.store ?? 'memory') {
    case 'memory':
      return new MemoryStore(clock ? { clock } : {});
    case 'file': {
      const { dir } = config as { dir?: unknown };
      if (typeof dir !== 'string' || dir === '') throw new TypeError('state.store "file" needs `dir` (a directory path)');
      return new FileStore({ dir: path.resolve(options.baseDir ?? process.cwd(), dir), ...(clock ? { clock } : {}) });
    }
    case 'redis': {
      const { url, prefix } = config as { url?: unknown; prefix?: unknown };
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
        throw new TypeError('state.store "redis" needs `url` (redis://host:port or rediss://...)');
      }
      return new RedisStore({ redis: url, ...(typeof prefix === 'string' ? { prefix } : {}), ...(clock ? { clock } : {}) });
    }
    default:
      throw new TypeError(`unknown state.store ${JSON.stringify(config?.store)}: use "memory", "file" or "redis"`);
  }
}
