import type { LimitPolicy } from './policies.js';

/** Why the local rate limiter refused a call (see {@link RateLimiter} for when each happens). */
export type RateLimitRejection = 'queue_full' | 'queue_timeout' | 'wait_exceeds_cap' | 'exceeds_capacity';

/**
 * A call refused by the local rate limiter (never sent). The router treats it as "engine
 * unavailable" and fails over.
 */
export class RateLimitRejectedError extends Error {
  override readonly name = 'RateLimitRejectedError';
  constructor(
    readonly reason: RateLimitRejection,
    readonly key: string,
    message: string,
    /** For wait_exceeds_cap: how long the call would have had to wait. */
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

/** One call asking the rate limiter for a slot. */
export interface AcquireRequest {
  /** The bucket key, e.g. `engine:claude` or `tenant:acme:claude`. */
  key: string;
  limits: LimitPolicy;
  /** Estimated tokens for the tokens-per-minute bucket. */
  tokens: number;
  signal?: AbortSignal;
  /** Called once when the call has to wait. */
  onQueued?(depth: number): void;
}

/** A granted slot. Reconcile once real usage is known; release when the call ends. */
export interface RateLimitLease {
  /** Corrects the token bucket with the call's real usage: returns over-estimated tokens or takes the shortfall. */
  reconcile(actualTokens: number): Promise<void>;
  /** Gives the concurrency slot back; call exactly once when the call ends, whatever its outcome. */
  release(): Promise<void>;
  /**
   * Present when the limiter waits to hear that the call's request went out (a new bucket of the
   * `RedisRateLimiter` holds its refill clock until then: see {@link RateLimiter}); call it at the send.
   */
  sent?(): void;
}

/**
 * Token buckets for requests and tokens per minute, a concurrency limit, and a FIFO queue with
 * a bound and a timeout. `MemoryRateLimiter` and `RedisRateLimiter` share these semantics:
 * - buckets refill continuously at rpm/60000 (tpm/60000) per ms up to the burst size (default:
 *   the per-minute figure);
 * - only the head of the queue may take tokens (strict FIFO: a small request never overtakes a
 *   big one), and only while fewer than `concurrency` leases are held;
 * - a request larger than the bucket is refused at once (`exceeds_capacity`); a head whose wait
 *   for tokens exceeds `maxWaitMs` is refused (`wait_exceeds_cap`); a waiter beyond `maxQueue` is
 *   refused (`queue_full`); a waiter still queued after `queueTimeoutMs` is refused (`queue_timeout`);
 * - reconcile returns over-estimated tokens to the bucket or takes the shortfall (the bucket may go
 *   negative, delaying later calls).
 *
 * `RedisRateLimiter` also holds a new bucket's refill clock until the first call granted from it is
 * sent (its lease's `sent`, or its release; at most `sendHoldMs`): processes start cold, their first
 * calls reach the provider later than the ones granted after them, and the provider counts from the
 * first arrival. Refill then runs from that send, so the burst and the first refills are not counted
 * from an earlier moment than the provider counts them.
 */
export interface RateLimiter {
  /**
   * Waits (FIFO) until the call fits the limits and grants a lease.
   * @throws {@link RateLimitRejectedError} when the call is refused; rejects with `signal.reason` when `signal` fires.
   */
  acquire(request: AcquireRequest): Promise<RateLimitLease>;
  /** Waiters queued in this process for `key`. */
  queueDepth(key: string): number;
}

/** The bucket sizes (burst, else the per-minute figure) for requests and tokens; `Infinity` when unlimited. */
export function capacities(limits: LimitPolicy): { requests: number; tokens: number } {
  return {
    requests: limits.rpm === undefined ? Infinity : (limits.burstRequests ?? limits.rpm),
    tokens: limits.tpm === undefined ? Infinity : (limits.burstTokens ?? limits.tpm),
  };
}

/** Milliseconds until both buckets hold enough (0 when they already do). */
export function waitForTokens(
  limits: LimitPolicy,
  state: { requests: number; tokens: number },
  tokensNeeded: number,
): number {
  let wait = 0;
  if (limits.rpm !== undefined && state.requests < 1) wait = Math.max(wait, ((1 - state.requests) * 60_000) / limits.rpm);
  if (limits.tpm !== undefined && state.tokens < tokensNeeded)
    wait = Math.max(wait, ((tokensNeeded - state.tokens) * 60_000) / limits.tpm);
  return Math.ceil(wait);
}

/**
 * Refuses at once a call that could never fit the token bucket, instead of queueing it forever.
 * @throws {@link RateLimitRejectedError} with reason `exceeds_capacity`.
 */
export function checkCapacity(request: AcquireRequest): void {
  const cap = capacities(request.limits);
  if (request.tokens > cap.tokens) {
    throw new RateLimitRejectedError(
      'exceeds_capacity',
      request.key,
      `the call needs about ${request.tokens} tokens but the "${request.key}" limit allows ${cap.tokens} per minute; ` +
        `shorten the prompt or raise tpm`,
    );
  }
}
