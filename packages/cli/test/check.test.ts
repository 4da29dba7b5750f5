import { describe, expect, it } from 'vitest';
import { GOOD, good, project, skillc } from './helpers.js';

describe('skillc check', () => {
  it('passes on the example skills in skills/ (exit 0)', async () => {
    const repo = new URL('../../../', import.meta.url).pathname;
    const r = await skillc(['check', 'skills/'], repo);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^no problems in \d+ files\n$/);
  });

  it('prints file:line:col, the source line, a caret underline and the hint (exit 1)', async () => {
    const root = project({ 'skills/a.skill.yaml': GOOD.replace('description:', 'descripton:') });
    const r = await skillc(['check', 'skills'], root);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      [
        'skills/a.skill.yaml:4:1: error SDL2001: unknown key `descripton` at the top level',
        ' 4 | descripton: Answer a question in one paragraph.',
        '   | ^^^^^^^^^^',
        '  hint: did you mean `description`?',
        '',
        '1 error in 1 file',
        '',
      ].join('\n'),
    );
  });

  it('keeps the caret under the right character after CJK text and with CRLF line ends', async () => {
    const text = GOOD.replace('description: Answer a question in one paragraph.', 'description: 回答问题 sk-ant-api03-Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6n').replace(/\n/g, '\r\n');
    const root = project({ 'zh.skill.yaml': text });
    const r = await skillc(['check', 'zh.skill.yaml'], root);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('zh.skill.yaml:4:19: error SDL3011: this string looks like an Anthropic API key');
    // The key is shown as its prefix and length (never as written), underlined in full.
    expect(lines[1]).toBe(' 4 | description: 回答问题 sk-a…(45 chars)');
    // 13 columns of "description: " + 4 wide characters (8 columns) + a space.
    expect(lines[2]).toBe(`   | ${' '.repeat(13 + 8 + 1)}${'^'.repeat('sk-a…(45 chars)'.length)}`);
    expect(r.out).not.toContain('Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6n');
  });

  it('reports every file and counts errors and warnings in the summary', async () => {
    const unusedTool = `${GOOD}tools:\n  search: { description: Search., parameters: { type: object } }\n`;
    const root = project({
      'a/one.skill.yaml': GOOD.replace('version: 1.0.0', 'version: "1.0"'),
      'a/b/two.skill.yaml': unusedTool.replace('name: answer-question', 'name: Two'),
      'a/node_modules/x/ignored.skill.yaml': 'not: [valid',
      'a/notes.yaml': 'ignored: true',
    });
    const r = await skillc(['check', 'a'], root);
    expect(r.code).toBe(1);
    expect(r.out).toContain('a/b/two.skill.yaml:2:7: error SDL3006');
    expect(r.out).toContain('a/b/two.skill.yaml:17:3: warning SDL3015');
    expect(r.out).toContain('a/one.skill.yaml:3:10: error SDL3005');
    expect(r.out.indexOf('a/b/two.skill.yaml')).toBeLessThan(r.out.indexOf('a/one.skill.yaml'));
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('2 errors, 1 warning in 2 files');
  });

  it('exits 0 when there are only warnings', async () => {
    const root = project({ 'w.skill.yaml': `${GOOD}uses:\n  chunk: { skill: ./chunk.skill.yaml }\n`, 'chunk.skill.yaml': good('chunk') });
    const r = await skillc(['check', 'w.skill.yaml'], root);
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning SDL3016');
    expect(r.out).toContain('1 warning in 2 files');
  });

  it('--format json prints one object with every diagnostic', async () => {
    const root = project({ 'a.skill.yaml': GOOD.replace('sdl: "1.0"', 'sdl: 1.0'), 'b.skill.yaml': good('b') });
    const r = await skillc(['check', '.', '--format', 'json'], root);
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.out) as { diagnostics: unknown[] };
    expect(parsed).toEqual({
      diagnostics: [
        {
          code: 'SDL2003',
          severity: 'error',
          message: '`sdl` must be a string, found a number',
          file: 'a.skill.yaml',
          range: { start: { line: 1, column: 6 }, end: { line: 1, column: 9 } },
          hint: 'quote the value so YAML keeps it a string: "1.0"',
        },
      ],
    });
    expect((await skillc(['check', 'b.skill.yaml', '--json'], root)).out).toBe('{\n  "diagnostics": []\n}\n');
  });

  it('reports invalid UTF-8 as a located diagnostic, not a stack trace', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('sdl: "1.0"\nname: caf'), 0xe9, ...new TextEncoder().encode('\n')]);
    const root = project({ 'latin1.skill.yaml': bytes });
    const r = await skillc(['check', 'latin1.skill.yaml'], root);
    expect(r.code).toBe(1);
    expect(r.out).toContain('latin1.skill.yaml:2:10: error SDL1001: invalid UTF-8');
    expect(r.err).toBe('');
  });

  it('exits 2 for a missing path, a directory without skills, no arguments and a bad --format', async () => {
    const root = project({ 'empty/readme.md': '# nothing' });
    const missing = await skillc(['check', 'nope.skill.yaml'], root);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('nope.skill.yaml:1:1: error SDL9001: cannot read `nope.skill.yaml`: no such file or directory');
    expect((await skillc(['check', 'empty'], root)).code).toBe(2);
    const none = await skillc(['check'], root);
    expect(none.code).toBe(2);
    expect(none.err).toContain('give at least one skill file or directory');
    const format = await skillc(['check', 'x', '--format', 'xml'], root);
    expect(format.code).toBe(2);
    expect(format.err).toContain('--format must be `human` or `json`');
    expect((await skillc(['check', '--bogus'], root)).code).toBe(2);
  });

  it('prints its usage for --help', async () => {
    const r = await skillc(['check', '--help'], process.cwd());
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: skillc check <files|dirs...>');
  });

  it('uses colour only on a terminal and honours NO_COLOR', async () => {
    const root = project({ 'a.skill.yaml': GOOD.replace('version: 1.0.0', 'version: x') });
    let out = '';
    const tty = { write: (s: string) => (out += s), isTTY: true };
    const { main } = await import('@sdl/cli');
    await main(['check', 'a.skill.yaml'], { stdout: tty, stderr: tty, cwd: root, env: {} });
    expect(out).toContain('\u001b[');
    out = '';
    await main(['check', 'a.skill.yaml'], { stdout: tty, stderr: tty, cwd: root, env: { NO_COLOR: '1' } });
    expect(out).not.toContain('\u001b[');
  });
});
