/**
 * `skillc run --trace` and `skillc test --trace`: the run trace is written (also when the run or a
 * test fails), is schema-valid, names the failover, and holds no key; a failing test prints its path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@sdl/adapters';
import type { RunTrace } from '@sdl/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { project, skillc } from './helpers.js';

const ANTHROPIC_KEY = 'sk-ant-trace-test-0123456789abcdef0123';
const OPENAI_KEY = 'sk-openai-trace-test-abcdef0123456789';
const ENV = { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY };
const schema = JSON.parse(readFileSync(new URL('../../../spec/run-trace.schema.json', import.meta.url), 'utf8'));
const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

const ECHO = `sdl: "1.0"
name: echo
version: 1.0.0
description: Say a word back.
inputs:
  type: object
  required: [word]
  properties:
    word: { type: string }
engines: { prefer: [claude, gpt] }
steps:
  - id: say
    prompt: { user: "Say {{ inputs.word }} to bob@example.com" }
`;

const TESTED = `sdl: "1.0"
name: sentiment
version: 1.0.0
description: Classify the sentiment of a text.
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string }
steps:
  - id: classify
    prompt: { user: "Sentiment of {{ inputs.text }}" }
tests:
  - name: positive
    input: { text: great }
    replies: { classify: positive }
    expect: { output: { equals: positive } }
  - name: Negative, wrongly expected!
    input: { text: awful }
    replies: { classify: negative }
    expect: { output: { equals: positive } }
`;

function readTrace(file: string): RunTrace {
  const text = readFileSync(file, 'utf8');
  expect(text).not.toContain(ANTHROPIC_KEY);
  expect(text).not.toContain(OPENAI_KEY);
  const trace = JSON.parse(text) as RunTrace;
  expect(validate(trace), JSON.stringify(validate.errors)).toBe(true);
  return trace;
}

describe('skillc run --trace / skillc test --trace', () => {
  let claude: Emulator;
  let openai: Emulator;
  beforeAll(async () => {
    [claude, openai] = await Promise.all([startEmulator({ provider: 'anthropic' }), startEmulator({ provider: 'openai' })]);
  });
  afterAll(async () => {
    await Promise.all([claude.close(), openai.close()]);
  });
  const config = () =>
    [
      'engines:',
      `  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}", base_url: "${claude.url}" }`,
      `  gpt: { provider: openai, model: gpt-5.4, api_key: "\${env:OPENAI_API_KEY}", base_url: "${openai.url}" }`,
      'default_engine: claude',
      '',
    ].join('\n');

  it('run --trace writes the run trace with the failover, the redacted prompt and the reply', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO });
    claude.enqueueFault('401');
    const { code, err } = await skillc(['run', 'echo.skill.yaml', '--input', '{"word": "hello"}', '--trace', 'out/trace.json'], cwd, ENV);
    expect(code).toBe(0);
    expect(err).toContain('skillc run: trace written to out/trace.json');
    const trace = readTrace(join(cwd, 'out/trace.json'));
    expect(trace).toMatchObject({ status: 'ok', skill: { name: 'echo' }, engines: ['gpt'] });
    const call = trace.spans.find((s) => s.kind === 'model_call')!;
    expect(call).toMatchObject({ requestedEngine: 'claude', engine: 'gpt', switches: [{ from: 'claude', to: 'gpt', reason: 'auth' }] });
    expect(call.prompt!.messages).toEqual([{ role: 'user', content: 'Say hello to [REDACTED:email]' }]);
    expect(call.reply!.text).toContain('Say hello');
  });

  it('run --trace writes the trace of a failed run too (exit 1)', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO });
    claude.enqueueFault('401');
    openai.enqueueFault('401');
    const { code } = await skillc(['run', 'echo.skill.yaml', '--input', '{"word": "no"}', '--trace', 'trace.json'], cwd, ENV);
    expect(code).toBe(1);
    const trace = readTrace(join(cwd, 'trace.json'));
    expect(trace.status).toBe('error');
    expect(trace.spans.filter((s) => s.kind === 'hop').map((h) => h.failoverReason)).toEqual(['auth', 'auth']);
  });

  it('run --trace without a file name is a usage error (exit 2)', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO });
    const { code, err } = await skillc(['run', 'echo.skill.yaml', '--trace='], cwd, ENV);
    expect(code).toBe(2);
    expect(err).toContain('--trace needs a file name');
  });

  it('test --trace writes one trace per test; the failing test prints its path', async () => {
    const cwd = project({ 'sentiment.skill.yaml': TESTED });
    const { code, out } = await skillc(['test', '--trace', 'traces'], cwd);
    expect(code).toBe(1);
    expect(readdirSync(join(cwd, 'traces/sentiment')).sort()).toEqual(['1-positive.trace.json', '2-negative-wrongly-expected.trace.json']);
    expect(out).toContain('trace: traces/sentiment/2-negative-wrongly-expected.trace.json');
    expect(out).not.toContain('trace: traces/sentiment/1-positive.trace.json');
    const failing = readTrace(join(cwd, 'traces/sentiment/2-negative-wrongly-expected.trace.json'));
    expect(failing.spans.find((s) => s.kind === 'model_call')!.reply!.text).toBe('negative');
    expect(existsSync(join(cwd, 'traces/sentiment/1-positive.trace.json'))).toBe(true);
  });
});
