import { describe, expect, it } from 'vitest';
import { checkText, findApiKey } from '@sdl/compiler';
import { brief, withLines } from './helpers.js';

describe('API key detection', () => {
  it.each([
    ['sk-ant-api03-Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6n', 'Anthropic'],
    ['sk-proj-9fJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0d', 'OpenAI'],
    ['sk-9fJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0d', 'OpenAI'],
    ['AKIAIOSFODNN7EXAMPLE', 'AWS'],
    ['AIzaSyA1234567890abcdefghijklmnopqrstuv', 'Google'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'GitHub'],
    ['xoxb-123456789012-abcdefghij', 'Slack'],
    ['Bearer 7Fq9ZkP2xR8mW4vN6tY1uB3cD5eH0jLs', undefined],
    ['token=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRg', undefined],
  ])('finds %s', (text, provider) => {
    const found = findApiKey(text);
    expect(found).toBeDefined();
    expect(found!.provider).toBe(provider);
  });

  it.each([
    ['a UUID', '123e4567-e89b-12d3-a456-426614174000'],
    ['a git SHA', 'd6cd1e2bd19e03a81132a23b2025920577f84e37'],
    ['prose', 'Summarize the customer support conversation in three sentences, please.'],
    ['a long snake_case identifier', 'summarize_customer_support_conversation_history_v2'],
    ['a URL path', 'https://docs.example.com/guides/skill-description-language/getting-started'],
    ['a model id', 'command-a-plus-05-2026'],
    ['the word "sk-" in text', 'ask-me-anything mode'],
  ])('ignores %s', (_, text) => {
    expect(findApiKey(text)).toBeUndefined();
  });

  it('finds a key in a key, a test reply and a block scalar prompt, each at its exact place', () => {
    const text = withLines(
      '    output: text',
      'tests:',
      '  - name: t',
      '    input: { note: "AKIAIOSFODNN7EXAMPLE" }',
      '    replies:',
      '      answer: |',
      '        Here is the key',
      '        sk-ant-api03-Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6n',
    );
    expect(brief(checkText(text).diagnostics)).toEqual(['SDL3011@12:21:12:41', 'SDL3011@16:9:16:54']);
  });

  it('a secret-named field with an empty value or a schema is not a secret', () => {
    const text = withLines('inputs:', '  type: object', '  properties:', '    api_key: { type: string }', '    password: { type: string, default: "" }');
    expect(checkText(text).diagnostics.filter((d) => d.code === 'SDL3012')).toEqual([]);
  });
});

describe('semantic checks run with schema errors, in one pass', () => {
  it('reports schema and semantic errors of one file together, sorted by position', () => {
    const text = withLines('    tools: [serch]', '  - id: answer', '    prompt: { user: x }', '    temperature: 2', 'tools:', '  search: { description: Search., parameters: { type: object } }');
    expect(brief(checkText(text).diagnostics)).toEqual(['SDL3004@9:13:9:18', 'SDL3001@10:9:10:15', 'SDL2001@12:5:12:16', 'SDL3015@14:3:14:9']);
    const hint = checkText(text).diagnostics[0]!.hint;
    expect(hint).toBe('did you mean `search`?');
  });

  it('a for_each step may use as/concurrency; index and item are fine names', () => {
    const text = withLines('  - id: each', '    for_each: inputs.parts', '    as: part', '    concurrency: 2', '    prompt: { user: "{{ part }}" }');
    expect(checkText(text).diagnostics).toEqual([]);
  });

  it('step engine and model engines must be preferred only when prefer is given', () => {
    expect(checkText(withLines('    engine: claude', 'engines:', '  models: { openai: gpt-5.4 }')).diagnostics).toEqual([]);
    expect(brief(checkText(withLines('    engine: claud', 'engines:', '  prefer: [claude]')).diagnostics)).toEqual(['SDL3007@9:13:9:18']);
  });
});

describe('normalized skill', () => {
  it('fills schema defaults inside given mappings only, without touching the parsed value', () => {
    const result = checkText(withLines('policies:', '  retry: { max_attempts: 2 }', '  circuit_breaker: {}', 'memory: {}'));
    expect(result.skill!.policies).toEqual({ retry: { max_attempts: 2, base_ms: 500, max_ms: 30000, jitter: 0.2 }, circuit_breaker: { failures: 5, reset_ms: 30000 } });
    expect(result.skill!.memory).toEqual({ conversation: false });
    expect(result.skill!.tests).toBeUndefined();
    expect((result.parsed!.value as { policies: { retry: object } }).policies.retry).toEqual({ max_attempts: 2 });
  });

  it('does not fill defaults inside user JSON Schemas (their `default` is data, not a field default)', () => {
    const result = checkText(withLines('inputs:', '  type: object', '  properties: { question: { type: string }, tone: { type: string, default: formal } }'));
    expect(result.skill!.inputs).toEqual({ type: 'object', properties: { question: { type: 'string' }, tone: { type: 'string', default: 'formal' } } });
  });
});

describe('unknown-key hints', () => {
  it.each([
    ['    temperature: 0.2', '`temperature` belongs under `params:`'],
    ['    user: hi', '`user` belongs under `prompt:`'],
    ['retry: { max_attempts: 3 }', '`retry` belongs under `policies:`'],
    ['prefer: [claude]', '`prefer` belongs under `engines:`'],
    ['    promtp: { user: x }', 'did you mean `prompt`?'],
  ])('%s → %s', (line, hint) => {
    const [d, ...rest] = checkText(withLines(line)).diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'SDL2001', hint });
  });
});
