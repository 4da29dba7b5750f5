// One process of the limiter-accuracy benchmark: `concurrency` loops take and release leases on
// a shared Redis key as fast as they are granted, for `durationMs`, and report admission times.
import { Redis } from 'ioredis';
import { RedisRateLimiter } from '../../packages/runtime/src/middleware/rate-limiter-redis.js';

const [url, prefix, rpm, burst, loops, durationMs] = process.argv.slice(2).map((v, i) => (i < 2 ? v : Number(v))) as [string, string, number, number, number, number];
const redis = new Redis(url);
const limiter = new RedisRateLimiter({ redis, prefix });
const limits = { rpm, burstRequests: burst, maxQueue: 10_000, queueTimeoutMs: 60_000, maxWaitMs: 60_000 };
await redis.ping();
process.stderr.write('ready\n');
const start = await new Promise<number>((resolve) => process.stdin.once('data', (d) => resolve(Number(String(d).trim()))));
process.stdin.destroy();
const admits: number[] = [];
const end = start + durationMs;
await Promise.all(
  Array.from({ length: loops }, async () => {
    while (Date.now() < end) {
      const lease = await limiter.acquire({ key: 'bench', limits, tokens: 1 });
      admits.push(Date.now());
      await lease.release();
    }
  }),
);
process.stdout.write(JSON.stringify(admits) + '\n');
redis.disconnect();
