/**
 * Provider batches end to end, for Anthropic and OpenAI (every row runs for both): the official
 * SDKs over real HTTP against the emulators' batch endpoints, through `runtime.providerBatch` and
 * `skillc batch --provider-batch`, with the real Redis holding the submitted batch ids. Partial
 * failure (the emulator's fault rules fail lines), an expired batch, a two-step skill (two rounds),
 * resuming after an interrupted run (the same provider batch, not a second), and batch prices.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AnthropicAdapter, costOf, findModel, OpenAIAdapter, startEmulator, type EngineAdapter, type Emulator } from '@sdl/adapters';
import { createRuntime, loadSkillFile, ProviderBatchUnsupportedError, type BatchOutcome, type LoadedSkill } from '@sdl/runtime';
import { main } from '@sdl/cli';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from './support/redis.js';

const KEY = 'sk-provider-batch-secret-0123456789';
const ROWS: Array<{ provider: 'anthropic' | 'openai'; model: string; make(url: string): EngineAdapter }> = [
  { provider: 'anthropic', model: 'claude-haiku-4-5', make: (url) => new AnthropicAdapter({ apiKey: KEY, baseURL: url }) },
  { provider: 'openai', model: 'gpt-5-mini', make: (url) => new OpenAIAdapter({ apiKey: KEY, baseURL: url }) },
];

const ONE_STEP = `sdl: "1.0"
name: echo-line
version: 1.0.0
description: "One call per line."
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string, minLength: 1 }
steps:
  - id: say
    prompt:
      user: "{{ inputs.text }}"
`;

const TWO_STEPS = `sdl: "1.0"
name: echo-twice
version: 1.0.0
description: "Two calls per line: the second takes the first's answer."
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string, minLength: 1 }
steps:
  - id: first
    prompt:
      user: "{{ inputs.text }}"
  - id: second
    prompt:
      user: "again {{ steps.first.output }}"
`;

describeWithRedis('provider batches against the emulators', () => {
  const prefix = `sdl-test-pbatch-${process.pid}-${Date.now()}`;
  const redis = new Redis(REDIS_URL);
  const dir = mkdtempSync(path.join(tmpdir(), 'sdl-pbatch-'));
  const emulators: Emulator[] = [];
  let oneStep: LoadedSkill;
  let twoSteps: LoadedSkill;

  beforeAll(async () => {
    writeFileSync(path.join(dir, 'echo-line.skill.yaml'), ONE_STEP);
    writeFileSync(path.join(dir, 'echo-twice.skill.yaml'), TWO_STEPS);
    oneStep = await loadSkillFile(path.join(dir, 'echo-line.skill.yaml'));
    twoSteps = await loadSkillFile(path.join(dir, 'echo-twice.skill.yaml'));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(row: (typeof ROWS)[number], faults?: string) {
    const emulator = await startEmulator({ provider: row.provider, ...(faults ? { faults, seed: 5 } : {}) });
    emulators.push(emulator);
    const runtime = createRuntime({ engines: { [row.provider]: { adapter: row.make(emulator.url), model: row.model, descriptor: findModel(row.provider, row.model)! } } });
    return { emulator, runtime };
  }
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ line: i + 1, id: `t${i + 1}`, input: { text: `line ${i + 1}` } }));
  const fast = { pollMs: 5, maxPollMs: 20, settleMs: 10 };

  it.each(ROWS)('$provider: every line once, failed lines with codes, at the batch price, no chat requests', async (row) => {
    const { emulator, runtime } = await setUp(row, 'context:0.2');
    const outcomes: BatchOutcome[] = [];
    const summary = await runtime.providerBatch(oneStep, items(30), { redis: REDIS_URL, prefix, name: `${row.provider}-partial`, ...fast, onOutcome: (o) => void outcomes.push(o) });
    expect(outcomes.map((o) => o.line).sort((a, b) => a - b)).toEqual(items(30).map((i) => i.line));
    const failed = outcomes.filter((o) => !o.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(30);
    for (const f of failed) expect(f.ok === false && f.error.code).toBe('engine_context_length');
    for (const o of outcomes) if (o.ok) expect([o.output, o.id]).toEqual([`echo: line ${o.line}`, `t${o.line}`]);
    expect(summary).toMatchObject({ total: 30, done: 30, succeeded: 30 - failed.length, failed: failed.length });
    // One provider batch, and not a single request to the chat endpoint.
    expect(emulator.batches).toHaveLength(1);
    expect(emulator.requests.filter((r) => r.path.endsWith('/messages') || r.path.endsWith('/chat/completions'))).toEqual([]);
    // Billed at the batch price: half the normal one for these models.
    const model = findModel(row.provider, row.model)!;
    for (const o of outcomes) {
      if (!o.ok) continue;
      expect(o.cost).toBeCloseTo(costOf(model, o.usage, { batch: true }), 12);
      expect(o.cost).toBeCloseTo(costOf(model, o.usage) / 2, 12);
    }
  });

  it.each(ROWS)('$provider: an expired batch: lines done before it expired succeed, the rest fail with batch_expired', async (row) => {
    const { emulator, runtime } = await setUp(row);
    emulator.expireNextBatch(4);
    const outcomes: BatchOutcome[] = [];
    await runtime.providerBatch(oneStep, items(10), { redis: REDIS_URL, prefix, name: `${row.provider}-expired`, ...fast, onOutcome: (o) => void outcomes.push(o) });
    expect(outcomes).toHaveLength(10);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(4);
    const expired = outcomes.filter((o) => !o.ok);
    expect(expired).toHaveLength(6);
    for (const e of expired) expect(e.ok === false && e.error).toMatchObject({ code: 'batch_expired', message: expect.stringMatching(/expired/) });
  });

  it.each(ROWS)('$provider: a two-step skill takes two rounds; an interrupted run resumes the same provider batch', async (row) => {
    const { emulator, runtime } = await setUp(row);
    const seen: Array<{ id: string; resumed: boolean }> = [];
    const stop = new AbortController();
    const first: BatchOutcome[] = [];
    // Interrupted as soon as the first provider batch is submitted (the process "crashes" before polling it).
    await runtime.providerBatch(twoSteps, items(6), {
      redis: REDIS_URL, prefix, name: `${row.provider}-resume`, ...fast, signal: stop.signal,
      onOutcome: (o) => void first.push(o),
      onProviderBatch: (b) => {
        seen.push(b);
        stop.abort();
      },
    });
    expect(first).toEqual([]);
    expect(emulator.batches).toHaveLength(1);
    const rerun: BatchOutcome[] = [];
    const summary = await runtime.providerBatch(twoSteps, items(6), {
      redis: REDIS_URL, prefix, name: `${row.provider}-resume`, ...fast,
      onOutcome: (o) => void rerun.push(o),
      onProviderBatch: (b) => void seen.push(b),
    });
    expect(summary.succeeded).toBe(6);
    for (const o of rerun) expect(o.ok && o.output).toBe(`echo: again echo: line ${o.line}`);
    // Round 1 resumed (not submitted again), round 2 submitted: two provider batches in all.
    expect(seen.map((b) => b.resumed)).toEqual([false, true, false]);
    expect(seen[1]!.id).toBe(seen[0]!.id);
    expect(emulator.batches).toHaveLength(2);
  });

  it.each(ROWS)('$provider: the adapter batch API: cancel ends the batch canceled, its lines canceled', async (row) => {
    const emulator = await startEmulator({ provider: row.provider, batchPollsToEnd: 3 });
    emulators.push(emulator);
    const api = row.make(emulator.url).batches!;
    const created = await api.create(items(3).map((i) => ({ customId: `c${i.line}`, request: { model: row.model, messages: [{ role: 'user', content: 'hi' }] } })));
    expect(created).toMatchObject({ status: 'in_progress', counts: { total: 3 } });
    expect(await api.retrieve(created.id)).toMatchObject({ status: 'in_progress' });
    await api.cancel(created.id);
    expect(await api.retrieve(created.id)).toMatchObject({ status: 'ended', endedAs: 'canceled', counts: { total: 3, succeeded: 0, failed: 3 } });
    const lines = [];
    for await (const line of api.results(created.id)) lines.push(line);
    expect(lines.map((l) => [l.customId, l.ok, !l.ok && l.status]).sort()).toEqual([['c1', false, 'canceled'], ['c2', false, 'canceled'], ['c3', false, 'canceled']]);
    // The SDKs' own requests, with the key, reached the emulator's batch routes only.
    expect(emulator.requests.every((r) => /batches|files/.test(r.path))).toBe(true);
  });

  it('refuses an engine without a batch API, naming it', async () => {
    const runtime = createRuntime({ engines: { local: { adapter: { provider: 'cohere', generate: async () => { throw new Error('unused'); }, stream: async function* () {} } as EngineAdapter, model: 'command-a' } } });
    await expect(runtime.providerBatch(oneStep, items(1), { redis: REDIS_URL, prefix })).rejects.toThrow(ProviderBatchUnsupportedError);
    await expect(runtime.providerBatch(oneStep, items(1), { redis: REDIS_URL, prefix })).rejects.toThrow(/engine `local` \(cohere\) has no batch API/);
  });

  it.each(ROWS)('$provider: skillc batch --provider-batch writes results and failures with codes, and resumes', async (row) => {
    const emulator = await startEmulator({ provider: row.provider, faults: 'context:0.25', seed: 11 });
    emulators.push(emulator);
    const cwd = mkdtempSync(path.join(dir, `${row.provider}-cli-`));
    writeFileSync(path.join(cwd, 'echo-line.skill.yaml'), ONE_STEP);
    writeFileSync(path.join(cwd, 'sdl.config.yaml'), `engines:\n  emu: { provider: ${row.provider}, model: ${row.model}, api_key: "\${env:PB_KEY}", base_url: "${emulator.url}" }\n`);
    writeFileSync(path.join(cwd, 'data.jsonl'), items(12).map((i) => `${JSON.stringify({ id: i.id, input: i.input })}\n`).join(''));
    const run = async () => {
      let out = '';
      let err = '';
      const code = await main(['batch', 'echo-line.skill.yaml', '--input', 'data.jsonl', '--out', 'out.jsonl', '--provider-batch', '--poll-ms', '5', '--redis', REDIS_URL, '--prefix', prefix], {
        stdout: { write: (t: string) => ((out += t), true) },
        stderr: { write: (t: string) => ((err += t), true) },
        cwd,
        env: { PB_KEY: KEY },
      });
      return { code, out, err };
    };
    const first = await run();
    expect(first.code, first.err).toBe(1);
    const read = (f: string) => readFileSync(path.join(cwd, f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const results = read('out.jsonl');
    const failures = read('out.failures.jsonl');
    expect([...results, ...failures].map((r) => r.line as number).sort((a, b) => a - b), first.err + first.out).toEqual(items(12).map((i) => i.line));
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect((f.error as { code: string }).code).toBe('engine_context_length');
    for (const r of results) expect(r.output).toBe(`echo: line ${r.line as number}`);
    expect(first.err).toMatch(/provider batch \S+ \(12 requests\) submitted/);
    for (const text of [first.out, first.err, readFileSync(path.join(cwd, 'out.jsonl'), 'utf8')]) expect(text.includes(KEY)).toBe(false);
    // Again: everything is done, nothing is submitted.
    const again = await run();
    expect(again.out).toMatch(/^12 lines: 0 succeeded this run, 0 failed this run, 12 already done/);
    expect(emulator.batches).toHaveLength(1);
  });
});
