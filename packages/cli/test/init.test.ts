import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSkill } from '@sdl/compiler';
import { SCHEMA_URL, schemaReference } from '../src/commands/init.js';
import { project, skillc } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('skillc init', () => {
  it('scaffolds a skill that passes check, test and fmt --check as written', async () => {
    const cwd = project({});
    const created = await skillc(['init', 'answer-question'], cwd);
    expect(created.code).toBe(0);
    expect(created.out).toContain('created answer-question.skill.yaml');
    const text = readFileSync(path.join(cwd, 'answer-question.skill.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    expect(text).toContain('name: answer-question\n');
    expect(text).toContain('tests:\n  - name:');

    expect(await skillc(['check', '.'], cwd)).toMatchObject({ code: 0 });
    const tested = await skillc(['test', '.'], cwd);
    expect(tested.out).toContain('1 passed, 0 failed\n');
    expect(tested.code).toBe(0);
    expect(formatSkill(text).changed).toBe(false);
  });

  it('points at the schema shipped in @sdl/compiler by a relative path inside the SDL repository', () => {
    expect(schemaReference(path.join(repoRoot, 'skills'))).toBe('../packages/compiler/schemas/sdl.schema.json');
    expect(schemaReference(repoRoot)).toBe('./packages/compiler/schemas/sdl.schema.json');
    expect(schemaReference(path.join(repoRoot, 'packages', 'cli', 'test'))).toBe('../../compiler/schemas/sdl.schema.json');
  });

  it('creates --dir when missing and uses a relative path to the installed schema from there', async () => {
    const cwd = project({ 'node_modules/@sdl/compiler/schemas/sdl.schema.json': '{}' });
    const { code } = await skillc(['init', 'triage_email', '--dir', 'skills/support'], cwd);
    expect(code).toBe(0);
    const text = readFileSync(path.join(cwd, 'skills/support/triage_email.skill.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../node_modules/@sdl/compiler/schemas/sdl.schema.json');
  });

  it('refuses to overwrite an existing file (exit 2) and leaves it untouched', async () => {
    const cwd = project({ 'mine.skill.yaml': 'keep me\n' });
    const { code, err } = await skillc(['init', 'mine'], cwd);
    expect(code).toBe(2);
    expect(err).toBe('skillc init: mine.skill.yaml already exists; choose another name or --dir (nothing was written)\n');
    expect(readFileSync(path.join(cwd, 'mine.skill.yaml'), 'utf8')).toBe('keep me\n');
  });

  it.each([['Summarize'], ['my skill'], ['lead-'], ['a'.repeat(65)], ['../escape']])('rejects the name %j with a usage error', async (name) => {
    const cwd = project({});
    const { code, err } = await skillc(['init', name], cwd);
    expect(code).toBe(2);
    expect(err).toContain('is not a valid skill name');
  });

  it('needs exactly one name', async () => {
    const cwd = project({});
    expect((await skillc(['init'], cwd)).code).toBe(2);
    expect((await skillc(['init', 'a', 'b'], cwd)).code).toBe(2);
  });

  it('reports a directory it cannot create as an I/O error', async () => {
    const cwd = project({ 'file-not-dir': 'x' });
    mkdirSync(path.join(cwd, 'ok'));
    writeFileSync(path.join(cwd, 'ok', 'x'), '');
    const { code, err } = await skillc(['init', 'demo', '--dir', 'file-not-dir/sub'], cwd);
    expect(code).toBe(2);
    expect(err).toMatch(/^skillc init: cannot create .*demo\.skill\.yaml: (ENOTDIR|EEXIST)/);
  });
});
