/**
 * bench/batch: jobs per second of `runtime.batch` with 1, 2 and 4 `skillc worker` processes on the
 * real Redis against the OpenAI emulator, beside the same inputs run in this process with
 * Promise.all under the same limits (the same engine concurrency per process), and the queue's
 * overhead per job. Needs `npm run build` (the workers run packages/cli/bin/skillc.js) and Redis.
 *
 * Besides wall time it counts CPU time (user + system, from /proc on Linux) of every process on the
 * job's path — this process (emulator, runtime or coordinator), the worker processes from the moment
 * they take jobs, and the Redis server — so the queue's overhead per job is measured in CPU ms,
 * which a loaded machine distorts far less than wall time.
 *
 *   npx tsx bench/batch/run.ts [--jobs 600] [--rounds 3] [--concurrency 8]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, startEmulator } from '@sdl/adapters';
import { Redis } from 'ioredis';
import { createSharedRuntime } from '../../packages/cli/src/batch/shared-runtime.js';
import { enginesFromConfig } from '../../packages/cli/src/run/engines.js';
import { createRuntime, loadSkillFile } from '@sdl/runtime';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '600' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '8' } } });
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const REDIS_URL = process.env.SDL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SKILLC = path.join(ROOT, 'packages/cli/bin/skillc.js');
const KEY = 'sk-bench-batch-0123456789abcdef';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(xs.every((x) => x < 10) ? 2 : 1)}–${Math.max(...xs).toFixed(xs.every((x) => x < 10) ? 2 : 1)}`;

const emulator = await startEmulator({ provider: 'openai' });
const dir = mkdtempSync(path.join(tmpdir(), 'sdl-bench-batch-'));
writeFileSync(path.join(dir, 'echo-line.skill.yaml'), `sdl: "1.0"
name: echo-line
version: 1.0.0
description: Echoes a line.
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string }
steps:
  - id: say
    prompt:
      user: "{{ inputs.text }}"
`);
// The same limit for every contender: at most CONCURRENCY calls in flight per process.
writeFileSync(path.join(dir, 'sdl.config.yaml'), `engines:\n  emu: { provider: openai, model: gpt-5-mini, api_key: "\${env:SDL_BENCH_KEY}", base_url: "${emulator.url}" }\n`);
process.env.SDL_BENCH_KEY = KEY;
const config = (await loadConfig(path.join(dir, 'sdl.config.yaml'), { env: process.env })).config!;
const skill = await loadSkillFile(path.join(dir, 'echo-line.skill.yaml'));
const redis = new Redis(REDIS_URL);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/** CPU ms (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}
const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
const redisCpuMs = () => (Number.isFinite(redisPid) && redisPid > 0 ? cpuMsOf(redisPid) : 0);
/** CPU ms per contender and round, in all and split by process (this one, the workers, Redis). */
const cpu: Record<string, number[]> = {};
const parts: Record<string, Array<{ self: number; workers: number; redis: number }>> = {};
const snapshot = (workers: () => number = () => 0) => ({ self: selfCpuMs(), workers: workers(), redis: redisCpuMs() });
const record = (name: string, before: { self: number; workers: number; redis: number }, after: { self: number; workers: number; redis: number }) => {
  const d = { self: after.self - before.self, workers: after.workers - before.workers, redis: after.redis - before.redis };
  (parts[name] ??= []).push(d);
  (cpu[name] ??= []).push(d.self + d.workers + d.redis);
};

function startWorker(prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SKILLC, 'worker', '--config', 'sdl.config.yaml', '--redis', REDIS_URL, '--prefix', prefix, '--concurrency', String(CONCURRENCY)], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: process.env,
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d;
      if (err.includes('taking jobs')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
}

