/**
 * `createServer` over real HTTP on 127.0.0.1, the engines being the official SDKs' adapters against
 * the emulators: auth, body limit, input diagnostics, JSON and SSE runs on every provider, sessions
 * on every state store, per-caller limits, metrics, the OpenAPI document and graceful shutdown.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultReply, EngineError, type EmulatedProvider, type EmulatorReply, type EmulatorRequest } from '@sdl/adapters';
import {
  BudgetExceededError,
  CircuitOpenError,
  createStateStore,
  DeadlineExceededError,
  InputValidationError,
  MemoryStore,
  NoEngineAvailableError,
  RunCancelledError,
  StepFailedError,
  type StateStore,
} from '@sdl/runtime';
import { failureOf, loadSkillsDir } from '@sdl/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from '../../../test/support/redis.js';
import { FIXTURES, fixtureSkills, postRun, readEvents, startStack, TOKENS, type Stack } from './support.js';

const PROVIDERS: EmulatedProvider[] = ['anthropic', 'openai', 'cohere'];

describe('bearer auth', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack('openai')));
  afterAll(() => stack.close());

  const refused: { why: string; authorization?: string }[] = [
    { why: 'no Authorization header' },
    { why: 'a wrong token', authorization: 'Bearer tok-not-a-caller-0000000000' },
    { why: 'a prefix of a valid token', authorization: `Bearer ${TOKENS.web.slice(0, -1)}` },
    { why: 'a valid token plus a character', authorization: `Bearer ${TOKENS.web}x` },
    { why: 'another scheme', authorization: `Basic ${Buffer.from(`web:${TOKENS.web}`).toString('base64')}` },
    { why: 'an empty bearer', authorization: 'Bearer ' },
  ];
  for (const route of [
    { method: 'POST', path: '/v1/skills/greet/runs' },
    { method: 'GET', path: '/openapi.json' },
    { method: 'GET', path: '/metrics' },
  ]) {
    it.each(refused)(`${route.method} ${route.path} with $why: 401, and the token is not echoed`, async ({ authorization }) => {
      const response = await fetch(stack.url + route.path, {
        method: route.method,
        headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
        ...(route.method === 'POST' ? { body: JSON.stringify({ inputs: { name: 'Ada' } }) } : {}),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="sdl"');
      const text = await response.text();
      expect(JSON.parse(text).error.code).toBe('unauthorized');
      const offered = authorization?.split(' ')[1];
      if (offered) expect(text).not.toContain(offered);
    });
  }

  it('lets every configured caller in, and no engine call happened for the refused ones', async () => {
    const before = stack.emulator.requests.length;
    expect(before).toBe(0);
    for (const token of Object.values(TOKENS)) {
      const response = await postRun(stack.url, 'greet', { inputs: { name: 'Ada' } }, { token });
      expect(response.status).toBe(200);
    }
    expect(stack.emulator.requests.length).toBe(2);
  });

  it('answers /healthz and /readyz without a token', async () => {
    expect(await (await fetch(`${stack.url}/healthz`)).json() as any).toEqual({ status: 'ok' });
    expect(await (await fetch(`${stack.url}/readyz`)).json() as any).toEqual({ status: 'ready', skills: 2 });
  });
});

describe('request validation', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack('openai', { server: { bodyLimitBytes: 1000 } })));
  afterAll(() => stack.close());

  it('413 over the body limit (with a Content-Length, and streamed without one); at the limit it is read', async () => {
    const body = (size: number) => {
      const head = '{"inputs":{"name":"';
      return `${head}${'a'.repeat(size - head.length - 3)}"}}`;
    };
    expect(body(1001).length).toBe(1001);
    const over = await postRun(stack.url, 'greet', body(1001));
    expect(over.status).toBe(413);
    expect((await over.json() as any).error).toMatchObject({ code: 'body_too_large', message: expect.stringContaining('1000 bytes') });
    const chunks = [body(1001).slice(0, 600), body(1001).slice(600)];
    const streamed = await fetch(`${stack.url}/v1/skills/greet/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.web}`, 'content-type': 'application/json' },
      body: new ReadableStream({ start(controller) { for (const c of chunks) controller.enqueue(new TextEncoder().encode(c)); controller.close(); } }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // 1000 bytes is allowed: it reaches schema validation (name is over maxLength 200).
    const atLimit = await postRun(stack.url, 'greet', body(1000));
    expect(atLimit.status).toBe(400);
    expect((await atLimit.json() as any).error.problems).toEqual([{ path: '/name', message: expect.stringContaining('200') }]);
  });

  const invalid: { why: string; body: unknown; problems: { path: string; message: RegExp }[] }[] = [
    { why: 'a required input missing', body: { inputs: {} }, problems: [{ path: '/name', message: /required property `name`/ }] },
    { why: 'a value outside the enum', body: { inputs: { name: 'Ada', language: 'fr' } }, problems: [{ path: '/language', message: /en, ja|one of/ }] },
    { why: 'a misspelt input', body: { inputs: { nam: 'Ada' } }, problems: [{ path: '/name', message: /required/ }, { path: '/nam', message: /nam/ }] },
    { why: 'a wrong type', body: { inputs: { name: 42 } }, problems: [{ path: '/name', message: /string/ }] },
  ];
  it.each(invalid)('400 with the diagnostic for $why (code, message, path)', async ({ body, problems }) => {
    const response = await postRun(stack.url, 'greet', body);
    expect(response.status).toBe(400);
    const { error } = await response.json() as any;
    expect(error.code).toBe('input_invalid');
    expect(error.message).toContain('skill `greet`');
    expect(error.problems).toHaveLength(problems.length);
    problems.forEach((p, i) => {
      expect(error.problems[i].path).toBe(p.path);
      expect(error.problems[i].message).toMatch(p.message);
    });
  });

  it('400 for a body that is not a JSON object or has unknown fields, and for an unknown engine; 404 for an unknown skill', async () => {
    const cases: [unknown, number, string, RegExp][] = [
      ['{"inputs": ', 400, 'body_invalid', /not JSON/],
      [[1, 2], 400, 'body_invalid', /JSON object/],
      [{ input: { name: 'Ada' } }, 400, 'body_invalid', /unknown field `input`/],
      [{ inputs: { name: 'Ada' }, session: '../etc' }, 400, 'body_invalid', /session/],
      [{ inputs: { name: 'Ada' }, engine: 'nope' }, 400, 'engine_unknown', /not configured/],
    ];
    for (const [body, status, code, message] of cases) {
      const response = await postRun(stack.url, 'greet', body);
      expect(response.status).toBe(status);
      const { error } = await response.json() as any;
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
    const missing = await postRun(stack.url, 'gret', { inputs: {} });
    expect(missing.status).toBe(404);
    expect((await missing.json() as any).error).toMatchObject({ code: 'skill_not_found', message: expect.stringContaining('chat, greet') });
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe.each(PROVIDERS)('runs on %s', (provider) => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack(provider)));
  afterAll(() => stack.close());

  it('answers JSON: output, usage, cost, engines and the run id (also in X-Run-Id)', async () => {
    const response = await postRun(stack.url, 'greet', { inputs: { name: 'Ada', language: 'ja' } });
    expect(response.status).toBe(200);
    const body = await response.json() as any;
    expect(body).toMatchObject({ output: { greeting: expect.any(String) }, engines: [provider], cost: expect.any(Number) });
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    expect(body.usage.output_tokens).toBeGreaterThan(0);
    expect(body.run_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-run-id')).toBe(body.run_id);
    expect(stack.emulator.requests.at(-1)!.parsed!.messages.at(-1)!.text).toBe('Greet Ada in ja.');
  });

  it.each([
    { how: 'Accept: text/event-stream', init: { headers: { accept: 'text/event-stream' } } },
    { how: '?stream=true', init: { query: '?stream=true' } },
  ])('streams the typed run events as SSE ($how), ending with done', async ({ init }) => {
    const response = await postRun(stack.url, 'chat', { inputs: { message: 'stream this please' } }, init);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const runId = response.headers.get('x-run-id');
    const events = await readEvents(response);
    const types = events.map((e) => e.event);
    expect(types[0]).toBe('step-start');
    expect(types.at(-1)).toBe('done');
    expect(types.at(-2)).toBe('step-end');
    expect(types).toContain('usage');
    expect(types.filter((t) => t === 'text-delta').length).toBeGreaterThan(0);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    const text = events.filter((e) => e.event === 'text-delta').map((e) => (e.data as { text: string }).text).join('');
    const done = events.at(-1)!.data as { output: string; run_id: string; engines: string[]; usage: { input_tokens: number } };
    expect(done.output).toBe('echo: stream this please');
    expect(text).toBe(done.output);
    expect(done.run_id).toBe(runId);
    expect(done.engines).toEqual([provider]);
    expect(events.find((e) => e.event === 'usage')!.data).toMatchObject({ engine: provider, step: 'reply', usage: { input_tokens: expect.any(Number) } });
    expect(stack.emulator.requests.at(-1)!.parsed!.stream).toBe(true);
  });

  it('a failing engine ends the stream with an error event carrying the code and status', async () => {
    stack.emulator.enqueueFault('401');
    const response = await postRun(stack.url, 'chat', { inputs: { message: 'hi' } }, { headers: { accept: 'text/event-stream' } });
    const events = await readEvents(response);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { status: 502, error: { code: 'auth' } } });
    expect(JSON.stringify(events)).not.toContain('sk-server-test');
  });
});

/** Each store the config can name; the Redis row needs the real Redis. */
const stores: { kind: string; make: () => StateStore; cleanup?: () => void; redis?: boolean }[] = (() => {
  let dir: string | undefined;
  return [
    { kind: 'memory', make: () => new MemoryStore() },
    {
      kind: 'file',
      make: () => createStateStore({ store: 'file', path: (dir = mkdtempSync(path.join(tmpdir(), 'sdl-serve-state-'))) }),
      cleanup: () => dir && rmSync(dir, { recursive: true, force: true }),
    },
    { kind: 'redis', make: () => createStateStore({ store: 'redis', url: REDIS_URL, prefix: `sdl-serve-test-${process.pid}-${Date.now()}:` }), redis: true },
  ];
})();

