import type { ResolvedProject } from './types.js';

/**
 * The ids `id` reaches through `uses:` (itself included), sorted: the `skills` table of the IR file
 * compiled for `id`.
 */
export function closureOf(project: ResolvedProject, id: string): string[] {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next) || !project.skills.has(next)) continue;
    seen.add(next);
    for (const dep of project.skills.get(next)!.dependencies) stack.push(dep.target);
  }
  return [...seen].sort();
}

/**
 * Every skill id with its dependencies before it (ties in id order), e.g. the order in which the
 * emitter computes IR hashes, which pin dependencies' hashes. Skills on a cycle (already an
 * SDL5008 error) come last, in id order.
 */
export function dependenciesFirst(project: ResolvedProject): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  // Iterative post-order: deep chains of untrusted files must not overflow the call stack.
  for (const start of project.skills.keys()) {
    if (seen.has(start)) continue;
    seen.add(start);
    const frames = [{ id: start, next: 0 }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const dep = project.skills.get(frame.id)!.dependencies[frame.next++];
      if (dep === undefined) {
        frames.pop();
        order.push(frame.id);
      } else if (!seen.has(dep.target) && project.skills.has(dep.target)) {
        seen.add(dep.target);
        frames.push({ id: dep.target, next: 0 });
      }
    }
  }
  return order;
}

/**
 * The roots whose output a change to the given files affects: those whose closure contains one of
 * them. `--watch` recompiles only these. Paths are compared by real absolute path.
 */
export function affectedRoots(project: ResolvedProject, changedRealPaths: Iterable<string>): string[] {
  const changed = new Set<string>();
  const byPath = new Map([...project.skills.values()].map((s) => [s.absolutePath, s.id]));
  for (const p of changedRealPaths) {
    const id = byPath.get(p);
    if (id !== undefined) changed.add(id);
  }
  if (changed.size === 0) return [];
  return project.roots.filter((root) => closureOf(project, root).some((id) => changed.has(id)));
}
