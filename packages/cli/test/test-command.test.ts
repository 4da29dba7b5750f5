import { cpSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkAssertion } from '../src/commands/test.js';
import { project, skillc } from './helpers.js';

const fixtures = fileURLToPath(new URL('./fixtures/test-command/', import.meta.url));
/** A copy of the fixtures, so the tool stand-in module is imported fresh from a unique path. */
function fixtureProject(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'skillc-test-cmd-')));
  cpSync(fixtures, dir, { recursive: true });
  return dir;
}

describe('skillc test', () => {
  it('runs every test, reports passes and failures with file:line:col, ends with the totals', async () => {
    const cwd = fixtureProject();
    const { code, out } = await skillc(['test', '.'], cwd);
    expect(code).toBe(1);
    expect(out).toContain('greet.skill.yaml\n');
    expect(out).toContain('  ✓ greet › passes\n');
    expect(out).toContain('  ✗ greet › fails on equals\n');
    // The failing assertions point at their keys under `expect:`.
    expect(out).toContain('greet.skill.yaml:59:7: expect output.greeting: expected "Hello Ana"\n        received "Hi Ana"');
    expect(out).toContain('greet.skill.yaml:60:7: expect output.formal: expected type string, received boolean false');
    expect(out).toContain('greet.skill.yaml:61:7: expect output.missing: no such value in the result');
    // A run that fails points at the test and says how to fix it.
    expect(out).toContain("greet.skill.yaml:62:5: the run failed: scripted: no reply scripted for step `greet`; add one to the test's `replies`");
    expect(out.endsWith('\n1 passed, 2 failed\n')).toBe(true);
  });

  it('runs the tool loop through the stand-in module beside the skill', async () => {
    const cwd = fixtureProject();
    const { code, out } = await skillc(['test', 'greet.skill.yaml', '--format', 'json'], cwd);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { engine: string; passed: number; failed: number; results: Array<{ test: string; passed: boolean; line: number; column: number; failures: unknown[] }> };
    expect(report).toMatchObject({ engine: 'scripted', passed: 1, failed: 2 });
    expect(report.results.map((r) => [r.test, r.passed, r.line])).toEqual([
      ['passes', true, 43],
      ['fails on equals', false, 54],
      ['fails when the reply is missing', false, 62],
    ]);
    const tools = (await import(path.join(cwd, 'greet.tools.mjs'))) as { calls: string[] };
    expect(tools.calls).toEqual(['佐藤']);
  });

  it('--name runs only the named test, reported at its own line (what the editor\'s code lens runs)', async () => {
    const cwd = fixtureProject();
    const { code, out } = await skillc(['test', 'greet.skill.yaml', '--name', 'fails on equals', '--format', 'json'], cwd);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { passed: number; failed: number; results: Array<{ test: string; line: number }> };
    expect(report).toMatchObject({ passed: 0, failed: 1 });
    expect(report.results.map((r) => [r.test, r.line])).toEqual([['fails on equals', 54]]);
    const only = await skillc(['test', 'greet.skill.yaml', '--name', 'passes'], cwd);
    expect(only.code).toBe(0);
    expect(only.out.endsWith('\n1 passed, 0 failed\n')).toBe(true);
  });

  it('exits 0 and prints "N passed, 0 failed" when every test passes', async () => {
    const cwd = project({
      'ok.skill.yaml': [
        'sdl: "1.0"',
        'name: ok',
        'version: 1.0.0',
        'description: Classify sentiment.',
        'steps:',
        '  - id: classify',
        '    prompt: { user: "Sentiment of: {{ inputs.text }}" }',
        'tests:',
        '  - name: positive',
        '    input: { text: 素晴らしい }',
        '    replies: { classify: positive }',
        '    expect: { output: { equals: positive } }',
        '',
      ].join('\n'),
    });
    const { code, out } = await skillc(['test'], cwd);
    expect(out).toBe('ok.skill.yaml\n  ✓ ok › positive\n\n1 passed, 0 failed\n');
    expect(code).toBe(0);
  });

  it('reports compile errors instead of running, exit 1', async () => {
    const cwd = project({ 'bad.skill.yaml': 'sdl: "1.0"\nname: bad\nversion: 1.0.0\ndescription: Bad.\nsteps:\n  - id: a\n    promt: { user: Hi }\n' });
    const { code, err, out } = await skillc(['test', '.'], cwd);
    expect(code).toBe(1);
    expect(err).toMatch(/bad\.skill\.yaml:7:5: error SDL2/);
    expect(out).toBe('');
  });

  it('fails clearly when a tool has no stand-in', async () => {
    const cwd = project({
      'tooly.skill.yaml': [
        'sdl: "1.0"',
        'name: tooly',
        'version: 1.0.0',
        'description: Look an order up.',
        'tools:',
        '  get_order: { description: Fetch an order., parameters: { type: object, properties: { id: { type: string } } } }',
        'steps:',
        '  - id: order',
        '    tool: get_order',
        '    with: { id: inputs.id }',
        'tests:',
        '  - name: looks up',
        '    input: { id: A-1 }',
        '',
      ].join('\n'),
    });
    const { code, out } = await skillc(['test', '.'], cwd);
    expect(code).toBe(1);
    expect(out).toContain('tool `get_order` has no test stand-in: add tooly.tools.mjs beside the skill');
    expect(out).toContain('0 passed, 1 failed\n');
  });

  it('usage and I/O errors exit 2', async () => {
    const cwd = project({});
    expect((await skillc(['test', 'missing-dir'], cwd)).code).toBe(2);
    expect((await skillc(['test', '--format', 'xml', '.'], cwd)).code).toBe(2);
    expect((await skillc(['test', '--config', 'sdl.config.yaml', '.'], cwd)).code).toBe(2);
    const noConfig = await skillc(['test', '--engine', 'claude', '.'], cwd);
    expect(noConfig.code).toBe(2);
    expect(noConfig.err).toContain('sdl.config.yaml');
  });

  it('runs on a named engine of the config (a scripted engine here)', async () => {
    const cwd = project({
      'sdl.config.yaml': 'engines:\n  offline: { provider: scripted, model: scripted }\n',
      'echo.skill.yaml': [
        'sdl: "1.0"',
        'name: echo',
        'version: 1.0.0',
        'description: Echo.',
        'steps:',
        '  - id: say',
        '    prompt: { user: "Say hi" }',
        'tests:',
        '  - name: hi',
        '    input: {}',
        '    replies: { say: hi there }',
        '    expect: { output: { matches: "^hi" } }',
        '',
      ].join('\n'),
    });
    const { code, out } = await skillc(['test', '--engine', 'offline', '.'], cwd);
    expect(out).toContain('1 passed, 0 failed');
    expect(code).toBe(0);
    const unknown = await skillc(['test', '--engine', 'claud', '.'], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('engine `claud` is not in sdl.config.yaml (engines: offline)');
  });
});

describe('checkAssertion', () => {
  const found = (value: unknown) => ({ found: true, value: value as never });
  it.each([
    [{ equals: { a: [1, 'x'] } }, { a: [1, 'x'] }, true],
    [{ equals: { a: [1, 'x'] } }, { a: [1, 'y'] }, false],
    [{ equals: 1 }, 1.5, false],
    [{ contains: '返金' }, '返金について', true],
    [{ contains: 'b' }, ['a', 'b'], true],
    [{ contains: 'c' }, ['a', 'b'], false],
    [{ contains: 'a' }, 3, false],
    [{ matches: '^[A-Z]{2}-\\d+$' }, 'DE-204981', true],
    [{ matches: '^x' }, 'yx', false],
    [{ matches: '(a+)+$' }, `${'a'.repeat(5000)}!`, false],
    [{ type: 'integer' }, 3, true],
    [{ type: 'number' }, 3, true],
    [{ type: 'integer' }, 3.5, false],
    [{ type: 'array' }, [], true],
    [{ type: 'object' }, [], false],
    [{ type: 'null' }, null, true],
  ])('%j on %.40j → %s', (assertion, value, ok) => {
    expect(checkAssertion(assertion as never, found(value)) === undefined).toBe(ok);
  });
  it('explains an invalid pattern instead of throwing', () => {
    expect(checkAssertion({ matches: '(' }, found('x'))).toMatch(/not a valid regular expression/);
  });
});

describe('skillc test --format json', () => {
  it('prints the diagnostics as JSON on stdout when a skill has errors', async () => {
    const cwd = project({ 'bad.skill.yaml': 'sdl: "1.0"\nname: bad\nversion: 1.0.0\ndescription: Bad.\nsteps:\n  - id: a\n    promt: { user: Hi }\n' });
    const { code, out } = await skillc(['test', '--json', '.'], cwd);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { diagnostics: Array<{ file: string; code: string; range: { start: { line: number; column: number } } }> };
    expect(report.diagnostics[0]).toMatchObject({ file: 'bad.skill.yaml', range: { start: { line: 7, column: 5 } } });
    expect(report.diagnostics[0]!.code).toMatch(/^SDL2/);
  });
});

describe('skillc test --engine on a provider adapter', () => {
  it('runs through the real Anthropic adapter against the in-process emulator; the key never shows', async () => {
    const { startEmulator } = await import('@sdl/adapters');
    const emulator = await startEmulator({ provider: 'anthropic' });
    try {
      const cwd = project({
        'sdl.config.yaml': `engines:\n  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}", base_url: "${emulator.url}" }\n`,
        'echo.skill.yaml': [
          'sdl: "1.0"',
          'name: echo',
          'version: 1.0.0',
          'description: Repeat a word.',
          'steps:',
          '  - id: say',
          '    prompt: { user: "Say {{ inputs.word }}" }',
          'tests:',
          '  - name: echoes',
          '    input: { word: こんにちは }',
          '    replies: { say: ignored on real engines }',
          "    expect: { output: { equals: 'echo: Say こんにちは' } }",
          '  - name: notices a wrong answer',
          '    input: { word: hello }',
          '    expect: { output: { equals: Say goodbye } }',
          '',
        ].join('\n'),
      });
      const key = 'sk-ant-test-0123456789abcdef0123456789';
      const { code, out, err } = await skillc(['test', '--engine', 'claude', '.'], cwd, { ANTHROPIC_API_KEY: key });
      expect(out).toContain('  ✓ echo › echoes\n');
      expect(out).toContain('  ✗ echo › notices a wrong answer\n');
      expect(out).toContain('1 passed, 1 failed\n');
      expect(code).toBe(1);
      expect(out + err).not.toContain(key);
    } finally {
      await emulator.close();
    }
  });
});

describe('assertions: not, schema, length, tool_called, error', () => {
  const matchers = [
    'sdl: "1.0"', // 1
    'name: matchers',
    'version: 1.0.0',
    'description: Look an order up and summarise it.',
    'tools:', // 5
    '  get_order:',
    '    description: Fetch an order.',
    '    parameters: { type: object, properties: { id: { type: string } } }',
    '    returns: { type: object, examples: [{ id: A-1, status: shipped }] }',
    'steps:', // 10
    '  - id: order',
    '    tool: get_order',
    '    with: { id: inputs.id }',
    '  - id: summary',
    '    prompt: { user: "Summarise {{ inputs.id }}" }', // 15
    "return: \"{'summary': steps.summary.output, 'tags': ['a', 'b']}\"",
    'policies: { budget: { max_tokens: 100 } }',
    'tests:',
    '  - name: passes',
    '    input: { id: A-1 }', // 20
    '    replies: { summary: 日本の注文 }',
    '    expect:',
    '      output: { schema: { type: object, required: [summary, tags] } }',
    '      output.summary: { length: { min: 1, max: 5 } }',
    '      output.tags: { not: { contains: c } }', // 25
    '      tool_calls: { tool_called: { name: get_order, arguments: { id: A-1 } } }',
    '      steps.order.output: { not: { equals: { id: A-2 } } }',
    '  - name: fails',
    '    input: { id: A-2 }',
    '    replies: { summary: a long summary }', // 30
    '    expect:',
    '      output: { schema: { type: object, required: [queue] } }',
    '      output.summary: { length: { max: 5 } }',
    '      output.tags: { not: { contains: a } }',
    '      tool_calls: { tool_called: { name: get_order, arguments: { id: A-1 } } }', // 35
    '      steps.order.output: { not: { tool_called: refund } }',
    '      output.missing: { not: { equals: 1 } }',
    '  - name: over budget',
    `    input: { id: "${'A-1 — a long order reference that costs more tokens than the budget allows. '.repeat(12)}" }`,
    '    replies: { summary: ok }', // 40
    '    expect:',
    '      error: token_budget_exceeded',
    '      error.message: { contains: policies.budget.max_tokens }',
    '      tool_calls: { tool_called: get_order }',
    '  - name: wrong error', // 45
    '    input: { id: A-1 }',
    '    expect: { error: token_budget_exceeded }',
    '  - name: no error',
    '    input: { id: A-1 }',
    '    replies: { summary: ok }', // 50
    '    expect: { error: token_budget_exceeded, error.message: { contains: budget } }',
    '',
  ].join('\n');

  it('passes and fails each matcher, with the message at the assertion key', async () => {
    const cwd = project({ 'matchers.skill.yaml': matchers });
    const { code, out } = await skillc(['test', '.'], cwd);
    expect(code).toBe(1);
    expect(out).toContain('  ✓ matchers › passes\n');
    expect(out).toContain('  ✓ matchers › over budget\n');
    const at = (line: number, col: number, text: string) => `matchers.skill.yaml:${line}:${col}: ${text}`;
    expect(out).toContain(at(32, 7, 'expect output: expected a value matching the schema (/queue: required property `queue` is missing)\n        received {"summary":"a long summary","tags":["a","b"]}'));
    expect(out).toContain(at(33, 7, 'expect output.summary: expected a length at most 5, received length 14: "a long summary"'));
    expect(out).toContain(at(34, 7, 'expect output.tags: expected the value not to satisfy `contains "a"`\n        received ["a","b"]'));
    expect(out).toContain(at(35, 7, 'expect tool_calls: expected a call of `get_order` with arguments including {"id":"A-1"}; calls made: get_order({"id":"A-2"})'));
    // A check that cannot judge its value stays a failure under `not:`.
    expect(out).toContain(at(36, 7, 'expect steps.order.output: `tool_called` reads the run\'s calls: put it under the path `tool_calls`, received object {"id":"A-1","status":"shipped"}'));
    // `not` holds for a value the result does not have: no line for output.missing.
    expect(out).not.toContain('output.missing');
    expect(out).toContain(at(47, 15, 'expect error: expected the run to fail with `token_budget_exceeded`\n        it failed with `engine_invalid_request`: scripted: no reply scripted for step `summary`'));
    expect(out).toContain(at(51, 15, 'expect error: expected the run to fail with `token_budget_exceeded`, but it succeeded'));
    expect(out).toContain(at(51, 45, 'expect error.message: expected the run to fail, but it succeeded'));
    expect(out.endsWith('\n2 passed, 3 failed\n')).toBe(true);
  });

  it('reports malformed assertions at their exact position before running anything', async () => {
    const cwd = project({
      'bad.skill.yaml': [
        'sdl: "1.0"',
        'name: bad',
        'version: 1.0.0',
        'description: Bad assertions.',
        'steps:', // 5
        '  - id: summary',
        '    prompt: { user: Summarise }',
        'tests:',
        '  - name: t',
        '    input: {}', // 10
        '    expect:',
        '      output: { length: { min: 5, max: 2 } }',
        '      output.a: { not: { equals: 1, contains: x } }',
        '      output.b: { lenght: { min: 1 } }',
        '      output.c: { tool_called: { nme: x } }', // 15
        '      output.d: { schema: { type: strin } }',
        '      error: Token-Budget',
        '',
      ].join('\n'),
    });
    const { code, out, err } = await skillc(['test', '--json', '.'], cwd);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { diagnostics: Array<{ code: string; message: string; hint?: string; range: { start: { line: number; column: number } } }> };
    const seen = report.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
    expect(seen).toEqual(expect.arrayContaining([
      '12:40 SDL3023 `length` allows no value: `max` (2) is below `min` (5) (make `max` at least 5, or swap the bounds)',
      expect.stringMatching(/^13:19 SDL2013 the assertion `tests\[0\]\.expect\["output\.a"\]\.not` must give exactly one check \(use one of `equals`, .*`not`/),
      '14:19 SDL2001 unknown key `lenght` in `tests[0].expect["output.b"]` (did you mean `length`?)',
      '15:34 SDL2001 unknown key `nme` in `tests[0].expect["output.c"].tool_called` (did you mean `name`?)',
      expect.stringMatching(/^16:35 SDL2004 "strin" is not allowed .*did you mean `string`\?/),
      expect.stringMatching(/^17:14 SDL2007 `tests\[0\]\.expect\.error` must be a runtime error code/),
    ]));
    expect(report.diagnostics).toHaveLength(6);
    expect(err).toBe('');
  });
});

describe('checkAssertion: the new matchers', () => {
  const found = (value: unknown) => ({ found: true, value: value as never });
  const calls = [{ name: 'get_order', arguments: { id: 'A-1', options: { full: true, lang: 'ja' } } }];
  it.each([
    [{ not: { equals: 'x' } }, 'y', undefined],
    [{ not: { equals: 'x' } }, 'x', 'expected the value not to satisfy `equals "x"`\n  received "x"'],
    [{ not: { not: { equals: 'x' } } }, 'x', undefined],
    [{ not: { contains: 'a' } }, 3, '`contains` needs a string or a list, received integer 3'],
    [{ schema: { type: 'string', format: 'email' } }, 'ana@example.com', undefined],
    [{ schema: { type: 'string', format: 'email' } }, 'ana', 'expected a value matching the schema ((root): must match format "email")\n  received "ana"'],
    [{ length: { min: 2, max: 2 } }, '日本', undefined],
    [{ length: { min: 1 } }, [], 'expected a length at least 1, received length 0: []'],
    [{ length: { max: 1 } }, { a: 1 }, '`length` needs a string or a list, received object {"a":1}'],
    [{ tool_called: 'get_order' }, calls, undefined],
    [{ tool_called: { name: 'get_order', arguments: { options: { lang: 'ja' } } } }, calls, undefined],
    [{ tool_called: { name: 'get_order', arguments: { options: { lang: 'en' } } } }, calls, 'expected a call of `get_order` with arguments including {"options":{"lang":"en"}}; calls made: get_order({"id":"A-1","options":{"full":true,"lang":"ja"}})'],
    [{ tool_called: 'refund' }, [], 'expected a call of `refund`; no tool was called'],
    [{ not: { tool_called: 'refund' } }, calls, undefined],
  ])('%j on %.60j', (assertion, value, message) => {
    expect(checkAssertion(assertion as never, found(value))).toBe(message);
  });
});
