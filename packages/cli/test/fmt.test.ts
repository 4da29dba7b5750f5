import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, skillc } from './helpers.js';

const MESSY = [
  '# yaml-language-server: $schema=../packages/compiler/schemas/sdl.schema.json',
  "name: 'greet'",
  'steps:',
  '    - prompt:',
  '          user: "Greet {{ inputs.name }}"  # keep this comment',
  '      id: greet',
  "sdl: '1.0'",
  'description: "Greet a customer."',
  'version: 1.0.0',
  '',
].join('\n');

const CANONICAL = [
  '# yaml-language-server: $schema=../packages/compiler/schemas/sdl.schema.json',
  'sdl: "1.0"',
  'name: greet',
  'version: 1.0.0',
  'description: Greet a customer.',
  '',
  'steps:',
  '  - id: greet',
  '    prompt:',
  '      user: Greet {{ inputs.name }} # keep this comment',
  '',
].join('\n');

describe('skillc fmt', () => {
  it('--check lists files that would change, writes nothing, exits 1', async () => {
    const cwd = project({ 'skills/greet.skill.yaml': MESSY, 'skills/ok.skill.yaml': CANONICAL.replace(/greet/g, 'ok') });
    const { code, out } = await skillc(['fmt', '--check', 'skills'], cwd);
    expect(code).toBe(1);
    expect(out).toBe('would reformat skills/greet.skill.yaml\n1 of 2 files would be reformatted (run `skillc fmt` to fix)\n');
    expect(readFileSync(path.join(cwd, 'skills/greet.skill.yaml'), 'utf8')).toBe(MESSY);
  });

  it('rewrites in place, keeps comments, then --check passes (idempotent)', async () => {
    const cwd = project({ 'greet.skill.yaml': MESSY });
    const first = await skillc(['fmt'], cwd);
    expect(first).toMatchObject({ code: 0, out: 'formatted greet.skill.yaml\n1 of 1 file reformatted\n' });
    expect(readFileSync(path.join(cwd, 'greet.skill.yaml'), 'utf8')).toBe(CANONICAL);
    expect(readdirSync(cwd)).toEqual(['greet.skill.yaml']); // no temp files left behind
    expect(await skillc(['fmt', '--check', '.'], cwd)).toMatchObject({ code: 0, out: '1 file already formatted\n' });
    expect(await skillc(['check', '.'], cwd)).toMatchObject({ code: 0 });
  });

  it('refuses a file with YAML errors, pointing at line:col, and leaves it as it was', async () => {
    const broken = 'sdl: "1.0"\nname: x\nname: y\n';
    const cwd = project({ 'dup.skill.yaml': broken });
    const { code, err } = await skillc(['fmt', '.'], cwd);
    expect(code).toBe(1);
    expect(err).toContain('dup.skill.yaml:3:1: error SDL1004');
    expect(readFileSync(path.join(cwd, 'dup.skill.yaml'), 'utf8')).toBe(broken);
  });

  it('treats CRLF line endings as a change', async () => {
    const cwd = project({ 'crlf.skill.yaml': CANONICAL.replace(/\n/g, '\r\n') });
    expect((await skillc(['fmt', '--check', '.'], cwd)).code).toBe(1);
    expect((await skillc(['fmt', '.'], cwd)).code).toBe(0);
    expect(readFileSync(path.join(cwd, 'crlf.skill.yaml'), 'utf8')).toBe(CANONICAL);
  });

  it('missing paths are I/O errors (exit 2)', async () => {
    const cwd = project({});
    const { code, err } = await skillc(['fmt', 'nope.skill.yaml'], cwd);
    expect(code).toBe(2);
    expect(err).toContain('nope.skill.yaml');
  });
});
