// The plain render (plain-template.ts) either steps aside or gives the evaluator's text: random
// templates of text and `{{ inputs.a.b }}` insertions against random JSON inputs, each compared
// with the CEL template evaluator, and the runtime's render (which takes the plain path when it can)
// with the evaluator's answer, errors included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '@sdl/compiler';
import { compileTemplate, fromJsonLazy, render } from '@sdl/compiler/eval';
import { celTemplate } from '@sdl/runtime/source';
import { plainTemplate } from '../../src/load/plain-template.js';

const at = { file: 't.skill.yaml', line: 1, column: 1 };

function evaluator(text: string, inputs: unknown): { text: string } | { error: string } {
  try {
    return { text: render(compileTemplate(parseTemplate(text).ast), { inputs: fromJsonLazy(inputs), steps: new Map() }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function runtime(text: string, inputs: unknown): { text: string } | { error: string } {
  try {
    return { text: celTemplate(text, at).render({ inputs: inputs as never, steps: {} }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const field = fc.constantFrom('a', 'b', 'question', 'toString', 'length');
// Literal text: no `{{` (that would be an insertion), but braces, newlines and non-ASCII are fair game.
const literal = fc.string({ unit: fc.constantFrom('x', ' ', '{', '}', '\n', 'é', '😀', '\\', '"'), maxLength: 12 }).filter((s) => !s.includes('{{') && !s.endsWith('{'));
const path = fc.array(field, { minLength: 1, maxLength: 3 });
type Part = string | string[];
const parts = fc.array(fc.oneof(literal, path) as fc.Arbitrary<Part>, { minLength: 1, maxLength: 5 });
const templateOf = (ps: Part[]) => ps.map((p) => (typeof p === 'string' ? p : `{{ inputs.${p.join('.')} }}`)).join('');
const text = fc.string({ unit: fc.constantFrom('a', ' ', '\t', '\n', 'é', '😀', '{', '"'), maxLength: 8 });
const leaf = fc.oneof({ weight: 4, arbitrary: text }, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.string({ minLength: 1025, maxLength: 1100 }), fc.constant(null).map(() => []), fc.constant(null).map(() => ({})));

/** Inputs holding a leaf at every path of the template (later paths may overwrite or cut earlier ones), so the insertions mostly resolve. */
function inputsFor(ps: Part[], leaves: unknown[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  // Descend only into objects made here: a leaf (possibly one shared object across cases) is replaced, never written to.
  const made = new Set<unknown>([root]);
  let n = 0;
  for (const p of ps) {
    if (typeof p === 'string') continue;
    let at: Record<string, unknown> = root;
    for (let i = 0; i < p.length - 1; i++) {
      const next = Object.hasOwn(at, p[i]!) ? at[p[i]!] : undefined;
      if (!made.has(next)) {
        const fresh = {};
        made.add(fresh);
        at[p[i]!] = fresh;
      }
      at = at[p[i]!] as Record<string, unknown>;
    }
    at[p[p.length - 1]!] = leaves[n++ % leaves.length];
  }
  return root;
}

describe('plain template render (property)', () => {
  it('gives the evaluator’s text whenever it answers, and the runtime’s render is the evaluator’s', () => {
    let answered = 0;
    fc.assert(
      fc.property(parts, fc.array(leaf, { minLength: 1, maxLength: 5 }), (ps, leaves) => {
        const text = templateOf(ps);
        const parsed = parseTemplate(text);
        if (parsed.ast === undefined) return;
        const plain = plainTemplate(parsed.ast);
        for (const input of [inputsFor(ps, leaves), {}, leaves[0]]) {
          const expected = evaluator(text, input);
          const answer = plain?.(input);
          if (answer !== undefined) {
            answered++;
            expect({ text: answer }, JSON.stringify({ text, input })).toEqual(expected);
          }
          expect(runtime(text, input), JSON.stringify({ text, input })).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
    // The property is about the plain path: most generated cases must take it.
    expect(answered).toBeGreaterThan(300);
  });
});
