import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadSkillFile } from '@sdl/runtime';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, skillc, readIr } from './helpers.js';

const skill = (name: string, version: string, uses = '', body = '  - id: only\n    prompt: { user: "{{ inputs.text }}" }\n') =>
  `sdl: "1.0"\nname: ${name}\nversion: ${version}\ndescription: The ${name} skill.\ninputs: { type: object, properties: { text: { type: string } } }\n${uses}steps:\n${body}`;
const useOf = (alias: string, spec: string, range = '^1.0.0') =>
  [`uses:\n  ${alias}: { skill: ${spec}, version: "${range}" }\n`, `  - id: call\n    use: ${alias}\n    with: { text: inputs.text }\n`] as const;

function app(): string {
  const [uses, body] = useOf('lib', './lib.skill.yaml');
  return project({
    'package.json': '{ "name": "app", "private": true }',
    'skills/app.skill.yaml': skill('app', '1.0.0', uses, body),
    'skills/lib.skill.yaml': skill('lib', '1.1.0'),
  });
}

describe('skillc compile output, content-addressed by default', () => {
  it('writes each skill once under objects/ and bundles referring to it by hash; the runtime follows and checks the references; --standalone writes single-file bundles', async () => {
    const root = app();
    expect((await skillc(['compile', 'skills', '--out', 'dist'], root)).code).toBe(0);
    expect((await skillc(['compile', 'skills', '--out', 'solo', '--standalone'], root)).code).toBe(0);
    // lib is in both bundles' closures, its object is written once: two skills, two objects.
    const objects = readdirSync(join(root, 'dist', 'objects')).sort();
    expect(objects).toHaveLength(2);
    const referencing = JSON.parse(readFileSync(join(root, 'dist/app.skill.json'), 'utf8'));
    expect(Object.values(referencing.skills)).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/), expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    expect(objects).toEqual((Object.values(referencing.skills) as string[]).map((h) => `${h.slice(7)}.json`).sort());
    // Same document either way: same hash, and the references resolve to the standalone bundle's skills.
    const standalone = JSON.parse(readFileSync(join(root, 'solo/app.skill.json'), 'utf8'));
    expect(referencing.hash).toBe(standalone.hash);
    expect(readIr(join(root, 'dist/app.skill.json'))).toEqual(standalone);
    expect(readdirSync(join(root, 'solo')).sort()).toEqual(['app.skill.json', 'lib.skill.json']);
    for (const dir of ['dist', 'solo']) expect((await loadSkillFile(join(root, dir, 'app.skill.json'))).name).toBe('app');

    // An object edited in place (its hash kept) or missing is refused, never run.
    const libObject = join(root, 'dist', 'objects', `${(referencing.skills['skills/lib.skill.yaml'] as string).slice(7)}.json`);
    const good = readFileSync(libObject, 'utf8');
    writeFileSync(libObject, good.replace('The lib skill.', 'Edited.'));
    await expect(loadSkillFile(join(root, 'dist/app.skill.json'))).rejects.toMatchObject({ code: 'SDL6004' });
    rmSync(libObject);
    const missing = await loadSkillFile(join(root, 'dist/app.skill.json')).catch((e: Error) => e);
    expect(missing).toMatchObject({ code: 'SDL6001' });
    expect((missing as Error).message).toMatch(/skill `skills\/lib.skill.yaml` is stored in .*objects.*cannot be read \(ENOENT\); copy the whole compile output directory, or compile with --standalone/);
    // A recompile puts a missing object back (present ones are not rewritten: their name is their content).
    expect((await skillc(['compile', 'skills', '--out', 'dist'], root)).code).toBe(0);
    expect(readFileSync(libObject, 'utf8')).toBe(good);
    // A reference is a hash, never a path: anything else is refused before a file is opened.
    const forged = { ...referencing, skills: { ...referencing.skills, 'skills/lib.skill.yaml': 'sha256:../../app.skill' } };
    writeFileSync(join(root, 'dist/forged.skill.json'), JSON.stringify(forged));
    await expect(loadSkillFile(join(root, 'dist/forged.skill.json'))).rejects.toMatchObject({ code: 'SDL6003' });
  });
});

