/**
 * Redis rate limiter, serial cost per call (issue 14): acquire + reconcile + release of one call,
 * for limit shapes needing one round trip (rpm only; rpm + tpm with usage as estimated) and two
 * (a concurrency limit: the lease is released; usage off the estimate: a reconcile), alternating
 * in blocks so load hits all alike. The baseline is one bare `PING` on the same connection.
 * Needs Redis on 127.0.0.1:6379 (SDL_TEST_REDIS_URL).
 *
 *   npx tsx bench/resilience/round-trips.ts [--calls 2000]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisRateLimiter, type LimitPolicy } from '../../packages/runtime/src/index.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' } } });
const CALLS = Number(values.calls);
const redis = new Redis(process.env.SDL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `sdl-bench:rt:${process.pid}:`;
const limiter = new RedisRateLimiter({ redis, prefix });
const limits = (over: Partial<LimitPolicy>): LimitPolicy => ({ maxQueue: 100, queueTimeoutMs: 60_000, maxWaitMs: 120_000, ...over });

const shapes: Record<string, () => Promise<unknown>> = {
  'PING (one round trip, baseline)': () => redis.ping(),
  'rpm only': async () => {
    const lease = await limiter.acquire({ key: 'a', limits: limits({ rpm: 1e9 }), tokens: 10 });
    await lease.reconcile(10);
    await lease.release();
  },
  'rpm + tpm, usage as estimated': async () => {
    const lease = await limiter.acquire({ key: 'b', limits: limits({ rpm: 1e9, tpm: 1e12 }), tokens: 10 });
    await lease.reconcile(10);
    await lease.release();
  },
  'rpm + tpm, usage off the estimate (+ reconcile)': async () => {
    const lease = await limiter.acquire({ key: 'c', limits: limits({ rpm: 1e9, tpm: 1e12 }), tokens: 10 });
    await lease.reconcile(25);
    await lease.release();
  },
  'rpm + concurrency (+ release)': async () => {
    const lease = await limiter.acquire({ key: 'd', limits: limits({ rpm: 1e9, concurrency: 1000 }), tokens: 10 });
    await lease.reconcile(10);
    await lease.release();
  },
};

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(shapes).map((k) => [k, []]));
const loadBefore = loadavg();
for (const fn of Object.values(shapes)) for (let i = 0; i < 100; i++) await fn(); // warm-up (script loading)
for (let block = 0; block < CALLS / 100; block++) {
  for (const [name, fn] of Object.entries(shapes)) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) await fn();
    samples[name]!.push(((performance.now() - t0) * 1000) / 100);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ping = samples['PING (one round trip, baseline)']!;
console.log(`Redis rate limiter, serial, ${CALLS} calls per shape in blocks of 100; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| per call | median µs (of block means) | ratio to PING, paired per block (median, range) |');
console.log('| --- | --- | --- |');
for (const [name, xs] of Object.entries(samples)) {
  const ratios = xs.map((x, i) => x / ping[i]!).sort((a, b) => a - b);
  console.log(`| ${name} | ${median(xs).toFixed(0)} | ${median(ratios).toFixed(2)}× (${ratios[0]!.toFixed(2)}–${ratios.at(-1)!.toFixed(2)}) |`);
}
const keys = await redis.keys(`${prefix}*`);
if (keys.length) await redis.del(...keys);
redis.disconnect();
