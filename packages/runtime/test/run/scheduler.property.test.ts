import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '@sdl/runtime';
import { binding, FakeEngine, lastUser } from './support/fake-engine.js';
import { promptStep, skill, template } from './support/skill-builder.js';

/** A random DAG: step i may depend on any earlier step; each step takes a random number of ticks. */
const dag = fc
  .integer({ min: 1, max: 8 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j)))),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n }),
    ),
  );

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('scheduler (property)', () => {
  it('starts every step after its dependencies finished, runs the rest, and passes outputs along', async () => {
    await fc.assert(
      fc.asyncProperty(dag, async ([deps, delays]) => {
        const finished = new Set<string>();
        const startedBeforeDeps: string[] = [];
        let inFlight = 0;
        let peak = 0;
        const engine = new FakeEngine(async (request) => {
          const id = lastUser(request).split(' ')[0]!;
          const index = Number(id.slice(1));
          if (deps[index]!.some((d) => !finished.has(`s${d}`))) startedBeforeDeps.push(id);
          inFlight++;
          peak = Math.max(peak, inFlight);
          for (let i = 0; i < delays[index]!; i++) await tick();
          inFlight--;
          finished.add(id);
          return `${id}<${deps[index]!.map((d) => `s${d}`).join(',')}>`;
        });
        const steps = deps.map((dependsOn, i) =>
          promptStep(
            `s${i}`,
            template(`s${i}`, (v) => `s${i} ${dependsOn.map((d) => String(v.steps[`s${d}`]!.output)).join(' ')}`),
            { dependsOn: dependsOn.map((d) => `s${d}`) },
          ),
        );
        const runtime = createRuntime({ engines: { fake: binding(engine) } });
        const result = await runtime.run(skill({ steps }), {});
        expect(startedBeforeDeps).toEqual([]);
        expect(finished.size).toBe(deps.length);
        expect(result.output).toBe(`s${deps.length - 1}<${deps[deps.length - 1]!.map((d) => `s${d}`).join(',')}>`);
        // Steps with no dependencies start together: two that take time overlap.
        const slowRoots = deps.filter((d, i) => d.length === 0 && delays[i]! > 0).length;
        expect(peak).toBeGreaterThanOrEqual(Math.min(slowRoots, 2));
      }),
      { numRuns: 60 },
    );
  });
});
