import { Redis } from 'ioredis';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeClock,
  MemoryRateLimiter,
  RateLimitRejectedError,
  RedisRateLimiter,
  type LimitPolicy,
  type RateLimiter,
  type RateLimitLease,
} from '@sdl/runtime';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';
import { until } from './support.js';

const limits = (over: Partial<LimitPolicy>): LimitPolicy => ({ maxQueue: 100, queueTimeoutMs: 60_000, maxWaitMs: 120_000, ...over });

interface Tracked {
  lease?: RateLimitLease;
  error?: unknown;
  done: boolean;
}

function track(p: Promise<RateLimitLease>): Tracked {
  const t: Tracked = { done: false };
  p.then(
    (lease) => Object.assign(t, { lease, done: true }),
    (error: unknown) => Object.assign(t, { error, done: true }),
  );
  return t;
}

/**
 * The same table of behaviours, run against every implementation. `settle` waits for the
 * limiter's outstanding I/O (none for memory), so the fake clock never runs ahead of it.
 */
function limiterContract(make: (clock: FakeClock) => RateLimiter & { idle?(): Promise<void> }) {
  let current: (RateLimiter & { idle?(): Promise<void> }) | undefined;
  const settleOn = async (clock: FakeClock) => {
    await until(() => clock.pending > 0);
    await current?.idle?.();
  };
  const makeLimiter = (clock: FakeClock) => {
    current = make(clock);
    // These callers send at once: a lease that asks to hear of the send is told on the grant.
    const acquire = current.acquire.bind(current);
    current.acquire = async (request) => {
      const lease = await acquire(request);
      lease.sent?.();
      return lease;
    };
    const advance = clock.advance.bind(clock);
    clock.advance = (ms: number) => advance(ms, async () => current?.idle?.());
    return current;
  };
  let n = 0;
  const key = () => `k${++n}`;

  it('requests per minute: a burst, then one request per 60000/rpm ms', async () => {
    const clock = new FakeClock();
    const limiter = makeLimiter(clock);
    const k = key();
    const l = limits({ rpm: 60, burstRequests: 2 });
    await limiter.acquire({ key: k, limits: l, tokens: 1 });
    await limiter.acquire({ key: k, limits: l, tokens: 1 });
    const third = track(limiter.acquire({ key: k, limits: l, tokens: 1 }));
    await settleOn(clock);
    await clock.advance(999);
    await settleOn(clock);
    expect(third.done).toBe(false);
    await clock.advance(1);
    await until(() => third.done);
    expect(third.lease).toBeDefined();
  });

  it('tokens per minute: estimated up front, reconciled with real usage after', async () => {
    const clock = new FakeClock();
    const limiter = makeLimiter(clock);
    const k = key();
    const l = limits({ tpm: 600, burstTokens: 100 });
    const first = await limiter.acquire({ key: k, limits: l, tokens: 80 });
    const second = track(limiter.acquire({ key: k, limits: l, tokens: 50 }));
    await settleOn(clock);
    expect(second.done).toBe(false); // needs 30 more tokens: 3 s at 10 tokens/s
    await first.reconcile(40); // the call used 40, not 80: 40 come back
    await until(() => second.done);
    expect(second.lease).toBeDefined();
  });

  it('a concurrency slot frees when the lease is released', async () => {
    const clock = new FakeClock();
    const limiter = makeLimiter(clock);
    const k = key();
    const l = limits({ concurrency: 1 });
    const first = await limiter.acquire({ key: k, limits: l, tokens: 1 });
    const second = track(limiter.acquire({ key: k, limits: l, tokens: 1 }));
    await settleOn(clock);
    expect(second.done).toBe(false);
    await first.release();
    await until(() => second.done);
    expect(second.lease).toBeDefined();
  });

  it('is FIFO: a small request does not overtake a big one at the head', async () => {
    const clock = new FakeClock();
    const limiter = makeLimiter(clock);
    const k = key();
    const l = limits({ tpm: 60, burstTokens: 60 });
    await limiter.acquire({ key: k, limits: l, tokens: 50 });
    const order: string[] = [];
    const big = limiter.acquire({ key: k, limits: l, tokens: 40 }).then(() => order.push('big'));
    await settleOn(clock);
    const small = limiter.acquire({ key: k, limits: l, tokens: 1 }).then(() => order.push('small'));
    await settleOn(clock);
    expect(order).toEqual([]); // 10 tokens left would fit "small", but "big" is first in line
    await clock.advance(30_000); // 30 missing tokens at 1 per second
    await big;
    await settleOn(clock);
    expect(order).toEqual(['big']);
    await clock.advance(1_000);
    await small;
    expect(order).toEqual(['big', 'small']);
  });

  it('refuses a waiter beyond the bounded queue (queue_full)', async () => {
    const clock = new FakeClock();
    const limiter = makeLimiter(clock);
    const k = key();
    const l = limits({ concurrency: 1, maxQueue: 1 });
    await limiter.acquire({ key: k, limits: l, tokens: 1 });
    track(limiter.acquire({ key: k, limits: l, tokens: 1 }));
    await settleOn(clock);
    const third = await limiter.acquire({ key: k, limits: l, tokens: 1 }).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(RateLimitRejectedError);
    expect((third as RateLimitRejectedError).reason).toBe('queue_full');
  });

  it('gives up after the queue timeout (queue_timeout)', async () => {
    const clock = new FakeClock();
    const limiter = makeLimiter(clock);
    const k = key();
    const l = limits({ concurrency: 1, queueTimeoutMs: 500 });
    await limiter.acquire({ key: k, limits: l, tokens: 1 });
    const second = track(limiter.acquire({ key: k, limits: l, tokens: 1 }));
    await settleOn(clock);
    await clock.advance(499);
    await settleOn(clock);
    expect(second.done).toBe(false);
    await clock.advance(1);
    await until(() => second.done);
    expect((second.error as RateLimitRejectedError).reason).toBe('queue_timeout');
  });

  it('refuses at once when the wait for tokens is beyond max_wait_ms (wait_exceeds_cap)', async () => {
    const clock = new FakeClock();
    const limiter = makeLimiter(clock);
    const k = key();
    const l = limits({ rpm: 1, maxWaitMs: 1_000 });
    await limiter.acquire({ key: k, limits: l, tokens: 1 });
    const error = (await limiter.acquire({ key: k, limits: l, tokens: 1 }).catch((e: unknown) => e)) as RateLimitRejectedError;
    expect(error.reason).toBe('wait_exceeds_cap');
    expect(error.waitMs).toBe(60_000);
  });

  it('refuses a request bigger than the token bucket (exceeds_capacity)', async () => {
    const limiter = makeLimiter(new FakeClock());
    const error = (await limiter.acquire({ key: key(), limits: limits({ tpm: 100 }), tokens: 200 }).catch((e: unknown) => e)) as RateLimitRejectedError;
    expect(error.reason).toBe('exceeds_capacity');
  });

  it('a waiter whose caller aborts leaves the queue, and the next one moves up', async () => {
    const clock = new FakeClock();
    const limiter = makeLimiter(clock);
    const k = key();
    const l = limits({ concurrency: 1 });
    const first = await limiter.acquire({ key: k, limits: l, tokens: 1 });
    const controller = new AbortController();
    const aborted = track(limiter.acquire({ key: k, limits: l, tokens: 1, signal: controller.signal }));
    await settleOn(clock);
    const third = track(limiter.acquire({ key: k, limits: l, tokens: 1 }));
    await settleOn(clock);
    controller.abort(new Error('caller gave up'));
    await until(() => aborted.done);
    expect((aborted.error as Error).message).toBe('caller gave up');
    await first.release();
    await until(() => third.done);
    expect(third.lease).toBeDefined();
  });
}