describe('skillc compile and sdl.lock', () => {
  it('writes sdl.lock at the project root, and the bundle holds the dependency closure', async () => {
    const root = app();
    const r = await skillc(['compile', 'skills/app.skill.yaml', '--out', 'dist'], root);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lock = JSON.parse(readFileSync(join(root, 'sdl.lock'), 'utf8'));
    expect(Object.keys(lock.skills)).toEqual(['skills/app.skill.yaml', 'skills/lib.skill.yaml']);
    const ir = readIr(join(root, 'dist/app.skill.json'));
    expect(Object.keys(ir.skills)).toEqual(['skills/app.skill.yaml', 'skills/lib.skill.yaml']);
    expect(ir.dependencies.map((d: { id: string; sha256: string }) => [d.id, d.sha256])).toEqual([['skills/lib.skill.yaml', lock.skills['skills/lib.skill.yaml'].sha256]]);
  });

  it('--frozen-lockfile fails with exit 1 and writes nothing when sdl.lock is missing', async () => {
    const root = app();
    const r = await skillc(['compile', 'skills/app.skill.yaml', '--out', 'dist', '--frozen-lockfile'], root);
    expect(r.code).toBe(1);
    expect(r.err).toContain('sdl.lock:1:1: error SDL5101: sdl.lock is missing; --frozen-lockfile needs a lockfile recording the dependencies');
    expect(existsSync(join(root, 'dist'))).toBe(false);
    expect(existsSync(join(root, 'sdl.lock'))).toBe(false);
  });

  it('--frozen-lockfile passes with an up-to-date lock, and fails on drift at the uses: entry (nothing written)', async () => {
    const root = app();
    expect((await skillc(['compile', 'skills', '--out', 'dist'], root)).code).toBe(0);
    const lockBefore = readFileSync(join(root, 'sdl.lock'), 'utf8');
    expect((await skillc(['compile', 'skills', '--out', 'dist2', '--frozen-lockfile'], root)).code).toBe(0);

    writeFileSync(join(root, 'skills/lib.skill.yaml'), skill('lib', '1.1.0').replace('The lib skill.', 'Changed.'));
    const drift = await skillc(['compile', 'skills', '--out', 'dist3', '--frozen-lockfile'], root);
    expect(drift.code).toBe(1);
    expect(drift.err).toMatch(/skills\/app\.skill\.yaml:7:3: error SDL5103: `lib` \(skills\/lib\.skill\.yaml\) 1\.1\.0 changed since it was locked/);
    expect(existsSync(join(root, 'dist3'))).toBe(false);

    writeFileSync(join(root, 'skills/lib.skill.yaml'), skill('lib', '1.2.0'));
    const bumped = await skillc(['compile', 'skills', '--out', 'dist3', '--frozen-lockfile'], root);
    expect(bumped.code).toBe(1);
    expect(bumped.err).toContain('error SDL5102: sdl.lock is out of date for `lib` (skills/lib.skill.yaml): version 1.1.0 → 1.2.0');
    expect(readFileSync(join(root, 'sdl.lock'), 'utf8')).toBe(lockBefore);

    // Without the flag the lock is updated and the next frozen run passes.
    expect((await skillc(['compile', 'skills', '--out', 'dist3'], root)).code).toBe(0);
    expect((await skillc(['compile', 'skills', '--out', 'dist4', '--frozen-lockfile'], root)).code).toBe(0);
  });

  it('reports dependency errors (cycle, unsatisfied range, path out of the project) and writes nothing', async () => {
    const [usesB, callB] = useOf('b', './b.skill.yaml');
    const [usesA, callA] = useOf('a', './a.skill.yaml');
    const [usesOut, callOut] = useOf('out', '../../outside.skill.yaml');
    const [usesOld, callOld] = useOf('lib', './lib.skill.yaml', '^2.0.0');
    const root = project({
      'package.json': '{}',
      'a.skill.yaml': skill('a', '1.0.0', usesB, callB),
      'b.skill.yaml': skill('b', '1.0.0', usesA, callA),
      'c.skill.yaml': skill('c', '1.0.0', usesOut, callOut),
      'd.skill.yaml': skill('d', '1.0.0', usesOld, callOld),
      'lib.skill.yaml': skill('lib', '1.0.0'),
    });
    const r = await skillc(['compile', '.', '--out', 'dist'], root);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error SDL5008: dependency cycle: a → b → a');
    expect(r.err).toContain('c.skill.yaml:7:17: error SDL5004');
    expect(r.err).toContain('d.skill.yaml:7:44: error SDL5006');
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it('bundles a skill provided by an npm package (source npm, path under node_modules)', async () => {
    const [uses, body] = useOf('sum', 'text-tools/summarize', '^1.0.0');
    const root = project({
      'package.json': '{}',
      'app.skill.yaml': skill('app', '1.0.0', uses, body),
      'node_modules/text-tools/package.json': JSON.stringify({ name: 'text-tools', version: '1.4.0', sdl: { skills: { summarize: './skills/summarize.skill.yaml' } } }),
      'node_modules/text-tools/skills/summarize.skill.yaml': skill('summarize', '1.4.0'),
    });
    const r = await skillc(['compile', 'app.skill.yaml', '--out', 'dist'], root);
    expect(r.err).toBe('');
    const ir = readIr(join(root, 'dist/app.skill.json'));
    expect(ir.dependencies).toEqual([expect.objectContaining({ id: 'npm:text-tools/summarize', source: 'npm', path: 'node_modules/text-tools/skills/summarize.skill.yaml', version: '1.4.0' })]);
    expect(ir.skills['app.skill.yaml'].uses.sum.skill).toBe('npm:text-tools/summarize');
  });
});
