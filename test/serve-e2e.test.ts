/**
 * `skillc serve` as an operator runs it: two server PROCESSES on one Redis (state store, limits,
 * breakers, cache), the engine an official SDK against the emulator. One session continues across
 * the two processes, a caller's rate limit and an engine's open breaker hold for both, a cached
 * answer from one is served by the other, and SIGTERM with a run in flight lets it finish while new
 * runs get 503, then the process exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultReply, startEmulator, type Emulator, type EmulatorReply, type EmulatorRequest } from '@sdl/adapters';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from './support/redis.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKILLC = path.join(ROOT, 'packages/cli/bin/skillc.js');
const SKILLS = path.join(ROOT, 'packages/server/test/fixtures/skills');
const KEY = 'sk-serve-e2e-secret-0123456789abcdef';
const TOKEN = 'tok-serve-e2e-web-0123456789abcdef';
const LIMITED = 'tok-serve-e2e-limited-0123456789ab';

interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function serve(dir: string, prefix: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [SKILLC, 'serve', SKILLS, '--port', '0', '--prefix', prefix, '--config', path.join(dir, 'sdl.config.yaml')], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SDL_E2E_KEY: KEY, SDL_E2E_TOKEN: TOKEN, SDL_E2E_LIMITED: LIMITED },
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`skillc serve did not start within 15 s:\n${stderr}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ child, url, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => reject(new Error(`skillc serve exited with ${code}:\n${stderr}`)));
  });
}

const run = (server: ServeProcess, skill: string, body: unknown, token = TOKEN, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v1/skills/${skill}/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describeWithRedis('skillc serve: two processes on one Redis', () => {
  let dir: string;
  let emulator: Emulator;
  /** The `fragile` engine's provider: every call fails with a 500. */
  let broken: Emulator;
  let a: ServeProcess;
  let b: ServeProcess;
  let release: (() => void) | undefined;
  const prefix = `sdl-serve-e2e-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'packages/cli/dist/bin.js'))) throw new Error('build first (npm run build): the servers are packages/cli/bin/skillc.js');
    emulator = await startEmulator({
      provider: 'openai',
      reply: (request: EmulatorRequest): EmulatorReply | Promise<EmulatorReply> =>
        request.messages.at(-1)!.text.startsWith('hold') ? new Promise((resolve) => (release = () => resolve(defaultReply(request)))) : defaultReply(request),
    });
    broken = await startEmulator({ provider: 'openai', faults: '500' });
    dir = mkdtempSync(path.join(tmpdir(), 'sdl-serve-e2e-'));
    writeFileSync(
      path.join(dir, 'sdl.config.yaml'),
      [
        'engines:',
        `  emu: { provider: openai, model: gpt-5-mini, api_key: "\${env:SDL_E2E_KEY}", base_url: "${emulator.url}" }`,
        // The breaker drill's engine: its provider always fails, and runs fail over to `emu`.
        `  fragile: { provider: openai, model: gpt-5-mini, api_key: "\${env:SDL_E2E_KEY}", base_url: "${broken.url}" }`,
        `state: { store: redis, url: "${REDIS_URL}", prefix: "${prefix}:state:" }`,
        'server:',
        '  callers:',
        '    web: { token: "${env:SDL_E2E_TOKEN}" }',
        '    limited: { token: "${env:SDL_E2E_LIMITED}", rpm: 3 }',
        '  shutdown_timeout_ms: 20000',
        '',
      ].join('\n'),
    );
    [a, b] = await Promise.all([serve(dir, prefix), serve(dir, prefix)]);
  }, 30_000);

  afterAll(async () => {
    release?.();
    for (const server of [a, b]) {
      if (server !== undefined && server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    }
    await emulator?.close();
    await broken?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('one session continues on the other process with its history', async () => {
    const first = await run(a, 'chat', { inputs: { message: 'my name is Ada' }, session: 'conv-e2e' });
    expect(first.status, a.stderr()).toBe(200);
    const second = await run(b, 'chat', { inputs: { message: 'what is my name?' }, session: 'conv-e2e' });
    expect(second.status, b.stderr()).toBe(200);
    expect((await second.json() as any).output).toBe('echo: what is my name?');
    expect(emulator.requests.at(-1)!.parsed!.messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'my name is Ada'],
      ['assistant', 'echo: my name is Ada'],
      ['user', 'what is my name?'],
    ]);
    expect(b.stderr()).toMatch(/POST \/v1\/skills\/chat\/runs 200 caller=web/);
  });

  it("a caller's per-minute limit counts the runs on both processes", async () => {
    const statuses: number[] = [];
    for (const server of [a, b, a, b]) statuses.push((await run(server, 'greet', { inputs: { name: `limit-${statuses.length}` } }, LIMITED)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await run(a, 'greet', { inputs: { name: 'limit-5' } }, LIMITED)).status).toBe(429);
  });

  it('a response cached by one process is served by the other (the emulator sees one call)', async () => {
    const before = emulator.requests.length;
    const one = await (await run(a, 'greet', { inputs: { name: 'Cache', language: 'ja' } })).json() as any;
    const two = await (await run(b, 'greet', { inputs: { name: 'Cache', language: 'ja' } })).json() as any;
    expect(two.output).toEqual(one.output);
    expect(emulator.requests.length - before).toBe(1);
  });

  it('an engine breaker opened through one process stays open for the other', async () => {
    // Two failures on `fragile` through process a open its breaker (the runs fail over to `emu`).
    for (const text of ['first', 'second']) {
      const answer = await run(a, 'fragile', { inputs: { text } });
      expect(answer.status, a.stderr()).toBe(200);
      expect((await answer.json() as any).engines).toEqual(['emu']);
    }
    expect(broken.requests).toHaveLength(2);
    // Process b never called `fragile`, yet does not try it now: the breaker's state is in Redis.
    const answer = await run(b, 'fragile', { inputs: { text: 'third' } });
    expect((await answer.json() as any).engines).toEqual(['emu']);
    expect(broken.requests).toHaveLength(2);
  });

  it('SIGTERM with a run in flight: it finishes, new runs get 503, the other process serves, then exit 0', async () => {
    const inFlight = run(a, 'chat', { inputs: { message: 'hold the line' } }, TOKEN, { accept: 'text/event-stream' });
    await expect.poll(() => emulator.requests.some((r) => r.parsed?.messages.at(-1)?.text === 'hold the line')).toBe(true);
    a.child.kill('SIGTERM');
    await expect.poll(() => a.stderr()).toMatch(/stopping; new runs get 503, waiting for 1 run in flight/);
    const refused = await run(a, 'greet', { inputs: { name: 'late' } });
    expect(refused.status).toBe(503);
    expect((await refused.json() as any).error.code).toBe('shutting_down');
    expect((await run(b, 'greet', { inputs: { name: 'elsewhere' } })).status).toBe(200);
    release!();
    const stream = await (await inFlight).text();
    expect(stream).toContain('event: done');
    expect(stream).toContain('"output":"echo: hold the line"');
    expect(await a.exited).toBe(0);
    expect(a.stderr()).toContain('skillc serve: stopped');
    expect(a.stderr() + b.stderr()).not.toContain(KEY);
    expect(a.stderr() + b.stderr()).not.toContain(TOKEN);
  });
});
