import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOOD, good, project, readIr, skillc } from './helpers.js';

describe('skillc compile', () => {
  it('writes <out>/<name>.skill.json with defaults filled, as deterministic JSON', async () => {
    const root = project({ 'skills/a.skill.yaml': GOOD, 'skills/nested/b.skill.yaml': good('second-skill') });
    const r = await skillc(['compile', 'skills', '--out', 'build'], root);
    expect(r.code).toBe(0);
    expect(r.out).toBe('compiled 2 skills to build\n');
    expect(readdirSync(join(root, 'build')).sort()).toEqual(['answer-question.skill.json', 'objects', 'second-skill.skill.json']);
    const text = readFileSync(join(root, 'build/answer-question.skill.json'), 'utf8');
    const json = readIr(join(root, 'build/answer-question.skill.json')) as { entry: string; ir_version: string; skills: Record<string, { name: string; policies: { retry: Record<string, number> } }> };
    expect(json.ir_version).toBe('1.0');
    expect(json.entry).toBe('a.skill.yaml'); // no package.json: the root is the first skill's directory
    expect(json.skills['a.skill.yaml']!.name).toBe('answer-question');
    expect(json.skills['a.skill.yaml']!.policies.retry).toEqual({ base_ms: 500, jitter: 0.2, max_attempts: 4, max_ms: 30000 });
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
    // Same input, same bytes.
    await skillc(['compile', 'skills', '--out', 'build2'], root);
    expect(readFileSync(join(root, 'build2/answer-question.skill.json'), 'utf8')).toBe(text);
  });

  it('writes nothing when any file has an error, and exits 1', async () => {
    const root = project({ 'a.skill.yaml': GOOD, 'b.skill.yaml': good('b').replace('steps:', 'stepz:') });
    const r = await skillc(['compile', '.', '--out', 'out'], root);
    expect(r.code).toBe(1);
    expect(existsSync(join(root, 'out'))).toBe(false);
    expect(r.err).toContain('b.skill.yaml:10:1: error SDL2001: unknown key `stepz` at the top level');
    expect(r.out).toBe('');
  });

  it('refuses two skills with the same name (SDL3021) and writes nothing', async () => {
    const root = project({ 'a.skill.yaml': GOOD, 'b.skill.yaml': GOOD });
    const r = await skillc(['compile', '.', '--out', 'out', '--format', 'json'], root);
    expect(r.code).toBe(1);
    const { diagnostics } = JSON.parse(r.out) as { diagnostics: { code: string; file: string; range: unknown }[] };
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'SDL3021', file: 'b.skill.yaml', range: { start: { line: 2, column: 7 }, end: { line: 2, column: 22 } } })]);
    expect(existsSync(join(root, 'out'))).toBe(false);
  });

  it('exits 2 without --out, and when the output directory cannot be created (nothing left behind)', async () => {
    const root = project({ 'a.skill.yaml': GOOD, 'blocker': 'a file, not a directory' });
    const noOut = await skillc(['compile', 'a.skill.yaml'], root);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain('--out <dir> is required');
    const blocked = await skillc(['compile', 'a.skill.yaml', '--out', 'blocker/out'], root);
    expect(blocked.code).toBe(2);
    expect(blocked.err).toContain('SDL9003');
    expect(readdirSync(root).sort()).toEqual(['a.skill.yaml', 'blocker']);
  });

  it('--format json reports an empty list on success and leaves no temporary files', async () => {
    const root = project({ 'a.skill.yaml': GOOD });
    const r = await skillc(['compile', 'a.skill.yaml', '-o', 'out', '--json'], root);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ diagnostics: [] });
    expect(readdirSync(join(root, 'out')).sort()).toEqual(['answer-question.skill.json', 'objects']);
    expect(readdirSync(join(root, 'out', 'objects'))).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
  });

  it('compiling again over the same output touches a bundle that holds the same bytes and rewrites one that differs', async () => {
    const root = project({ 'a.skill.yaml': GOOD, 'b.skill.yaml': good('second-skill') });
    expect((await skillc(['compile', '.', '--out', 'out'], root)).code).toBe(0);
    const same = join(root, 'out/answer-question.skill.json');
    const other = join(root, 'out/second-skill.skill.json');
    const sameText = readFileSync(same, 'utf8');
    const otherText = readFileSync(other, 'utf8');
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(same, past, past);
    writeFileSync(other, `${otherText.slice(0, -2)}\n`);
    const inode = statSync(same).ino;
    const r = await skillc(['compile', '.', '--out', 'out'], root);
    expect(r.code).toBe(0);
    expect(r.out).toBe('compiled 2 skills to out\n');
    // Same bytes: the same file, its mtime now (as a rewrite would leave it), for make-style tools.
    expect(statSync(same).ino).toBe(inode);
    expect(statSync(same).mtimeMs).toBeGreaterThan(past.getTime() + 1000);
    expect(readFileSync(same, 'utf8')).toBe(sameText);
    expect(readFileSync(other, 'utf8')).toBe(otherText);
    expect(readdirSync(join(root, 'out')).sort()).toEqual(['answer-question.skill.json', 'objects', 'second-skill.skill.json']);
  });
});
