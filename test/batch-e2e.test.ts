/**
 * `skillc batch` and `skillc worker` as separate processes on the real Redis against the OpenAI
 * emulator with 20 % injected faults: one worker and the coordinator are killed with SIGKILL
 * midway, the command is run again, and every input line must then be in the results or the
 * failures file exactly once, with the right output, while the shared rate limit held.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '@sdl/adapters';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from './support/redis.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKILLC = path.join(ROOT, 'packages/cli/bin/skillc.js');
const LINES = 2000;
const RPM = 3000; // 50 requests a second, shared by every process (binds on an idle 2-core machine and on a moderately loaded one)
const BURST = 10;
const KEY = 'sk-batch-e2e-secret-0123456789abcdef';

interface Proc {
  child: ChildProcess;
  stderr: string;
  exited: Promise<number | null>;
}

function start(args: string[], cwd: string, onStderr?: (text: string) => void): Proc {
  const child = spawn(process.execPath, [SKILLC, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', SDL_BATCH_E2E_KEY: KEY } });
  const proc: Proc = { child, stderr: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => {
    proc.stderr += d;
    onStderr?.(d.toString());
  });
  return proc;
}

/** Resolves when `proc` has written `text` to stderr. */
function saw(proc: Proc, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => proc.stderr.includes(text) && resolve();
    proc.child.stderr!.on('data', check);
    proc.exited.then((code) => reject(new Error(`exited ${code} before "${text}": ${proc.stderr}`)));
    check();
  });
}