for (const store of stores) {
  (store.redis ? describeWithRedis : describe)(`sessions on the ${store.kind} store`, () => {
    let stack: Stack;
    let state: StateStore;
    beforeAll(async () => {
      state = store.make();
      stack = await startStack('anthropic', { state });
    });
    afterAll(async () => {
      await stack.close();
      await state.close();
      store.cleanup?.();
    });

    it("continues a session with its history; another caller's session of the same id is its own", async () => {
      const first = await postRun(stack.url, 'chat', { inputs: { message: 'my name is Ada' }, session: 'conv-1' });
      expect((await first.json() as any).output).toBe('echo: my name is Ada');
      const second = await postRun(stack.url, 'chat', { inputs: { message: 'what is my name?' }, session: 'conv-1' });
      expect(second.status).toBe(200);
      expect(stack.emulator.requests.at(-1)!.parsed!.messages.map((m) => [m.role, m.text])).toEqual([
        ['user', 'my name is Ada'],
        ['assistant', 'echo: my name is Ada'],
        ['user', 'what is my name?'],
      ]);
      const other = await postRun(stack.url, 'chat', { inputs: { message: 'who am I?' }, session: 'conv-1' }, { token: TOKENS.ops });
      expect(other.status).toBe(200);
      expect(stack.emulator.requests.at(-1)!.parsed!.messages).toHaveLength(1);
      expect((await state.getSession('web:conv-1'))!.turns).toHaveLength(4);
      expect((await state.getSession('ops:conv-1'))!.turns).toHaveLength(2);
    });
  });
}