/** Promise.all over the inputs in this process, at most CONCURRENCY runs at once (the baseline). */
async function promiseAll(round: number): Promise<number> {
  const engines = enginesFromConfig(config);
  const runtime = createRuntime({ router: engines.router, describeModel: engines.describeModel });
  const inputs = Array.from({ length: JOBS }, (_, i) => ({ text: `r${round} line ${i}` }));
  let next = 0;
  const c0 = snapshot();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < inputs.length) await runtime.run(skill, inputs[next++]!);
    }),
  );
  const ms = performance.now() - t0;
  if (round >= 0) record('Promise.all (1 process)', c0, snapshot());
  return ms;
}

/** The same inputs through the queue, taken by `workers` skillc worker processes. */
async function queued(workers: number, round: number): Promise<number> {
  const prefix = `sdl-bench-batch-${process.pid}-${workers}-${round}`;
  const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(prefix)));
  const shared = createSharedRuntime(config, REDIS_URL, prefix);
  try {
    const items = Array.from({ length: JOBS }, (_, i) => ({ line: i + 1, input: { text: `q${workers} r${round} line ${i}` } }));
    const workersCpu = () => procs.reduce((sum, p) => sum + cpuMsOf(p.pid!), 0);
    const c0 = snapshot(workersCpu);
    const t0 = performance.now();
    const summary = await shared.runtime.batch(skill, items, {
      redis: REDIS_URL,
      prefix,
      workers: 0,
      skillRef: 'echo-line.skill.yaml',
      pollMs: 5,
    });
    const ms = performance.now() - t0;
    record(`${workers} worker${workers === 1 ? '' : 's'}`, c0, snapshot(workersCpu));
    if (summary.succeeded !== JOBS) throw new Error(`only ${summary.succeeded}/${JOBS} succeeded`);
    return ms;
  } finally {
    await shared.close();
    for (const p of procs) p.kill('SIGTERM');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
}

const rows: Record<string, number[]> = { 'Promise.all (1 process)': [], '1 worker': [], '2 workers': [], '4 workers': [] };
console.log(`bench/batch: ${JOBS} jobs, concurrency ${CONCURRENCY} per process, ${ROUNDS} rounds, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await promiseAll(-1); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  rows['Promise.all (1 process)']!.push(await promiseAll(round));
  for (const w of [1, 2, 4]) rows[`${w} worker${w === 1 ? '' : 's'}`]!.push(await queued(w, round));
  console.log(`round ${round + 1}: ${Object.entries(rows).map(([k, v]) => `${k} ${v.at(-1)!.toFixed(0)} ms`).join(', ')}; load ${os.loadavg()[0]!.toFixed(2)}`);
}
const base = median(rows['Promise.all (1 process)']!);
console.log('\n| contender | median wall (ms) | jobs/s (median) | jobs/s range | vs Promise.all | overhead per job vs Promise.all |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, ms] of Object.entries(rows)) {
  const m = median(ms);
  const rates = ms.map((x) => (JOBS * 1000) / x);
  console.log(`| ${name} | ${m.toFixed(0)} | ${((JOBS * 1000) / m).toFixed(1)} | ${spread(rates)} | ${(base / m).toFixed(2)}× | ${name.startsWith('Promise') ? '—' : `${((m - base) / JOBS).toFixed(2)} ms`} |`);
}
const baseCpu = median(cpu['Promise.all (1 process)']!);
console.log('\n| contender | CPU per job (median) | range | this process | workers | Redis | queue CPU overhead per job |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, ms] of Object.entries(cpu)) {
  const perJob = ms.map((x) => x / JOBS);
  const part = (k: 'self' | 'workers' | 'redis') => `${(median(parts[name]!.map((p) => p[k])) / JOBS).toFixed(2)} ms`;
  console.log(
    `| ${name} | ${median(perJob).toFixed(2)} ms | ${spread(perJob)} ms | ${part('self')} | ${part('workers')} | ${part('redis')} | ${name.startsWith('Promise') ? '—' : `${(median(perJob) - baseCpu / JOBS).toFixed(2)} ms`} |`,
  );
}
console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await emulator.close();
redis.disconnect();
rmSync(dir, { recursive: true, force: true });
