import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { affectedRoots, closureOf, dependenciesFirst, resolveProject } from '@sdl/compiler';

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
});
