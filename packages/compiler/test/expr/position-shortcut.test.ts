import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Document, parseDocument, visit, type Scalar } from 'yaml';
import { builtScalarOffsetMap, runMap, scalarOffsetMap, type ScalarLike } from '../../src/expr/position.js';

/** Both maps at every offset of the value and just outside it. */
function expectSameMap(src: string, scalar: ScalarLike): void {
  const length = typeof scalar.value === 'string' ? scalar.value.length : 3;
  const fast = scalarOffsetMap(src, scalar);
  const built = builtScalarOffsetMap(src, scalar);
  for (let o = -2; o <= length + 2; o++) expect([o, fast(o)], src).toEqual([o, built(o)]);
}

function allScalars(src: string): Scalar[] {
  const out: Scalar[] = [];
  visit(parseDocument(src), { Scalar: (_k, n) => void out.push(n) });
  return out;
}

describe('scalarOffsetMap one-line shortcut', () => {
  it.each([
    'a: plain text\nb: "double"\nc: \'single\'\nd: ""\ne: \'\'\nf:\ng: { h: "x", i: [j, "k l"] }\n',
    'a: "with \\"escape\\""\nb: \'it\'\'s\'\nc: "two\n  lines"\nd: plain\n  folded\ne: |\n  block\n',
    'a: "😀 é"\nb: 😀 plain\nc:   spaced   \n',
    'a: "two\r\n  lines"\r\nb: plain\r\n  folded\r\nc: \'x\r\n  y\'\r\n',
    'a: "two\r  lines"\nb: \'x\r  y\'\nc: [p\r  q]\n',
  ])('gives what the general construction gives: %j', (src) => {
    for (const scalar of allScalars(src)) expectSameMap(src, scalar);
  });

  it('gives what the general construction gives when the value does not match the text', () => {
    const src = 'a: plain\nb: "quoted"\n';
    for (const scalar of allScalars(src)) {
      expectSameMap(src, { value: 'other', type: scalar.type, range: scalar.range });
      expectSameMap(src, { value: 42, type: scalar.type, range: scalar.range });
    }
    expectSameMap('""', { value: '', type: 'QUOTE_DOUBLE', range: [0, 1, 1] });
  });

  it('gives what the general construction gives for scalars the yaml package writes in any style', () => {
    const styles = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'] as const;
    const text = fc.array(fc.constantFrom('a', 'b', '{', ' ', '\n', '"', "'", '\\', 'é', '😀', ':', '#', 'x y'), { minLength: 0, maxLength: 20 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom(...styles), (value, style) => {
        const doc = new Document({ key: value, list: [value, 'x'] });
        visit(doc, { Scalar: (_k, n) => void (n.value === value && (n.type = style)) });
        const src = doc.toString({ lineWidth: 20, minContentWidth: 5 });
        for (const scalar of allScalars(src)) expectSameMap(src, scalar);
      }),
      { numRuns: 500, seed: 20261122 },
    );
  });
});

describe('scalarOffsetMap literal block shortcut', () => {
  it.each([
    'a: |\n  one line\n',
    'a: |\n  first {{ x }}\n  second\n    more indented\n  third  \nb: x\n',
    'steps:\n  - prompt:\n      user: |\n        {{ inputs.text }}\n        Notes: {{ steps.a.output }}\n      system: |\n        You are.\n',
    'a: |\n  with\ttab\n  \tleading tab\n',
    'a: |\n  blank\n\n  between\n',
    'a: |\n  trailing blank\n\n',
    'a: |\n  spaces-only line\n  \n  after\n',
    'a: |-\n  strip\n',
    'a: |+\n  keep\n\n',
    'a: |2\n    indicator\n',
    'a: | # comment\n  after comment\n',
    'a: |\r\n  crlf\r\n  lines\r\n',
    'a: |\n  😀 é\n  b\n',
    'a: |\n  at end without break',
    'a: >\n  folded\n  lines\n',
    '- |\n  in a list\n  two\n- |\n   three spaces\n   x\n',
  ])('gives what the general construction gives: %j', (src) => {
    for (const scalar of allScalars(src)) expectSameMap(src, scalar);
  });

  it('gives what the general construction gives when the value does not match the text', () => {
    const src = 'a: |\n  one\n  two\n';
    for (const scalar of allScalars(src)) {
      expectSameMap(src, { value: 'one\ntwo\n'.replace('w', 'W'), type: scalar.type, range: scalar.range });
      expectSameMap(src, { value: 'one\ntwo', type: scalar.type, range: scalar.range });
      expectSameMap(src, { value: 42, type: scalar.type, range: scalar.range });
    }
  });

  it('gives what the general construction gives for literal blocks the yaml package writes', () => {
    const line = fc.array(fc.constantFrom('a', 'b', ' ', '\t', '"', '\\', 'é', '😀', ':', '#', '{{ x }}'), { minLength: 0, maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), fc.boolean(), (lines, final) => {
        const value = lines.join('\n') + (final ? '\n' : '');
        const doc = new Document({ key: value, list: [value, { deep: value }] });
        visit(doc, { Scalar: (_k, n) => void (n.value === value && (n.type = 'BLOCK_LITERAL')) });
        const src = doc.toString();
        for (const scalar of allScalars(src)) expectSameMap(src, scalar);
      }),
      { numRuns: 500, seed: 20261207 },
    );
  });
});

describe('runMap (offset maps kept as runs)', () => {
  it('answers exactly what the array of offsets says, at every offset and just outside', () => {
    // Offsets as value → source maps produce them: mostly consecutive, with jumps (line breaks,
    // indentation, escapes) and repeats (a folded line break and an escape map to one source offset).
    const offsets = fc.array(fc.oneof(fc.constant(1), fc.constant(0), fc.integer({ min: 2, max: 40 })), { maxLength: 300 }).map((steps) => {
      let at = 17;
      return steps.map((step) => (at += step));
    });
    fc.assert(
      fc.property(offsets, fc.integer({ min: 0, max: 9 }), (list, before) => {
        const after = (list[list.length - 1] ?? before) + 1;
        const map = runMap(list, before, after);
        for (let o = -2; o < list.length + 2; o++) expect(map(o)).toBe(o < 0 ? before : o < list.length ? list[o] : after);
      }),
      { numRuns: 300 },
    );
  });
});