describe('per-caller rate limits', () => {
  let release: (() => void) | undefined;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('openai', {
      emulator: {
        reply: (request: EmulatorRequest): EmulatorReply | Promise<EmulatorReply> =>
          request.messages.at(-1)!.text === 'hold' ? new Promise((resolve) => (release = () => resolve(defaultReply(request)))) : defaultReply(request),
      },
      server: { defaultLimits: { rpm: 2 } },
    });
    stack.server.app; // routes are fixed at creation
  });
  afterAll(() => stack.close());

  it('429 with Retry-After once a caller used its per-minute runs; other callers keep theirs', async () => {
    for (let i = 0; i < 2; i++) expect((await postRun(stack.url, 'greet', { inputs: { name: `n${i}` } })).status).toBe(200);
    const limited = await postRun(stack.url, 'greet', { inputs: { name: 'n3' } });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    // A new run every 30 s at rpm 2: the wait is at most that.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect((await limited.json() as any).error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('caller `web`') });
    expect((await postRun(stack.url, 'greet', { inputs: { name: 'ops' } }, { token: TOKENS.ops })).status).toBe(200);
    expect(stack.emulator.requests).toHaveLength(3);
  });

  it('a caller concurrency limit refuses a second run while the first is in flight', async () => {
    const skills = await fixtureSkills();
    const concurrent = await startStack('openai', {
      emulator: { reply: (request) => (request.messages.at(-1)!.text === 'hold' ? new Promise((resolve) => (release = () => resolve(defaultReply(request)))) : defaultReply(request)) },
      server: { skills, callers: [{ name: 'web', token: { reveal: () => TOKENS.web }, limits: { concurrency: 1 } }] },
    });
    try {
      const first = postRun(concurrent.url, 'chat', { inputs: { message: 'hold' } });
      await expect.poll(() => concurrent.emulator.requests.length).toBe(1);
      const second = await postRun(concurrent.url, 'chat', { inputs: { message: 'next' } });
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('1');
      release!();
      expect((await first).status).toBe(200);
      expect((await postRun(concurrent.url, 'chat', { inputs: { message: 'next' } })).status).toBe(200);
    } finally {
      await concurrent.close();
    }
  });
});

