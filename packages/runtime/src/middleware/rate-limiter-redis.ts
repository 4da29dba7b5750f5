import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { printRedacted } from '@sdl/adapters';
import { redisAddress } from '../state/redis-address.js';
import { systemClock, type Clock } from '../time/clock.js';
import {
  capacities,
  checkCapacity,
  RateLimitRejectedError,
  type AcquireRequest,
  type RateLimiter,
  type RateLimitLease,
} from './rate-limiter.js';

/*
 * One atomic script per decision, so N processes sharing a key together stay within the limit.
 * KEYS: 1 bucket hash (r, t, ts, seq, hold; n:<waiter> tokens needed, w:<waiter> granted while
 * holding), 2 queue zset (member -> ticket), 3 waiter heartbeats (member -> expiry ms), 4 leases
 * (member -> expiry ms).
 * `now` is ARGV[1], or Redis server TIME when empty (one clock for every process).
 */
const NOW = `
-- Redis < 5 needs effects replication before writing after TIME; later versions always do it.
if redis.replicate_commands then redis.replicate_commands() end
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`;

const REFILL = `
-- A new bucket holds its refill clock (hold: ms deadline) until a call granted from it is sent (SENT)
-- or the deadline passes: the provider starts counting at the first arrival, not at the first grant.
local function refill(rpm, tpm, capR, capT, holdMs)
  local st = redis.call('HMGET', KEYS[1], 'r', 't', 'ts', 'hold')
  local r = tonumber(st[1]) or capR
  local t = tonumber(st[2]) or capT
  local ts = tonumber(st[3]) or now
  local hold = tonumber(st[4])
  if not st[3] and holdMs and (rpm or tpm) then
    hold = now + holdMs
    redis.call('HSET', KEYS[1], 'hold', hold)
  end
  if hold then
    if now < hold then ts = now else
      ts = math.max(ts, hold)
      hold = nil
      redis.call('HDEL', KEYS[1], 'hold')
    end
  end
  local el = now - ts
  if el < 0 then el = 0 end
  if rpm then r = math.min(capR, r + el * rpm / 60000) end
  if tpm then t = math.min(capT, t + el * tpm / 60000) end
  return r, t, hold ~= nil
end
local function save(rpm, tpm, r, t)
  if rpm then redis.call('HSET', KEYS[1], 'r', r) end
  if tpm then redis.call('HSET', KEYS[1], 't', t) end
  redis.call('HSET', KEYS[1], 'ts', now)
end`;

