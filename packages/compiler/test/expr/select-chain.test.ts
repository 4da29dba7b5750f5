import { describe, expect, it } from 'vitest';
import { parseExpression, parseTemplate } from '@sdl/compiler';

/** Moves every offset of a parsed result by `delta` (the parser's AST and diagnostics hold plain offsets). */
function shift(value: unknown, delta: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shift(v, delta));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = (key === 'start' || key === 'end' || key === 'fieldStart') && typeof v === 'number' ? v + delta : shift(v, delta);
  return out;
}

// `(chain)` is not a plain chain, so the general parser builds it; parentheses return the inner
// node unchanged, so it must be the fast path's AST one offset later (same keys, same order).
const chains = [
  'a',
  'inputs.text',
  'steps.step_0.output',
  'steps // a comment\n . a_b\t.\n c',
  'x1.y2.z3.w4.v5',
  Array.from({ length: 64 }, (_, i) => `f${i}`).join('.'),
  Array.from({ length: 65 }, (_, i) => `f${i}`).join('.'),
];

describe('plain field chains', () => {
  it.each(chains)('parse to the same AST as the general parser: %s', (src) => {
    const fast = parseExpression(src);
    const general = parseExpression(`(${src})`);
    expect(fast.diagnostics).toEqual([]);
    expect(JSON.stringify(fast.ast)).toBe(JSON.stringify(shift(general.ast, -1)));
  });

  it.each(['var', 'a.let', 'inputs.while.x', 'a.true', 'a.', '.a', 'a..b', 'a.b()', 'a[0]', 'a.in'])('leave other token sequences to the parser: %s', (src) => {
    const direct = parseExpression(src);
    const general = parseExpression(`(${src})`);
    // Same diagnostics codes as inside parentheses (errors or not), and an AST only when both have one.
    expect(direct.diagnostics.map((d) => d.code)).toEqual(general.diagnostics.map((d) => d.code));
    expect(direct.ast === undefined).toBe(general.ast === undefined);
  });

  it('reserved words in a chain are still reported', () => {
    expect(parseExpression('inputs.var').diagnostics.map((d) => [d.code, d.start, d.end])).toEqual([['SDL4005', 7, 10]]);
    expect(parseExpression('let.x').diagnostics.map((d) => [d.code, d.start, d.end])).toEqual([['SDL4005', 0, 3]]);
  });

  it('template tags holding a chain parse as the general parser parses them', () => {
    const fast = parseTemplate('Hi {{ inputs.name }}, {{#each steps.a.output as x}}{{ x.y }}{{/each}}');
    const general = parseTemplate('Hi {{(inputs.name)}}, {{#each (steps.a.output) as x}}{{(x.y)}}{{/each}}');
    expect(fast.diagnostics).toEqual([]);
    expect(general.diagnostics).toEqual([]);
    const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'start' || k === 'end' || k === 'fieldStart' || k === 'itemStart' ? undefined : x)));
    expect(strip(fast.ast)).toEqual(strip(general.ast));
  });
});
