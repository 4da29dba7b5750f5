import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkLockfile,
  readLockfile,
  resolveProject,
  serializeLockfile,
  lockfileFromProject,
  writeLockfile,
  type Diagnostic,
} from '@sdl/compiler';
import { makeProject, removeProject, skill } from './temp-project.js';

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));

/** app → left, right → base (a diamond) plus an npm-provided skill, in a fresh temp project. */
function project(): string {
  const root = makeProject({
    'package.json': '{"name":"demo","private":true}',
    'skills/app.skill.yaml': skill('app', '1.0.0', {
      left: { skill: './left.skill.yaml', version: '^1.0.0' },
      right: { skill: './right.skill.yaml' },
      tools: { skill: 'text-tools/summarize', version: '^1.0.0' },
    }),
    'skills/left.skill.yaml': skill('left', '1.0.0', { base: { skill: './base.skill.yaml', version: '^2.0.0' } }),
    'skills/right.skill.yaml': skill('right', '1.1.0', { base: { skill: './base.skill.yaml' } }),
    'skills/base.skill.yaml': skill('base', '2.0.0'),
    'node_modules/text-tools/package.json': JSON.stringify({ name: 'text-tools', version: '1.0.0', sdl: { skills: { summarize: './s.skill.yaml' } } }),
    'node_modules/text-tools/s.skill.yaml': skill('summarize', '1.0.0'),
  });
  temps.push(root);
  return root;
}

