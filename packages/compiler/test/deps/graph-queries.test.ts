import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { affectedRoots, closureOf, dependenciesFirst, resolveProject, type ResolvedProject, type ResolvedSkill } from '@sdl/compiler';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('graph queries', () => {
  // diamond: app → left, right; left, right → base. Roots: app and right.
  const project = resolveProject(['app.skill.yaml', 'lib/right.skill.yaml'], { cwd: path.join(fixtures, 'diamond') });

  it('closureOf lists what a skill reaches, itself included', () => {
    expect(closureOf(project, 'lib/right.skill.yaml')).toEqual(['lib/base.skill.yaml', 'lib/right.skill.yaml']);
    expect(closureOf(project, 'app.skill.yaml')).toHaveLength(4);
  });

  it('dependenciesFirst puts every skill after its dependencies', () => {
    const order = dependenciesFirst(project);
    expect(order).toEqual(['lib/base.skill.yaml', 'lib/left.skill.yaml', 'lib/right.skill.yaml', 'app.skill.yaml']);
    for (const skill of project.skills.values()) {
      for (const dep of skill.dependencies) expect(order.indexOf(dep.target)).toBeLessThan(order.indexOf(skill.id));
    }
  });

  it.each([
    ['lib/base.skill.yaml', ['app.skill.yaml', 'lib/right.skill.yaml']],
    ['lib/left.skill.yaml', ['app.skill.yaml']],
    ['lib/right.skill.yaml', ['app.skill.yaml', 'lib/right.skill.yaml']],
    ['unrelated.skill.yaml', []],
  ])('a change to %s affects %j', (file, roots) => {
    expect(affectedRoots(project, [path.join(fixtures, 'diamond', file)])).toEqual(roots);
  });

  it('handles a chain far deeper than the call stack', () => {
    const n = 20_000;
    const at = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
    const skills = new Map<string, ResolvedSkill>();
    for (let i = 0; i < n; i++) {
      const id = `s${String(i).padStart(5, '0')}`;
      const target = `s${String(i + 1).padStart(5, '0')}`;
      skills.set(id, {
        id, name: id, version: '1.0.0', source: 'path', path: id, absolutePath: `/p/${id}`, file: id, sha256: '',
        dependencies: i + 1 < n ? [{ alias: 'next', specifier: target, target, file: id, aliasRange: at }] : [],
      });
    }
    const chain: ResolvedProject = { root: '/p', roots: ['s00000'], skills, diagnostics: [], sources: new Map() };
    const order = dependenciesFirst(chain);
    expect(order[0]).toBe(`s${n - 1}`);
    expect(order[n - 1]).toBe('s00000');
    expect(closureOf(chain, 's00000')).toHaveLength(n);
  });
});
