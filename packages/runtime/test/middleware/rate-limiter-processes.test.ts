import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';

const worker = fileURLToPath(new URL('./fixtures/limiter-worker.ts', import.meta.url));

function startWorker(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stderr.on('data', (d: Buffer) => {
    err += d;
    if (err.includes('ready\n')) markReady();
  });
  const done = new Promise<{ admits: number[]; maxActive: number }>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { admits: number[]; maxActive: number }) : reject(new Error(`worker exited ${code}: ${err}`)))),
  );
  return { child, done, ready };
}

describeWithRedis('RedisRateLimiter shared by 3 processes', () => {
  const prefix = `sdl-test:rl-proc:${process.pid}:${Date.now()}:`;
  const redis = new Redis(REDIS_URL);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('keeps the processes together within rpm, burst and concurrency', async () => {
    const rpm = 1800; // 30 per second
    const burst = 3;
    const concurrency = 4;
    const perProcess = 15;
    const workers = [0, 1, 2].map(() => startWorker([REDIS_URL, prefix, String(perProcess), String(rpm), String(burst), String(concurrency), '30']));
    // Wait until all three processes are up, then start them together.
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.end('go\n');
    const results = await Promise.all(workers.map((w) => w.done));

    const admits = results.flatMap((r) => r.admits).sort((a, b) => a - b);
    expect(admits).toHaveLength(3 * perProcess);
    for (const r of results) expect(r.maxActive).toBeLessThanOrEqual(concurrency);
    expect(Math.max(...results.map((r) => r.maxActive))).toBeGreaterThan(1); // they did overlap

    const perMs = rpm / 60_000;
    const t0 = admits[0]!;
    // By any moment, no more than the burst plus what refilled since the first admission
    // (plus one token of slack for clock granularity between Redis TIME and Date.now).
    admits.forEach((t, i) => expect(i + 1).toBeLessThanOrEqual(burst + (t - t0 + 50) * perMs + 1));
    // And the limit really held them back: 45 requests at 30/s after a burst of 3 take ~1.4 s.
    const elapsed = admits[admits.length - 1]! - t0;
    expect(elapsed).toBeGreaterThanOrEqual(((3 * perProcess - burst - 1) / perMs) * 0.95);
  }, 30_000);
});
