import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '@sdl/cli';

const dir = mkdtempSync(join(tmpdir(), 'skillc-render-'));
function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

async function skillc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  const code = await main(['render', ...argv], io);
  return { code, out, err };
}

describe('skillc render', () => {
  it('renders a template file with --vars', async () => {
    const name = file('ok.tmpl', 'Summarize in {{ inputs.language }}:\n{{#each inputs.parts as p, i}}\n{{ i + 1 }}. {{ p }}\n{{/each}}\n');
    const r = await skillc(name, '--vars', '{"inputs": {"language": "en", "parts": ["a", "b"]}}');
    expect(r).toEqual({ code: 0, out: 'Summarize in en:\n1. a\n2. b\n', err: '' });
  });

  it('reports every syntax error with file:line:col, exit 1', async () => {
    const name = file('bad.tmpl', 'Hello {{ inputs. }}\n{{#if x}}\n{{ 1 + }}\n');
    const r = await skillc(name, '--vars', '{"inputs": {}, "x": true}');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('bad.tmpl:1:18: error SDL4002');
    expect(r.err).toContain('bad.tmpl:2:1: error SDL4012');
    expect(r.err).toContain('bad.tmpl:3:8: error SDL4002');
  });

  it('reports type errors with did-you-mean and evaluation errors at their position', async () => {
    const name = file('typo.tmpl', 'Hi {{ inputs.nmae }}');
    const r = await skillc(name, '--vars', '{"inputs": {"name": "Ann"}}');
    expect(r.code).toBe(1);
    expect(r.err).toContain('typo.tmpl:1:14: error SDL4102');
    expect(r.err).toContain('did you mean `name`?');
    const div = file('div.tmpl', 'x\n  {{ 1 / n }}');
    const e = await skillc(div, '--vars', '{"n": 0}');
    expect(e.code).toBe(1);
    expect(e.err).toContain('div.tmpl:2:8: error SDL4203: division by zero');
  });

  it('exits 2 when the file cannot be read', async () => {
    const r = await skillc('missing.tmpl');
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot read missing.tmpl: ENOENT');
  });
});
