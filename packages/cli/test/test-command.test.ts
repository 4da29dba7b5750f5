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