const ACQUIRE = `${NOW}
${REFILL}
local id = ARGV[2]
local rpm = tonumber(ARGV[3])
local tpm = tonumber(ARGV[4])
local capR = tonumber(ARGV[5])
local capT = tonumber(ARGV[6])
local need = tonumber(ARGV[7])
local conc = tonumber(ARGV[8])
local leaseTtl = tonumber(ARGV[9])
local waiterTtl = tonumber(ARGV[10])
local maxWait = tonumber(ARGV[11])
local maxQueue = tonumber(ARGV[12])
local enqueue = ARGV[13] == '1'
local ttl = tonumber(ARGV[14])
local holdMs = tonumber(ARGV[15])
-- forget waiters and leases of processes that stopped (no heartbeat / lease or grant expired)
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, w in ipairs(dead) do
  redis.call('ZREM', KEYS[2], w)
  redis.call('HDEL', KEYS[1], 'n:' .. w)
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)) do redis.call('HDEL', KEYS[1], 'w:' .. w) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
-- granted by another caller's script while we slept: claim it
if not enqueue and redis.call('ZSCORE', KEYS[4], id) and not redis.call('ZSCORE', KEYS[2], id) then
  -- the lease set counts calls in flight only for a concurrency limit; without one the claim ends it
  if conc then redis.call('ZADD', KEYS[4], now + leaseTtl, id) else redis.call('ZREM', KEYS[4], id) end
  redis.call('ZREM', KEYS[3], id)
  local held = redis.call('HGET', KEYS[1], 'w:' .. id) and 1 or 0
  redis.call('HDEL', KEYS[1], 'w:' .. id)
  return {1, 0, redis.call('ZCARD', KEYS[2]), 0, held}
end
if enqueue then
  redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[1], 'seq', 1), id)
  redis.call('HSET', KEYS[1], 'n:' .. id, need)
end
if not redis.call('ZSCORE', KEYS[2], id) then return {-2, 0, 0} end
redis.call('ZADD', KEYS[3], now + waiterTtl, id)
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
-- advance the queue: admit heads, in order, while they fit. Whoever runs the script does this,
-- so tokens are granted when they exist even if the head's own process is slow to ask.
local r, t, holding = refill(rpm, tpm, capR, capT, holdMs)
local headWait = 0
local self = false
local selfHeld = 0
for i = 1, 64 do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not head then break end
  if conc and redis.call('ZCARD', KEYS[4]) >= conc then headWait = -1 break end
  local hneed = tonumber(redis.call('HGET', KEYS[1], 'n:' .. head)) or 1
  local wait = 0
  if rpm and r < 1 then wait = math.max(wait, (1 - r) * 60000 / rpm) end
  if tpm and t < hneed then wait = math.max(wait, (hneed - t) * 60000 / tpm) end
  if wait > 0 then headWait = math.ceil(wait) break end
  if rpm then r = r - 1 end
  if tpm then t = t - hneed end
  redis.call('ZREM', KEYS[2], head)
  redis.call('ZREM', KEYS[3], head)
  redis.call('HDEL', KEYS[1], 'n:' .. head)
  if head == id then
    self = true
    if holding then selfHeld = 1 end
    -- without a concurrency limit nothing counts leases, so the caller has no release to send
    if conc then redis.call('ZADD', KEYS[4], now + leaseTtl, head) end
  else
    -- a grant its owner claims on its next check; unclaimed, it lapses with the waiter TTL
    redis.call('ZADD', KEYS[4], now + waiterTtl, head)
    if holding then redis.call('HSET', KEYS[1], 'w:' .. head, 1) end
  end
end
save(rpm, tpm, r, t)
local depth = redis.call('ZCARD', KEYS[2])
if self then return {1, 0, depth, 0, selfHeld} end
local rank = redis.call('ZRANK', KEYS[2], id)
local function drop()
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[1], 'n:' .. id)
end
if rank == 0 then
  if headWait > maxWait then
    drop()
    return {-1, headWait, depth}
  end
  if enqueue and maxQueue == 0 then
    drop()
    return {-3, 0, depth}
  end
  return {0, headWait, depth, 0}
end
if enqueue and rank >= maxQueue then
  drop()
  return {-3, 0, depth}
end
return {0, -1, depth, rank}`;

// RECONCILE's and SENT's bucket arguments (after ARGV[1]): the limits and the bucket capacities.
const BUCKET_ARGS = `local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local capR = tonumber(ARGV[4])
local capT = tonumber(ARGV[5])`;

const RECONCILE = `${NOW}
${REFILL}
${BUCKET_ARGS}
local delta = tonumber(ARGV[6])
local r, t = refill(rpm, tpm, capR, capT)
if tpm then t = math.min(capT, t + delta) end
save(rpm, tpm, r, t)
return 1`;

const LEAVE = `
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[1], 'n:' .. ARGV[1], 'w:' .. ARGV[1])
return 1`;

// A call granted while the new bucket's refill clock was held went out (or ended unsent): it runs from now.
const SENT = `${NOW}
${REFILL}
${BUCKET_ARGS}
local r, t, holding = refill(rpm, tpm, capR, capT)
if not holding then return 0 end
redis.call('HDEL', KEYS[1], 'hold')
save(rpm, tpm, r, t)
return 1`;

