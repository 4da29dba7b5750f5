import { ScriptedAdapter, type EngineRequest } from '@sdl/adapters';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';
import { batchId, createRuntime, itemKey, loadSkillSource, outcomeListKey, type BatchOutcome } from '../../src/index.js';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SKILL = `sdl: "1.0"
name: echo-line
version: 1.0.0
description: Echoes a line.
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

const lastUser = (request: EngineRequest) => {
  const content = request.messages.at(-1)!.content;
  return typeof content === 'string' ? content : JSON.stringify(content);
};

describeWithRedis('runtime.batch on the real Redis', () => {
  const prefix = `sdl-test-rb-${process.pid}-${Date.now()}`;
  const redis = new Redis(REDIS_URL);
  const dir = mkdtempSync(path.join(tmpdir(), 'sdl-rb-'));
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs each distinct input once, retries transient failures only, reports every line, and resumes', async () => {
    const file = path.join(dir, 'echo.skill.yaml');
    writeFileSync(file, SKILL);
    const skill = await loadSkillSource(file);
    const calls = new Map<string, number>();
    const engine = new ScriptedAdapter({
      handler: (request) => {
        const text = lastUser(request);
        const n = (calls.get(text) ?? 0) + 1;
        calls.set(text, n);
        if (text === 'flaky' && n === 1) return { error: 'server', message: 'emulated 500' };
        if (text === 'too long') return { error: 'context_length', message: 'prompt is too long' };
        return `echo: ${text}`;
      },
    });
    const runtime = createRuntime({ engines: { s: { adapter: engine, model: 'scripted' } } });
    const items = [
      { line: 1, id: 'a', input: { text: 'one' } },
      { line: 2, input: { text: 'flaky' } },
      { line: 3, input: { text: 'too long' } },
      { line: 4, input: { text: '' } },
      { line: 5, id: 'b', input: { text: 'one' } },
    ];
    const outcomes: BatchOutcome[] = [];
    const summary = await runtime.batch(skill, items, { redis: REDIS_URL, prefix, name: 'first', backoffMs: 1, attempts: 3, onOutcome: (o) => void outcomes.push(o) });

    const byLine = new Map(outcomes.map((o) => [o.line, o]));
    expect([...byLine.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(byLine.get(1)).toMatchObject({ ok: true, id: 'a', output: 'echo: one', attempts: 1 });
    expect(byLine.get(5)).toMatchObject({ ok: true, id: 'b', output: 'echo: one' });
    expect(calls.get('one')).toBe(1); // lines 1 and 5 share one job
    expect(byLine.get(2)).toMatchObject({ ok: true, output: 'echo: flaky', attempts: 2 });
    expect(byLine.get(3)).toMatchObject({ ok: false, error: { code: 'engine_context_length' }, attempts: 1 });
    expect(calls.get('too long')).toBe(1); // not retried
    expect(byLine.get(4)).toMatchObject({ ok: false, error: { code: 'input_invalid' }, attempts: 0 });
    expect(summary).toMatchObject({ total: 5, done: 5, succeeded: 3, failed: 2, skipped: 0 });
    expect(byLine.get(1)!.key).toBe(itemKey(skill.hash, { text: 'one' }));
    // The outcome list is gone once every outcome was handed over.
    expect(await redis.exists(outcomeListKey(prefix, batchId(skill.hash, 'first')))).toBe(0);

    // Resuming with every line done runs nothing.
    const again: BatchOutcome[] = [];
    const before = [...calls.values()].reduce((a, b) => a + b, 0);
    const resumed = await runtime.batch(skill, items, {
      redis: REDIS_URL,
      prefix,
      name: 'first',
      completed: (line, key) => byLine.get(line)?.key === key,
      onOutcome: (o) => void again.push(o),
    });
    expect(again).toEqual([]);
    expect(resumed).toMatchObject({ total: 5, done: 5, skipped: 5 });
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(before);
  }, 30_000);

  it('picks up outcomes an interrupted run left in Redis instead of running those inputs again', async () => {
    const file = path.join(dir, 'echo2.skill.yaml');
    writeFileSync(file, SKILL);
    const skill = await loadSkillSource(file);
    let calls = 0;
    const engine = new ScriptedAdapter({ handler: (request) => (calls++, `echo: ${lastUser(request)}`) });
    const runtime = createRuntime({ engines: { s: { adapter: engine, model: 'scripted' } } });
    // As a worker would have reported it before the coordinator crashed.
    const key = itemKey(skill.hash, { text: 'done before' });
    await redis.rpush(outcomeListKey(prefix, batchId(skill.hash, 'second')), JSON.stringify({ key, ok: true, output: 'from the first run', usage: { inputTokens: 1, outputTokens: 2 }, cost: 0.5, engines: ['s'], attempts: 1 }));
    const outcomes: BatchOutcome[] = [];
    const summary = await runtime.batch(skill, [{ line: 1, input: { text: 'done before' } }, { line: 2, input: { text: 'new' } }], {
      redis: REDIS_URL,
      prefix,
      name: 'second',
      onOutcome: (o) => void outcomes.push(o),
    });
    expect(outcomes.find((o) => o.line === 1)).toMatchObject({ ok: true, output: 'from the first run', cost: 0.5 });
    expect(outcomes.find((o) => o.line === 2)).toMatchObject({ ok: true, output: 'echo: new' });
    expect(calls).toBe(1);
    expect(summary.cost).toBe(0.5);
  }, 30_000);
});
