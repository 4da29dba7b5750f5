import type { Clock } from '../time/clock.js';
import {
  capacities,
  checkCapacity,
  RateLimitRejectedError,
  waitForTokens,
  type AcquireRequest,
  type RateLimiter,
  type RateLimitLease,
} from './rate-limiter.js';

interface Waiter {
  request: AcquireRequest;
  grant(lease: RateLimitLease): void;
  fail(error: unknown): void;
  cleanup(): void;
}

interface Bucket {
  requests: number;
  tokens: number;
  refilledAt: number;
  inFlight: number;
  queue: Waiter[];
  /** The request that last used the bucket (its limits decide refill when sweeping). */
  lastRequest: AcquireRequest;
  cancelWake?: () => void;
}

/** The in-process rate limiter (see RateLimiter for the shared semantics). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * @param maxIdleBuckets Above this many keys (tenants x engines), idle buckets that have
   *   refilled completely are forgotten: recreating one gives the same full bucket.
   */
  constructor(
    private readonly clock: Clock,
    private readonly maxIdleBuckets = 10_000,
  ) {}

  private sweep(): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.queue.length || bucket.inFlight) continue;
      this.refill(bucket, bucket.lastRequest);
      const cap = capacities(bucket.lastRequest.limits);
      if (bucket.requests >= cap.requests && bucket.tokens >= cap.tokens) this.buckets.delete(key);
    }
  }

  queueDepth(key: string): number {
    return this.buckets.get(key)?.queue.length ?? 0;
  }

  acquire(request: AcquireRequest): Promise<RateLimitLease> {
    try {
      checkCapacity(request);
    } catch (error) {
      return Promise.reject(error);
    }
    const bucket = this.bucket(request);
    return new Promise<RateLimitLease>((resolve, reject) => {
      if (request.signal?.aborted) return reject(request.signal.reason);
      let cancelTimeout = () => {};
      const onAbort = () => {
        this.remove(bucket, waiter);
        reject(request.signal!.reason);
      };
      const waiter: Waiter = {
        request,
        grant: resolve,
        fail: reject,
        cleanup: () => {
          cancelTimeout();
          request.signal?.removeEventListener('abort', onAbort);
        },
      };
      bucket.queue.push(waiter);
      this.pump(request.key, bucket);
      if (!bucket.queue.includes(waiter)) return;
      if (bucket.queue.length > request.limits.maxQueue) {
        this.remove(bucket, waiter);
        reject(
          new RateLimitRejectedError(
            'queue_full',
            request.key,
            `the rate-limit queue for "${request.key}" is full (${request.limits.maxQueue} waiting)`,
          ),
        );
        return;
      }
      request.onQueued?.(bucket.queue.length);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      cancelTimeout = this.clock.setTimer(request.limits.queueTimeoutMs, () => {
        this.remove(bucket, waiter);
        reject(
          new RateLimitRejectedError(
            'queue_timeout',
            request.key,
            `waited ${request.limits.queueTimeoutMs} ms in the rate-limit queue for "${request.key}" without a slot`,
          ),
        );
      });
    });
  }

  private bucket(request: AcquireRequest): Bucket {
    let bucket = this.buckets.get(request.key);
    if (!bucket) {
      if (this.buckets.size >= this.maxIdleBuckets) this.sweep();
      const cap = capacities(request.limits);
      bucket = { requests: cap.requests, tokens: cap.tokens, refilledAt: this.clock.now(), inFlight: 0, queue: [], lastRequest: request };
      this.buckets.set(request.key, bucket);
    }
    bucket.lastRequest = request;
    return bucket;
  }

  private refill(bucket: Bucket, request: AcquireRequest): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - bucket.refilledAt);
    const cap = capacities(request.limits);
    const { rpm, tpm } = request.limits;
    bucket.requests = rpm === undefined ? Infinity : Math.min(cap.requests, bucket.requests + (elapsed * rpm) / 60_000);
    bucket.tokens = tpm === undefined ? Infinity : Math.min(cap.tokens, bucket.tokens + (elapsed * tpm) / 60_000);
    bucket.refilledAt = now;
  }

  private remove(bucket: Bucket, waiter: Waiter): void {
    const index = bucket.queue.indexOf(waiter);
    if (index < 0) return;
    bucket.queue.splice(index, 1);
    waiter.cleanup();
    if (index === 0) {
      bucket.cancelWake?.();
      delete bucket.cancelWake;
      const key = waiter.request.key;
      queueMicrotask(() => this.pump(key, bucket));
    }
  }

  /** Admits queue heads while they fit; schedules a wake-up when the head must wait for tokens. */
  private pump(key: string, bucket: Bucket): void {
    for (;;) {
      const head = bucket.queue[0];
      if (!head) return;
      const { limits, tokens } = head.request;
      this.refill(bucket, head.request);
      if (limits.concurrency !== undefined && bucket.inFlight >= limits.concurrency) return;
      const wait = waitForTokens(limits, bucket, tokens);
      if (wait > 0) {
        if (wait > limits.maxWaitMs) {
          bucket.queue.shift();
          head.cleanup();
          head.fail(
            new RateLimitRejectedError(
              'wait_exceeds_cap',
              key,
              `the "${key}" rate limit would delay this call ${wait} ms, more than max_wait_ms ${limits.maxWaitMs}`,
              wait,
            ),
          );
          continue;
        }
        // Re-arm: a reconcile or a new head can change how long the wait is.
        bucket.cancelWake?.();
        bucket.cancelWake = this.clock.setTimer(wait, () => {
          delete bucket.cancelWake;
          this.pump(key, bucket);
        });
        return;
      }
      bucket.queue.shift();
      head.cleanup();
      if (limits.rpm !== undefined) bucket.requests -= 1;
      if (limits.tpm !== undefined) bucket.tokens -= tokens;
      bucket.inFlight++;
      head.grant(this.lease(key, bucket, head.request));
    }
  }

  private lease(key: string, bucket: Bucket, request: AcquireRequest): RateLimitLease {
    let released = false;
    let reconciled = false;
    return {
      reconcile: async (actual) => {
        if (reconciled || request.limits.tpm === undefined) return;
        reconciled = true;
        this.refill(bucket, request);
        bucket.tokens = Math.min(capacities(request.limits).tokens, bucket.tokens + request.tokens - actual);
        this.pump(key, bucket);
      },
      release: async () => {
        if (released) return;
        released = true;
        bucket.inFlight--;
        this.pump(key, bucket);
      },
    };
  }
}
