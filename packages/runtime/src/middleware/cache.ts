import { createHash } from 'node:crypto';
import { printRedacted, type EngineRequest, type EngineResponse } from '@sdl/adapters';
import type { Redis } from 'ioredis';
import { redisAddress } from '../state/redis-address.js';
import type { Clock } from '../time/clock.js';
import { replayResponse, tapStream } from './stream.js';
import { withTraits } from './stage-traits.js';
import type { Middleware } from './types.js';

/** Where cached responses live. */
export interface ResponseCache {
  /** The cached response for `key` (see {@link cacheKey}), or `undefined` when absent or expired. */
  get(key: string): Promise<EngineResponse | undefined>;
  /** Stores a response for `ttlMs` milliseconds. */
  set(key: string, value: EngineResponse, ttlMs: number): Promise<void>;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = canonical(v);
    }
    return out;
  }
  return value;
}

/**
 * The cache key: SHA-256 of the normalized request (provider, model, system, messages, tools,
 * tool choice, output schema and sampling parameters, keys sorted). Signal and timeout are not
 * part of what the model sees, so they are left out.
 */
export function cacheKey(provider: string, request: EngineRequest): string {
  const { signal: _signal, timeoutMs: _timeout, ...rest } = request;
  return createHash('sha256').update(JSON.stringify(canonical({ provider, ...rest }))).digest('hex');
}

/** In-process LRU with TTL (a Map keeps insertion order; a hit re-inserts). */
export class MemoryResponseCache implements ResponseCache {
  private readonly entries = new Map<string, { value: EngineResponse; expiresAt: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 1000,
  ) {}

  async get(key: string): Promise<EngineResponse | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now()) return undefined;
    this.entries.set(key, entry);
    return structuredClone(entry.value);
  }

  async set(key: string, value: EngineResponse, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value: structuredClone(value), expiresAt: this.clock.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Shared cache in Redis (`SET ... PX ttl`), so every process sees the same entries. */
export class RedisResponseCache implements ResponseCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sdl:cache:',
  ) {
    printRedacted(this, 'RedisResponseCache', () => ({ address: redisAddress(this.redis) })); // the client's options hold the password
  }

  async get(key: string): Promise<EngineResponse | undefined> {
    const raw = await this.redis.get(this.prefix + key);
    return raw === null ? undefined : (JSON.parse(raw) as EngineResponse);
  }

  async set(key: string, value: EngineResponse, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)));
  }
}

/**
 * Serves identical requests from the cache and coalesces identical concurrent requests in this
 * process (single flight: followers wait for the leader's response; if the leader fails they
 * run themselves). A cached reply to a stream call is replayed as a stream.
 */
export function cacheMiddleware(store: ResponseCache): Middleware {
  const inflight = new Map<string, Promise<EngineResponse>>();
  const middleware: Middleware = async (ctx, next) => {
    const policy = ctx.policies.cache;
    if (!policy || policy.ttlMs <= 0) return next();
    const key = cacheKey(ctx.provider, ctx.request);
    const asResult = (response: EngineResponse, coalesced: boolean) => {
      ctx.emit({ type: 'cache-hit', engine: ctx.engine, coalesced });
      ctx.metrics?.cacheRequests.inc({ result: coalesced ? 'coalesced' : 'hit' });
      return ctx.streaming
        ? { kind: 'stream' as const, events: replayResponse(response), cached: true }
        : { kind: 'response' as const, response, cached: true };
    };
    const hit = await store.get(key);
    if (hit) return asResult(hit, false);
    const leader = inflight.get(key);
    if (leader) {
      const response = await leader.then(
        (r) => r,
        () => undefined,
      );
      if (response) return asResult(structuredClone(response), true);
    }
    ctx.metrics?.cacheRequests.inc({ result: 'miss' });
    let settle!: { resolve(r: EngineResponse): void; reject(e: unknown): void };
    const promise = new Promise<EngineResponse>((resolve, reject) => (settle = { resolve, reject }));
    promise.catch(() => {});
    inflight.set(key, promise);
    const finish = () => {
      if (inflight.get(key) === promise) inflight.delete(key);
    };
    const store_ = async (response: EngineResponse) => {
      settle.resolve(response);
      finish();
      await store.set(key, response, policy.ttlMs).catch((error: unknown) =>
        ctx.logger.warn('cache write failed', { engine: ctx.engine, error }),
      );
    };
    let result;
    try {
      result = await next();
    } catch (error) {
      settle.reject(error);
      finish();
      throw error;
    }
    if (result.kind === 'response') {
      await store_(result.response);
      return result;
    }
    return {
      ...result,
      events: tapStream(result.events, {
        onComplete: async (response) => {
          if (response) await store_(response);
          else settle.reject(new Error('stream ended without a stop event'));
        },
        onError: (error) => settle.reject(error),
        onFinally: () => {
          settle.reject(new Error('stream abandoned'));
          finish();
        },
      }),
    };
  };
  return withTraits(middleware, { idle: (p) => !p.cache || p.cache.ttlMs <= 0, signalBlind: true });
}