type Limiter3 = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/** Options of {@link RedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** The ioredis client the limiter's scripts run on (left open by the limiter). */
  redis: Redis;
  /** Prefix for every key (tests use a unique one). */
  prefix?: string;
  /**
   * Where "now" comes from: the Redis server's TIME (default; one clock for all processes) or a
   * passed Clock (tests with a FakeClock; every process must then share a clock source).
   */
  timeSource?: 'redis' | Clock;
  /** Clock used for waiting (default the system clock, or the passed time source). */
  clock?: Clock;
  /** How often a queued (non-head) waiter re-checks, in ms; local releases wake it at once. */
  pollMs?: number;
  /** How often the waiter next in line re-checks (default 2 ms, so cross-process hand-offs are quick). */
  nextInLinePollMs?: number;
  /** A lease not released after this long is reclaimed (crashed process). */
  leaseTtlMs?: number;
  /** A waiter that has not checked in for this long is dropped from the queue. */
  waiterTtlMs?: number;
  /**
   * The longest a new bucket's refill clock waits for the first call granted from it to be sent
   * (default 1,000 ms; it starts when such a call is sent, or ends without sending).
   */
  sendHoldMs?: number;
}

/**
 * The Redis-shared rate limiter: same semantics as MemoryRateLimiter (see RateLimiter), with
 * the buckets, the FIFO queue (tickets from HINCRBY) and the leases in Redis and every decision
 * made by one Lua script. Waiters poll; in this process they are also woken on every release.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly fixedNow: Clock | undefined;
  private readonly pollMs: number;
  private readonly nextInLinePollMs: number;
  private readonly leaseTtlMs: number;
  private readonly waiterTtlMs: number;
  private readonly sendHoldMs: number;
  private readonly local = new Map<string, Set<() => void>>();
  private inflight = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly acquireScript: Limiter3;
  private readonly reconcileScript: Limiter3;
  private readonly leaveScript: Limiter3;
  private readonly sentScript: Limiter3;

  constructor(options: RedisRateLimiterOptions) {
    this.redis = options.redis;
    printRedacted(this, 'RedisRateLimiter', () => ({ address: redisAddress(this.redis) })); // the client's options hold the password
    this.prefix = options.prefix ?? 'sdl:rl:';
    this.fixedNow = options.timeSource && options.timeSource !== 'redis' ? options.timeSource : undefined;
    this.clock = options.clock ?? this.fixedNow ?? systemClock;
    this.pollMs = options.pollMs ?? 10;
    this.nextInLinePollMs = options.nextInLinePollMs ?? Math.min(2, this.pollMs);
    this.leaseTtlMs = options.leaseTtlMs ?? 10 * 60_000;
    this.waiterTtlMs = options.waiterTtlMs ?? 30_000;
    this.sendHoldMs = options.sendHoldMs ?? 1_000;
    const define = (name: string, lua: string): Limiter3 => {
      const fullName = `sdlRateLimit${name}`;
      if (!(fullName in this.redis)) this.redis.defineCommand(fullName, { numberOfKeys: 4, lua });
      return async (keys, args) => {
        this.inflight++;
        try {
          return await (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[fullName]!(...keys, ...args);
        } finally {
          if (--this.inflight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      };
    };
    this.acquireScript = define('Acquire', ACQUIRE);
    this.reconcileScript = define('Reconcile', RECONCILE);
    this.leaveScript = define('Leave', LEAVE);
    this.sentScript = define('Sent', SENT);
  }

  /** Resolves when no script call of this limiter is in flight (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  queueDepth(key: string): number {
    return this.local.get(key)?.size ?? 0;
  }

  private keys(key: string): string[] {
    const base = this.prefix + key;
    return [`${base}:b`, `${base}:q`, `${base}:h`, `${base}:l`];
  }

  private now(): string {
    return this.fixedNow ? String(this.fixedNow.now()) : '';
  }

  private wake(key: string): void {
    for (const fn of this.local.get(key) ?? []) fn();
  }

  async acquire(request: AcquireRequest): Promise<RateLimitLease> {
    checkCapacity(request);
    const { key, limits, tokens, signal } = request;
    const keys = this.keys(key);
    const cap = capacities(limits);
    const id = randomUUID();
    const deadline = this.clock.now() + limits.queueTimeoutMs;
    const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : v);
    const args = (enqueue: boolean) => [
      this.now(), id, num(limits.rpm), num(limits.tpm), num(cap.requests), num(cap.tokens), tokens,
      num(limits.concurrency), this.leaseTtlMs, this.waiterTtlMs, limits.maxWaitMs, limits.maxQueue,
      enqueue ? '1' : '0', this.leaseTtlMs + 3_600_000, this.sendHoldMs,
    ];
    let wakeUp = () => {};
    const waiters = this.local.get(key) ?? new Set<() => void>();
    this.local.set(key, waiters);
    let woken = false;
    const waker = () => {
      woken = true;
      wakeUp();
    };
    waiters.add(waker);
    let enqueue = true;
    let notified = false;
    const leave = async () => {
      await this.leaveScript(keys, [id]);
      this.wake(key);
    };
    try {
      for (;;) {
        if (signal?.aborted) {
          await leave();
          throw signal.reason;
        }
        woken = false;
        const [status, hint, depth, rank = 0, held = 0] = (await this.acquireScript(keys, args(enqueue))) as [number, number, number, number?, number?];
        enqueue = false;
        if (status === 1) {
          this.wake(key);
          return this.lease(key, keys, id, request, held === 1);
        }
        if (status === -1) {
          this.wake(key);
          throw new RateLimitRejectedError(
            'wait_exceeds_cap',
            key,
            `the "${key}" rate limit would delay this call ${hint} ms, more than max_wait_ms ${limits.maxWaitMs}`,
            hint,
          );
        }
        if (status === -3) {
          throw new RateLimitRejectedError('queue_full', key, `the rate-limit queue for "${key}" is full (${limits.maxQueue} waiting)`);
        }
        if (status === -2) {
          enqueue = true; // our queue entry expired (we were too slow to check in): queue again
          continue;
        }
        if (!notified) {
          notified = true;
          request.onQueued?.(depth);
        }
        const now = this.clock.now();
        if (now >= deadline) {
          await leave();
          throw new RateLimitRejectedError(
            'queue_timeout',
            key,
            `waited ${limits.queueTimeoutMs} ms in the rate-limit queue for "${key}" without a slot`,
          );
        }
        if (woken) continue; // a release happened while we were asking: ask again now
        // The head sleeps exactly its wait. The next in line polls fast, so a slot freed in another
        // process is taken within a couple of ms; the rest poll at pollMs.
        const poll = rank === 1 ? this.nextInLinePollMs : this.pollMs;
        const sleepMs = Math.min(hint >= 0 ? hint : poll, deadline - now, this.waiterTtlMs / 3);
        const stop = new AbortController();
        wakeUp = () => stop.abort();
        const onAbort = () => stop.abort();
        signal?.addEventListener('abort', onAbort, { once: true });
        await this.clock.sleep(sleepMs, stop.signal).catch(() => {});
        signal?.removeEventListener('abort', onAbort);
      }
    } finally {
      waiters.delete(waker);
      if (waiters.size === 0) this.local.delete(key);
    }
  }

  private lease(key: string, keys: string[], id: string, request: AcquireRequest, held: boolean): RateLimitLease {
    const cap = capacities(request.limits);
    const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : v);
    let released = false;
    let reconciled = false;
    let reported = !held;
    const report = () => {
      if (reported) return undefined;
      reported = true;
      const { rpm, tpm } = request.limits;
      return this.sentScript(keys, [this.now(), num(rpm), num(tpm), num(cap.requests), num(cap.tokens)]).then(
        () => this.wake(key),
        () => undefined, // the hold lapses by itself after sendHoldMs
      );
    };
    return {
      // Only a grant made while a new bucket's refill clock is held asks to hear of its send.
      ...(held ? { sent: () => void report() } : {}),
      reconcile: async (actual) => {
        if (reconciled || request.limits.tpm === undefined) return;
        reconciled = true;
        // The estimate was right: nothing to give back or take, so no round trip.
        if (request.tokens === actual) return;
        await this.reconcileScript(keys, [
          this.now(), num(request.limits.rpm), num(request.limits.tpm), num(cap.requests), num(cap.tokens), request.tokens - actual,
        ]);
        this.wake(key);
      },
      release: async () => {
        if (released) return;
        released = true;
        // Leases are recorded only under a concurrency limit (see ACQUIRE); otherwise a call
        // costs its one acquire script and nothing more.
        if (request.limits.concurrency !== undefined) await this.redis.zrem(keys[3]!, id);
        await report(); // ended without a send the stage saw (failed before the request, or not over fetch)
        this.wake(key);
      },
    };
  }
}