const resolve = (root: string) => resolveProject(['skills/app.skill.yaml'], { cwd: root });
const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.file}:${d.range.start.line}:${d.range.start.column} ${d.message}`);

describe('sdl.lock', () => {
  it('writes a deterministic lockfile: sorted keys, relative POSIX paths, hashes, no timestamps', () => {
    const root = project();
    const text = writeLockfile(resolve(root));
    expect(readFileSync(path.join(root, 'sdl.lock'), 'utf8')).toBe(text);
    expect(text).not.toContain(root);
    const lock = JSON.parse(text);
    expect(Object.keys(lock)).toEqual(['lockfile_version', 'roots', 'skills']);
    expect(Object.keys(lock.skills)).toEqual([
      'npm:text-tools/summarize',
      'skills/app.skill.yaml',
      'skills/base.skill.yaml',
      'skills/left.skill.yaml',
      'skills/right.skill.yaml',
    ]);
    expect(lock.skills['skills/app.skill.yaml']).toEqual({
      dependencies: { left: 'skills/left.skill.yaml', right: 'skills/right.skill.yaml', tools: 'npm:text-tools/summarize' },
      name: 'app',
      path: 'skills/app.skill.yaml',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      source: 'path',
      version: '1.0.0',
    });
    expect(lock.skills['npm:text-tools/summarize'].path).toBe('node_modules/text-tools/s.skill.yaml');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('is byte-identical when resolved from another working directory or another checkout location', () => {
    const root = project();
    const fromRoot = serializeLockfile(lockfileFromProject(resolveProject(['skills/app.skill.yaml'], { cwd: root })));
    const fromSkills = serializeLockfile(lockfileFromProject(resolveProject(['app.skill.yaml'], { cwd: path.join(root, 'skills') })));
    const fromOutside = serializeLockfile(lockfileFromProject(resolveProject([path.join(root, 'skills/app.skill.yaml')], { cwd: '/' })));
    const copy = makeProject({});
    temps.push(copy);
    cpSync(root, copy, { recursive: true });
    const elsewhere = serializeLockfile(lockfileFromProject(resolve(copy)));
    expect(fromSkills).toBe(fromRoot);
    expect(fromOutside).toBe(fromRoot);
    expect(elsewhere).toBe(fromRoot);
  });

  it('reads back what it wrote, and the fresh lock checks clean', () => {
    const root = project();
    writeLockfile(resolve(root));
    const { lock, diagnostics } = readLockfile(root);
    expect(diagnostics).toEqual([]);
    expect(checkLockfile(resolve(root), lock, root)).toEqual([]);
  });

  it('reports a missing lockfile', () => {
    const root = project();
    const { lock } = readLockfile(root);
    expect(lock).toBeUndefined();
    const ds = checkLockfile(resolve(root), lock, root);
    expect(summary(ds)).toEqual(['SDL5101 sdl.lock:1:1 sdl.lock is missing; --frozen-lockfile needs a lockfile recording the dependencies']);
    expect(ds[0]!.hint).toContain('run `skillc compile` without `--frozen-lockfile`');
  });

  it('reports hash drift at the uses: entry that brings the changed skill in', () => {
    const root = project();
    writeLockfile(resolve(root));
    writeFileSync(path.join(root, 'skills/base.skill.yaml'), skill('base', '2.0.0').replace('The base skill.', 'Edited.'));
    const ds = checkLockfile(resolve(root), readLockfile(root).lock, root);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'SDL5103', file: 'skills/left.skill.yaml', range: { start: { line: 6, column: 3 } } });
    expect(ds[0]!.message).toMatch(/`base` \(skills\/base\.skill\.yaml\) 2\.0\.0 changed since it was locked \(sha256 [0-9a-f]{12}… in sdl\.lock, now [0-9a-f]{12}…\)/);
    expect(ds[0]!.hint).toContain('without `--frozen-lockfile`');
  });

  it.each([
    [
      'a version bump',
      (root: string) => writeFileSync(path.join(root, 'skills/base.skill.yaml'), skill('base', '2.1.0')),
      ['SDL5102 skills/left.skill.yaml:6:3 sdl.lock is out of date for `base` (skills/base.skill.yaml): version 2.0.0 → 2.1.0'],
    ],
    [
      'a new dependency',
      (root: string) => {
        writeFileSync(path.join(root, 'skills/extra.skill.yaml'), skill('extra', '0.1.0'));
        writeFileSync(path.join(root, 'skills/right.skill.yaml'), skill('right', '1.1.0', { base: { skill: './base.skill.yaml' }, extra: { skill: './extra.skill.yaml' } }));
      },
      [
        'SDL5102 skills/app.skill.yaml:7:3 sdl.lock is out of date for `right` (skills/right.skill.yaml): uses `extra` added',
        'SDL5102 skills/right.skill.yaml:7:3 sdl.lock is out of date: `extra` (skills/extra.skill.yaml) 0.1.0 is not in the lockfile',
      ],
    ],
    [
      'a removed dependency',
      (root: string) => writeFileSync(path.join(root, 'skills/right.skill.yaml'), skill('right', '1.1.0')),
      [
        'SDL5102 skills/app.skill.yaml:7:3 sdl.lock is out of date for `right` (skills/right.skill.yaml): uses `base` removed',
      ],
    ],
    [
      'a dependency nothing uses any more',
      (root: string) =>
        writeFileSync(path.join(root, 'skills/app.skill.yaml'), skill('app', '1.0.0', {
          left: { skill: './left.skill.yaml', version: '^1.0.0' },
          right: { skill: './right.skill.yaml' },
        })),
      [
        'SDL5102 sdl.lock:1:1 sdl.lock is out of date: it records `summarize` (npm:text-tools/summarize) 1.0.0, which nothing uses any more',
        'SDL5102 skills/app.skill.yaml:1:1 sdl.lock is out of date for `app` (skills/app.skill.yaml): uses `tools` removed',
      ],
    ],
  ])('reports %s as out of date, naming what changed', (_name, change, expected) => {
    const root = project();
    writeLockfile(resolve(root));
    change(root);
    expect(summary(checkLockfile(resolve(root), readLockfile(root).lock, root))).toEqual(expected);
  });

  it.each([
    ['not JSON', '{ nope', 'is not a valid lockfile: '],
    ['an unknown lockfile version', '{"lockfile_version": 9, "roots": [], "skills": {}}', 'this skillc reads version 1'],
    ['a malformed entry', '{"lockfile_version": 1, "roots": [], "skills": {"x": {"name": 1}}}', 'entry `x` needs name'],
  ])('refuses a lockfile that is %s', (_name, text, message) => {
    const root = project();
    writeFileSync(path.join(root, 'sdl.lock'), text);
    const { lock, diagnostics } = readLockfile(root, root);
    expect(lock).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.file])).toEqual([['SDL5104', 'sdl.lock']]);
    expect(diagnostics[0]!.message).toContain(message);
  });

  it('keeps one lockfile for the whole project when roots are compiled one at a time', () => {
    const root = makeProject({
      'package.json': '{}',
      'a.skill.yaml': skill('a', '1.0.0', { s: { skill: './shared.skill.yaml' }, only: { skill: './only-a.skill.yaml' } }),
      'b.skill.yaml': skill('b', '1.0.0', { s: { skill: './shared.skill.yaml' } }),
      'shared.skill.yaml': skill('shared', '1.0.0'),
      'only-a.skill.yaml': skill('only-a', '1.0.0'),
      'gone.skill.yaml': skill('gone', '1.0.0'),
    });
    temps.push(root);
    const compile = (...files: string[]) => JSON.parse(writeLockfile(resolveProject(files, { cwd: root })));
    compile('gone.skill.yaml');
    compile('a.skill.yaml');
    const both = compile('b.skill.yaml');
    expect(both.roots).toEqual(['a.skill.yaml', 'b.skill.yaml', 'gone.skill.yaml']);
    expect(Object.keys(both.skills)).toEqual(['a.skill.yaml', 'b.skill.yaml', 'gone.skill.yaml', 'only-a.skill.yaml', 'shared.skill.yaml']);

    // a drops both of its uses; shared stays (b uses it), only-a goes; a deleted root goes too.
    writeFileSync(path.join(root, 'a.skill.yaml'), skill('a', '1.1.0'));
    rmSync(path.join(root, 'gone.skill.yaml'));
    const after = compile('a.skill.yaml');
    expect(after.roots).toEqual(['a.skill.yaml', 'b.skill.yaml']);
    expect(Object.keys(after.skills)).toEqual(['a.skill.yaml', 'b.skill.yaml', 'shared.skill.yaml']);
    expect(after.skills['a.skill.yaml'].version).toBe('1.1.0');
    // And the merged lock checks clean for the whole project.
    const whole = resolveProject(['a.skill.yaml', 'b.skill.yaml'], { cwd: root });
    expect(checkLockfile(whole, readLockfile(root).lock, root)).toEqual([]);
  });

  it('never writes a lockfile for a project with resolution errors', () => {
    const root = project();
    writeFileSync(path.join(root, 'skills/base.skill.yaml'), skill('base', '3.0.0'));
    const resolved = resolve(root);
    expect(resolved.diagnostics.map((d) => d.code)).toEqual(['SDL5006']);
    expect(() => writeLockfile(resolved)).toThrow(/resolution has errors/);
    expect(readLockfile(root).lock).toBeUndefined();
  });
});