describe('metrics and the OpenAPI document', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack('cohere')));
  afterAll(() => stack.close());

  it("/metrics shows the server's requests and the runtime's engine calls and tokens on one registry", async () => {
    expect((await postRun(stack.url, 'greet', { inputs: { name: 'Ada' } })).status).toBe(200);
    expect((await postRun(stack.url, 'greet', { inputs: {} })).status).toBe(400);
    const response = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${TOKENS.ops}` } });
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('sdl_http_requests_total{route="/v1/skills/:name/runs",method="POST",status="200"} 1');
    expect(text).toContain('sdl_http_requests_total{route="/v1/skills/:name/runs",method="POST",status="400"} 1');
    expect(text).toMatch(/sdl_engine_call_duration_seconds_count\{engine="cohere",model="command-a-plus-05-2026",outcome="ok"\} 1/);
    expect(text).toMatch(/sdl_tokens_total\{engine="cohere",model="command-a-plus-05-2026",direction="out"\} [1-9]/);
    expect(text).toContain('sdl_http_runs_in_flight 0');
    expect(text).not.toContain(TOKENS.ops);
  });

  it('/openapi.json is OpenAPI 3.1 with one run operation per skill, its schemas the skills\' own', async () => {
    const doc = await (await fetch(`${stack.url}/openapi.json`, { headers: { authorization: `Bearer ${TOKENS.web}` } })).json() as any;
    const skills = await fixtureSkills();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/metrics', '/readyz', '/v1/skills/chat/runs', '/v1/skills/greet/runs']);
    for (const skill of skills) {
      const op = doc.paths[`/v1/skills/${skill.name}/runs`].post;
      const body = op.requestBody.content['application/json'].schema;
      expect(body.properties.inputs.$ref).toBe(`#/components/schemas/${skill.name}.inputs`);
      expect(doc.components.schemas[`${skill.name}.inputs`]).toEqual(skill.inputs);
      expect(doc.components.schemas[`${skill.name}.outputs`]).toEqual(skill.outputs);
      expect(op.responses['200'].content['application/json'].schema.properties.output.$ref).toBe(`#/components/schemas/${skill.name}.outputs`);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '413', '429', '503']));
    }
    // Every $ref points at something in the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/[^"]+"/g)!;
    for (const ref of refs) {
      const pointer = ref.slice(9, -1).split('/').slice(1);
      expect(pointer.reduce((at: Record<string, unknown> | undefined, key) => at?.[key] as Record<string, unknown> | undefined, doc), ref).toBeDefined();
    }
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });
});