describe('MemoryRateLimiter', () => {
  limiterContract((clock) => new MemoryRateLimiter(clock));
});

describeWithRedis('RedisRateLimiter', () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  const prefix = `sdl-test:rl:${process.pid}:${Date.now()}:`;
  beforeAll(() => redis.connect());
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  limiterContract((clock) => new RedisRateLimiter({ redis, prefix, timeSource: clock, pollMs: 1_000, nextInLinePollMs: 1_000 }));

  // Round trips per call (issue 14): the acquire is one script; a release is sent only under a
  // concurrency limit and a reconcile only when the usage differs from the estimate.
  it.each([
    { name: 'rpm only', limits: { rpm: 600 }, actual: 10, trips: 1 },
    { name: 'rpm + tpm, usage as estimated', limits: { rpm: 600, tpm: 100_000 }, actual: 10, trips: 1 },
    { name: 'rpm + tpm, usage differs', limits: { rpm: 600, tpm: 100_000 }, actual: 25, trips: 2 },
    { name: 'concurrency', limits: { rpm: 600, concurrency: 4 }, actual: 10, trips: 2 },
  ])('one call with $name costs $trips Redis round trip(s)', async ({ limits: over, actual, trips }) => {
    const counted = new Redis(REDIS_URL);
    const limiter = new RedisRateLimiter({ redis: counted, prefix: `${prefix}trips:` });
    const key = `trips-${Object.keys(over).join('-')}-${actual}`;
    // Warm-up: ioredis loads each script once (SCRIPT LOAD on first EVALSHA miss), and the first call
    // of a new bucket, whose send is reported (see the next test), has been made.
    await (await limiter.acquire({ key, limits: limits(over), tokens: 10 })).release();
    let commands = 0;
    const send = counted.sendCommand.bind(counted);
    counted.sendCommand = ((...args: Parameters<typeof send>) => {
      commands++;
      return send(...args);
    }) as typeof counted.sendCommand;
    const lease = await limiter.acquire({ key, limits: limits(over), tokens: 10 });
    await lease.reconcile(actual);
    await lease.release();
    counted.disconnect();
    expect(commands).toBe(trips);
  });

  it("a new bucket's refill clock starts when its first call is sent, or ends unsent, or after sendHoldMs", async () => {
    const clock = new FakeClock();
    const limiter = new RedisRateLimiter({ redis, prefix: `${prefix}hold:`, timeSource: clock, pollMs: 1_000, nextInLinePollMs: 1_000, sendHoldMs: 5_000 });
    const l = limits({ rpm: 60, burstRequests: 2 });
    const step = async (ms: number) => {
      await until(() => clock.pending > 0);
      await limiter.idle();
      await clock.advance(ms, () => limiter.idle());
      await limiter.idle();
    };

    // Sent 3 s after the burst was granted: the first refill comes 1 s after that send, not after the grant.
    const first = await limiter.acquire({ key: 'sent', limits: l, tokens: 1 });
    const second = await limiter.acquire({ key: 'sent', limits: l, tokens: 1 });
    expect(first.sent).toBeTypeOf('function');
    expect(second.sent).toBeTypeOf('function'); // granted while the clock is held: either send starts it
    const third = track(limiter.acquire({ key: 'sent', limits: l, tokens: 1 }));
    await step(3_000);
    expect(third.done).toBe(false);
    first.sent!();
    second.sent!(); // a second report changes nothing
    await limiter.idle();
    await step(999);
    expect(third.done).toBe(false);
    await step(1);
    await until(() => third.done);
    expect(third.lease?.sent).toBeUndefined(); // the bucket is no longer new: nothing to report

    // Released without a send (failed before its request): the clock starts at the release.
    const unsent = await limiter.acquire({ key: 'unsent', limits: limits({ rpm: 60, burstRequests: 1 }), tokens: 1 });
    const next = track(limiter.acquire({ key: 'unsent', limits: limits({ rpm: 60, burstRequests: 1 }), tokens: 1 }));
    await step(2_000);
    expect(next.done).toBe(false);
    await unsent.release();
    await step(1_000);
    await until(() => next.done);

    // Never sent nor released (its process died): the clock starts sendHoldMs after the bucket was made.
    await limiter.acquire({ key: 'lost', limits: limits({ rpm: 60, burstRequests: 1 }), tokens: 1 });
    const after = track(limiter.acquire({ key: 'lost', limits: limits({ rpm: 60, burstRequests: 1 }), tokens: 1 }));
    await step(5_000);
    await step(999);
    expect(after.done).toBe(false);
    await step(1);
    await until(() => after.done);
  });

  it('across processes: whoever asks next grants the slot to the head of the queue, in FIFO order', async () => {
    const clock = new FakeClock();
    const opts = { redis, prefix, timeSource: clock, pollMs: 1_000, nextInLinePollMs: 1_000 };
    const one = new RedisRateLimiter(opts);
    const two = new RedisRateLimiter(opts); // another process: its waiters are not woken by `one`
    const l = limits({ concurrency: 1 });
    const held = await one.acquire({ key: 'handoff', limits: l, tokens: 1 });
    const b = track(two.acquire({ key: 'handoff', limits: l, tokens: 1 }));
    await until(() => clock.pending > 0);
    await two.idle();
    await held.release(); // `two` is not told; its waiter would only notice on its next poll
    const c = track(one.acquire({ key: 'handoff', limits: l, tokens: 1 }));
    await until(() => clock.pending > 1);
    await one.idle();
    expect(c.done).toBe(false); // c asked first after the release, but b is ahead in line: b got the grant
    await clock.advance(1_000, async () => {
      await one.idle();
      await two.idle();
    });
    await until(() => b.done);
    expect(b.lease).toBeDefined();
    expect(c.done).toBe(false);
    await b.lease!.release(); // again another process: c notices on its next poll
    await clock.advance(1_000, async () => {
      await one.idle();
      await two.idle();
    });
    await until(() => c.done);
    expect(c.lease).toBeDefined();
  });

  it('reclaims the slot of a process that died holding a lease (lease TTL)', async () => {
    const clock = new FakeClock();
    const crashed = new RedisRateLimiter({ redis, prefix, timeSource: clock, leaseTtlMs: 5_000, pollMs: 1_000, nextInLinePollMs: 1_000 });
    const alive = new RedisRateLimiter({ redis, prefix, timeSource: clock, leaseTtlMs: 5_000, pollMs: 1_000, nextInLinePollMs: 1_000 });
    const l = limits({ concurrency: 1 });
    await crashed.acquire({ key: 'crash', limits: l, tokens: 1 }); // never released
    const waiting = track(alive.acquire({ key: 'crash', limits: l, tokens: 1 }));
    const settle = async () => {
      await alive.idle();
    };
    await until(() => clock.pending > 0);
    await clock.advance(4_000, settle);
    expect(waiting.done).toBe(false);
    await clock.advance(1_000, settle);
    await until(() => waiting.done);
    expect(waiting.lease).toBeDefined();
  });
});