function jsonLines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describeWithRedis('skillc batch on 3 worker processes', () => {
  const prefix = `sdl-test-batch-${process.pid}-${Date.now()}`;
  const redis = new Redis(REDIS_URL);
  let dir: string;
  let emulator: Emulator;
  const procs: Proc[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'packages/cli/dist/bin.js'))) throw new Error('build first (npm run build): the worker processes run packages/cli/bin/skillc.js');
    // 20 % of requests fail: 17 % transiently (retried by the queue), 3 % for good (context length).
    emulator = await startEmulator({ provider: 'openai', faults: '500:0.1,503:0.04,429ms@10:0.03,context:0.03', seed: 7 });
    dir = mkdtempSync(path.join(tmpdir(), 'sdl-batch-'));
    writeFileSync(path.join(dir, 'echo-line.skill.yaml'), readFileSync(new URL('./batch/echo-line.skill.yaml', import.meta.url)));
    writeFileSync(
      path.join(dir, 'sdl.config.yaml'),
      `engines:\n  emu: { provider: openai, model: gpt-5-mini, api_key: "\${env:SDL_BATCH_E2E_KEY}", base_url: "${emulator.url}", limits: { rpm: ${RPM}, burst_requests: ${BURST} } }\n`,
    );
    writeFileSync(path.join(dir, 'data.jsonl'), Array.from({ length: LINES }, (_, i) => `${JSON.stringify({ id: `t${i + 1}`, text: `ticket ${i + 1}` })}\n`).join(''));
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await emulator?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('puts every line in the results or the failures exactly once after a worker and the coordinator are killed', async () => {
    const common = ['--config', 'sdl.config.yaml', '--redis', REDIS_URL, '--prefix', prefix, '--lock-ms', '1500'];
    const workers = [0, 1, 2].map(() => start(['worker', ...common, '--concurrency', '8'], dir));
    procs.push(...workers);
    await Promise.all(workers.map((w) => saw(w, 'taking jobs')));

    const batchArgs = ['batch', 'echo-line.skill.yaml', '--input', 'data.jsonl', '--out', 'results.jsonl', '--workers', '0', '--attempts', '5', '--backoff-ms', '50', ...common];
    // Midway (by the coordinator's own JSON progress lines): SIGKILL one worker and the coordinator.
    let killed = false;
    const first = start(batchArgs, dir, (text) => {
      for (const line of text.split('\n')) {
        if (killed || !line.startsWith('{')) continue;
        const progress = JSON.parse(line) as { done: number };
        if (progress.done >= LINES * 0.3) {
          killed = true;
          workers[0]!.child.kill('SIGKILL');
          first.child.kill('SIGKILL');
        }
      }
    });
    procs.push(first);
    await first.exited;
    expect(killed, first.stderr.slice(-2000)).toBe(true);
    const before = jsonLines(path.join(dir, 'results.jsonl')).length + jsonLines(path.join(dir, 'results.failures.jsonl')).length;
    expect(before).toBeLessThan(LINES);

    // The same command again: resumes with the two workers left.
    const second = start(batchArgs, dir);
    procs.push(second);
    const code = await second.exited;
    expect([0, 1], second.stderr).toContain(code);
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    await Promise.all(workers.slice(1).map((w) => w.exited));

    const results = jsonLines(path.join(dir, 'results.jsonl'));
    const failures = jsonLines(path.join(dir, 'results.failures.jsonl'));
    const seen = new Map<number, number>();
    for (const r of [...results, ...failures]) seen.set(r.line as number, (seen.get(r.line as number) ?? 0) + 1);
    const missing = Array.from({ length: LINES }, (_, i) => i + 1).filter((line) => !seen.has(line));
    const twice = [...seen].filter(([, n]) => n > 1).map(([line]) => line);
    expect(missing).toEqual([]);
    expect(twice).toEqual([]);
    expect(results.length + failures.length).toBe(LINES);
    // Each result answers its own line, and carries the input's id.
    for (const r of results) {
      expect(r.output).toBe(`echo: ticket ${r.line as number}`);
      expect(r.id).toBe(`t${r.line as number}`);
    }
    // Failures are the permanent fault (and the rare line whose five attempts all met transient ones), with codes.
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(['engine_context_length', 'engine_server', 'engine_overloaded', 'engine_rate_limited']).toContain((f.error as { code: string }).code);
    expect(failures.filter((f) => (f.error as { code: string }).code === 'engine_context_length').length).toBeGreaterThan(failures.length / 2);
    // No key in any file or log.
    for (const text of [readFileSync(path.join(dir, 'results.jsonl'), 'utf8'), readFileSync(path.join(dir, 'results.failures.jsonl'), 'utf8'), ...procs.map((p) => p.stderr)]) {
      expect(text.includes(KEY)).toBe(false);
    }

    // The shared limit, as the provider saw it (arrival times at the emulator, from all three
    // processes), within 3 % with 20 ms allowed for delivery jitter: counted from the first request
    // (every prefix of the run, the first second included) and over every 5 s window. The first
    // requests of each process once arrived 40-300 ms after their grant (later ones 2-4 ms): SDK
    // import, then the SDK's and fetch's first request; the adapters' warm-up now rehearses that
    // request on a loopback server before the first slot is taken (spec/batch.md, "Rate limits").
    const times = emulator.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    const perMs = RPM / 60_000;
    const allowed = (fromMs: number) => BURST + (fromMs + 20) * perMs;
    let worst = 0;
    let firstSecond = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      if (times[i]! - times[0]! < 1000) firstSecond = i + 1;
      while (times[i]! - times[j]! >= 5000) j++;
      if (times[i]! - times[0]! >= 5000) worst = Math.max(worst, (i - j + 1) / allowed(times[i]! - times[j]!));
    }
    let cumulative = 0;
    times.forEach((t, i) => (cumulative = Math.max(cumulative, (i + 1) / allowed(t - times[0]!))));
    let windowMax = 0;
    let windowAt = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      if (i - j + 1 > windowMax) [windowMax, windowAt] = [i - j + 1, times[j]! - times[0]!];
    }
    const perSecond = BURST + 1000 * perMs;
    const spanS = (times.at(-1)! - times[0]!) / 1000;
    console.info(
      `[batch e2e] ${times.length} requests in ${spanS.toFixed(1)} s (${(times.length / spanS).toFixed(1)}/s against ${RPM / 60}/s allowed); ` +
        `worst 5 s window ${worst.toFixed(3)} of the limit; cumulative from the first request ${cumulative.toFixed(3)}; first second ${firstSecond} against ${perSecond}; busiest second ${windowMax} (from ${(windowAt / 1000).toFixed(1)} s; not asserted: see below); ${failures.length} failures`,
    );
    expect(cumulative).toBeLessThanOrEqual(1.03);
    expect(firstSecond).toBeLessThanOrEqual(Math.floor(allowed(1000) * 1.03));
    expect(worst).toBeLessThanOrEqual(1.03);
    // The busiest single second is printed, not asserted: on a loaded machine a process that is
    // descheduled for a few hundred ms after its grants sends them together (measured: 62-64 against
    // 60 at load 15-24, mid-run), which a limiter that grants before the send cannot prevent.
  }, 180_000);
});
