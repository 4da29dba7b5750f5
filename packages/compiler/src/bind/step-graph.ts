/** A step of the graph: its id and the ids it reads, in declaration order of those steps. */
export interface GraphStep {
  id: string;
  dependsOn: readonly string[];
}

/** A cycle: the ids around it, first repeated at the end (`a → b → a`); `from` reads `to` to close it. */
export interface StepCycle {
  path: string[];
  from: string;
  to: string;
}

/**
 * Topological order of the steps (ties broken by declaration order, Kahn's algorithm with the
 * ready set kept sorted by declaration index) and every cycle found by a depth-first search.
 * Steps on a cycle are appended in declaration order so the order is always complete.
 */
export function orderSteps(steps: readonly GraphStep[]): { order: string[]; cycles: StepCycle[] } {
  const index = new Map(steps.map((s, i) => [s.id, i] as const));
  const indegree = steps.map(() => 0);
  const dependents: number[][] = steps.map(() => []);
  steps.forEach((s, i) => {
    for (const dep of s.dependsOn) {
      const j = index.get(dep);
      if (j === undefined) continue;
      indegree[i]!++;
      dependents[j]!.push(i);
    }
  });
  const ready: number[] = [];
  indegree.forEach((d, i) => d === 0 && ready.push(i));
  const order: string[] = [];
  const placed = new Set<number>();
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const next = ready.shift()!;
    placed.add(next);
    order.push(steps[next]!.id);
    for (const k of dependents[next]!) if (--indegree[k]! === 0) ready.push(k);
  }
  const cycles: StepCycle[] = [];
  if (placed.size < steps.length) {
    steps.forEach((s, i) => !placed.has(i) && order.push(s.id));
    cycles.push(...findCycles(steps, index));
  }
  return { order, cycles };
}

function findCycles(steps: readonly GraphStep[], index: ReadonlyMap<string, number>): StepCycle[] {
  const state = new Map<number, 'active' | 'done'>();
  const cycles: StepCycle[] = [];
  for (let start = 0; start < steps.length; start++) {
    if (state.has(start)) continue;
    // Iterative DFS: the number of steps is bounded by the file size, but recursion is not needed.
    const frames = [{ at: start, next: 0 }];
    const path = [start];
    state.set(start, 'active');
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const dep = steps[frame.at]!.dependsOn[frame.next++];
      if (dep === undefined) {
        frames.pop();
        path.pop();
        state.set(frame.at, 'done');
        continue;
      }
      const j = index.get(dep);
      if (j === undefined) continue;
      const s = state.get(j);
      if (s === 'active') {
        const loop = [...path.slice(path.indexOf(j)), j].map((k) => steps[k]!.id);
        cycles.push({ path: loop, from: steps[frame.at]!.id, to: dep });
      } else if (s === undefined) {
        state.set(j, 'active');
        path.push(j);
        frames.push({ at: j, next: 0 });
      }
    }
  }
  return cycles;
}