describe('MemoryRateLimiter invariants (property)', () => {
  it('never exceeds concurrency, and never admits more than burst + rate * elapsed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })), holdMs: fc.integer({ min: 0, max: 800 }) }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (calls, concurrency) => {
          const clock = new FakeClock();
          const start = clock.now();
          const limiter = new MemoryRateLimiter(clock);
          const l = limits({ rpm: 600, burstRequests: 3, concurrency }); // 10 per second
          let active = 0;
          let maxActive = 0;
          const admitted: number[] = [];
          const all: Promise<void>[] = [];
          for (const c of calls) {
            await clock.advance(c.gapMs);
            all.push(
              limiter.acquire({ key: 'p', limits: l, tokens: 1 }).then(async (lease) => {
                admitted.push(clock.now() - start);
                maxActive = Math.max(maxActive, ++active);
                await clock.sleep(c.holdMs);
                active--;
                await lease.release();
              }),
            );
          }
          while (admitted.length < calls.length) await clock.advance(100);
          await clock.runAll();
          await Promise.all(all);
          if (maxActive > concurrency) return false;
          return admitted.every((t, i) => i + 1 <= 3 + Math.floor(t / 100));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('MemoryRateLimiter bucket sweep', () => {
  it('forgets only idle buckets that have refilled, so limits hold across the sweep', async () => {
    const clock = new FakeClock();
    const limiter = new MemoryRateLimiter(clock, 2);
    const l = limits({ rpm: 1, maxWaitMs: 1_000 });
    await (await limiter.acquire({ key: 'a', limits: l, tokens: 1 })).release();
    await (await limiter.acquire({ key: 'b', limits: l, tokens: 1 })).release();
    await (await limiter.acquire({ key: 'c', limits: l, tokens: 1 })).release(); // sweeps: a and b are empty, kept
    await expect(limiter.acquire({ key: 'a', limits: l, tokens: 1 })).rejects.toMatchObject({ reason: 'wait_exceeds_cap' });
    await clock.advance(60_000);
    await (await limiter.acquire({ key: 'd', limits: l, tokens: 1 })).release(); // sweeps the refilled ones
    await expect(limiter.acquire({ key: 'a', limits: l, tokens: 1 })).resolves.toBeDefined();
  });
});