describe('graceful shutdown', () => {
  let release: (() => void) | undefined;
  const holding = (request: EmulatorRequest): EmulatorReply | Promise<EmulatorReply> =>
    request.messages.at(-1)!.text.startsWith('hold') ? new Promise((resolve) => (release = () => resolve(defaultReply(request)))) : defaultReply(request);
  let stack: Stack | undefined;
  afterEach(async () => {
    release?.();
    await stack?.close();
    stack = undefined;
  });

  it('the run in flight finishes, new runs get 503, readiness fails, then the listener closes', async () => {
    stack = await startStack('openai', { emulator: { reply: holding } });
    const inFlight = postRun(stack.url, 'chat', { inputs: { message: 'hold on' } }, { headers: { accept: 'text/event-stream' } });
    await expect.poll(() => stack!.emulator.requests.length).toBe(1);
    expect(stack.server.inFlight).toBe(1);
    let closed = false;
    const shutdown = stack.server.shutdown().then(() => (closed = true));
    const refused = await postRun(stack.url, 'greet', { inputs: { name: 'late' } });
    expect(refused.status).toBe(503);
    expect((await refused.json() as any).error.code).toBe('shutting_down');
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(503);
    expect(closed).toBe(false);
    release!();
    const events = await readEvents(await inFlight);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { output: 'echo: hold on' } });
    await shutdown;
    expect(stack.server.inFlight).toBe(0);
    await expect(fetch(`${stack.url}/healthz`)).rejects.toThrow();
    expect(stack.emulator.requests).toHaveLength(1);
  });

  it('past the grace period the runs still in flight are cancelled (503 cancelled) and shutdown completes', async () => {
    stack = await startStack('openai', { emulator: { reply: holding }, server: { shutdownTimeoutMs: 100 } });
    const inFlight = postRun(stack.url, 'chat', { inputs: { message: 'hold forever' } });
    await expect.poll(() => stack!.emulator.requests.length).toBe(1);
    await stack.server.shutdown();
    const response = await inFlight;
    expect(response.status).toBe(503);
    expect((await response.json() as any).error).toMatchObject({ code: 'cancelled', message: expect.stringContaining('shutting down') });
  });
});

describe('a caller that hangs up', () => {
  it('cancels its run: the server stops counting it in flight while the model is still answering', async () => {
    let release: (() => void) | undefined;
    const stack = await startStack('anthropic', {
      emulator: { reply: (request) => new Promise((resolve) => (release = () => resolve(defaultReply(request)))) },
    });
    try {
      for (const headers of [{}, { accept: 'text/event-stream' }] as Record<string, string>[]) {
        const controller = new AbortController();
        const pending = fetch(`${stack.url}/v1/skills/chat/runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKENS.web}`, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ inputs: { message: 'never mind' } }),
          signal: controller.signal,
        }).then((r) => r.text());
        const seen = stack.emulator.requests.length;
        await expect.poll(() => stack.emulator.requests.length).toBe(seen + 1);
        expect(stack.server.inFlight).toBe(1);
        controller.abort();
        await expect(pending).rejects.toThrow();
        await expect.poll(() => stack.server.inFlight).toBe(0);
        release!();
      }
    } finally {
      await stack.close();
    }
  });
});

