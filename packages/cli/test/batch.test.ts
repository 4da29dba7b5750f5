import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from '../../../test/support/redis.js';
import { project, skillc } from './helpers.js';

const SKILL = `sdl: "1.0"
name: shout
version: 1.0.0
description: Says a line back.
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

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

describeWithRedis('skillc batch (in-process workers, scripted engine)', () => {
  const prefix = `sdl-test-cli-batch-${process.pid}-${Date.now()}`;
  const redis = new Redis(REDIS_URL);
  const dir = project({
    'shout.skill.yaml': SKILL,
    'sdl.config.yaml': 'engines:\n  s: { provider: scripted, model: scripted }\n',
    'data.jsonl': '{"id":"a","text":"one"}\n{"text":"two"}\nnot json\n{"text":""}\n',
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
  const args = ['batch', 'shout.skill.yaml', '--input', 'data.jsonl', '--out', 'out.jsonl', '--redis', REDIS_URL, '--prefix', prefix];

  it('writes results and failures, resumes without rerunning, reruns changed lines and, asked to, failed ones', async () => {
    const first = await skillc(args, dir);
    expect(first.code).toBe(1); // two lines failed
    expect(first.out).toMatch(/^4 lines: 2 succeeded this run, 2 failed this run, 0 already done \(2 in out\.failures\.jsonl\)/);
    expect(lines(join(dir, 'out.jsonl')).map((r) => [r.line, r.id, r.output])).toEqual(
      expect.arrayContaining([[1, 'a', 'one'], [2, undefined, 'two']]),
    );
    const failures = lines(join(dir, 'out.failures.jsonl'));
    expect(failures.map((f) => [f.line, (f.error as { code: string }).code]).sort()).toEqual([[3, 'batch_input_json'], [4, 'input_invalid']]);
    expect((failures.find((f) => f.line === 3)!.error as { message: string }).message).toMatch(/^data\.jsonl:3:1: this line is not JSON/);
    // Progress went to stderr as JSON lines (not a terminal).
    expect(first.err.split('\n').filter((l) => l.startsWith('{"type":"progress"')).length).toBeGreaterThan(0);

    const again = await skillc(args, dir);
    expect(again.out).toMatch(/^4 lines: 0 succeeded this run, 0 failed this run, 4 already done/);
    expect(lines(join(dir, 'out.jsonl'))).toHaveLength(2);

    // Line 2 changed: its old result is stale, dropped, and the line runs again; line 4 fixed, --retry-failed reruns it.
    writeFileSync(join(dir, 'data.jsonl'), '{"id":"a","text":"one"}\n{"text":"TWO"}\nnot json\n{"text":"four"}\n');
    const changed = await skillc([...args, '--retry-failed'], dir);
    expect(changed.out).toMatch(/^4 lines: 2 succeeded this run, 1 failed this run, 1 already done/);
    const results = lines(join(dir, 'out.jsonl'));
    expect(results.map((r) => [r.line, r.output]).sort()).toEqual([[1, 'one'], [2, 'TWO'], [4, 'four']]);
    expect(lines(join(dir, 'out.failures.jsonl')).map((f) => f.line)).toEqual([3]);
  }, 30_000);

  it.each([
    [['batch', 'shout.skill.yaml', '--out', 'o.jsonl'], /--input <data\.jsonl> is required/],
    [['batch', 'shout.skill.yaml', '--input', 'data.jsonl'], /--out <results\.jsonl> is required/],
    [['batch', 'shout.skill.yaml', '--input', 'data.jsonl', '--out', 'o.jsonl', '--workers', 'x'], /--workers must be an integer of at least 0, not `x`/],
    [['batch', 'shout.skill.yaml', '--input', 'missing.jsonl', '--out', 'o.jsonl'], /--input missing\.jsonl does not exist/],
  ])('usage error %#', async (argv, message) => {
    const result = await skillc(argv, dir);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});