describe('failureOf: run errors as HTTP answers', () => {
  const scrub = (text: string) => text.split('sk-secret-value').join('[redacted]');
  const location = { file: 'x.skill.yaml', line: 1, column: 1 };
  const rows: { error: unknown; status: number; code: string }[] = [
    { error: new InputValidationError('greet', [{ path: '/name', message: 'required' }]), status: 400, code: 'input_invalid' },
    { error: new DeadlineExceededError(100), status: 504, code: 'deadline_exceeded' },
    { error: new RunCancelledError('the server is shutting down'), status: 503, code: 'cancelled' },
    { error: new StepFailedError('s', location, new CircuitOpenError('claude', 'open', 4200)), status: 503, code: 'breaker_open' },
    { error: new StepFailedError('s', location, new BudgetExceededError('run', 'r1', 1, 1, 0.5)), status: 402, code: 'budget_exceeded' },
    { error: new StepFailedError('s', location, new EngineError('overloaded', 'overloaded (sk-secret-value)', { provider: 'anthropic' })), status: 502, code: 'overloaded' },
    { error: new StepFailedError('s', location, new EngineError('invalid_request', 'bad', { provider: 'openai' })), status: 422, code: 'invalid_request' },
    { error: new NoEngineAvailableError([{ engine: 'a', reason: 'breaker_open' }]), status: 502, code: 'engine_unavailable' },
    { error: new Error('boom\n    at secret stack frame'), status: 500, code: 'internal' },
  ];
  it.each(rows)('$code -> $status', ({ error, status, code }) => {
    const failure = failureOf(error, scrub);
    expect(failure.status).toBe(status);
    expect(failure.body.error.code).toBe(code);
    expect(failure.body.error.message).not.toContain('sk-secret-value');
    expect(failure.body.error.message).not.toContain('stack frame');
    if (code === 'breaker_open') expect(failure.retryAfterS).toBe(5);
  });
});

describe('loadSkillsDir', () => {
  it('serves a compiled build directory (bundles, their objects followed) and refuses two files of one skill name', async () => {
    // Compiled from a copy in a directory of its own, so no sdl.lock is written into the repository.
    const work = mkdtempSync(path.join(tmpdir(), 'sdl-serve-build-'));
    const out = path.join(work, 'build');
    try {
      cpSync(FIXTURES, path.join(work, 'skills'), { recursive: true });
      const skillc = fileURLToPath(new URL('../../cli/bin/skillc.js', import.meta.url));
      execFileSync(process.execPath, [skillc, 'compile', 'skills', '--out', 'build'], { cwd: work, stdio: 'ignore' });
      expect(existsSync(fileURLToPath(new URL('../sdl.lock', import.meta.url)))).toBe(false);
      const built = await loadSkillsDir(out);
      expect(built.problems).toEqual([]);
      expect([...built.skills.keys()].sort()).toEqual(['chat', 'fragile', 'greet']);
      const sources = await fixtureSkills();
      expect(built.skills.get('greet')!.skill.inputs).toEqual(sources.find((s) => s.name === 'greet')!.inputs);

      copyFileSync(path.join(FIXTURES, 'greet.skill.yaml'), path.join(out, 'greet.skill.yaml'));
      const both = await loadSkillsDir(out);
      expect(both.problems).toHaveLength(1);
      expect(String(both.problems[0]!.error)).toMatch(/skill `greet` is defined by both greet\.skill\.(json|yaml) and greet\.skill\.(json|yaml)/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('readiness', () => {
  it('/readyz is 503 naming the probe that failed or hung, 200 once it answers', async () => {
    let state: 'down' | 'hung' | 'up' = 'down';
    const stack = await startStack('openai', {
      server: {
        probes: {
          state: async () => {
            if (state === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:6390\n    at internal frame');
            if (state === 'hung') await new Promise(() => {});
            return undefined;
          },
        },
        probeTimeoutMs: 100,
      },
    });
    try {
      const down = await fetch(`${stack.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json() as any).toEqual({ status: 'not ready', problems: { state: 'connect ECONNREFUSED 127.0.0.1:6390' } });
      state = 'hung';
      expect(await (await fetch(`${stack.url}/readyz`)).json() as any).toEqual({ status: 'not ready', problems: { state: 'did not answer within 100 ms' } });
      state = 'up';
      expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});
