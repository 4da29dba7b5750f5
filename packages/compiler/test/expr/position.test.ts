import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Document, isScalar, parseDocument, visit, type Scalar } from 'yaml';
import { checkExpression, parseExpression, parseTemplate, scalarOffsetMap, SourceFile, toDiagnostics, typeFromSchema } from '@sdl/compiler';

/** Every string scalar of a YAML text, by its value. */
function scalars(src: string): Map<string, Scalar> {
  const doc = parseDocument(src);
  const out = new Map<string, Scalar>();
  visit(doc, { Scalar: (_k, n) => void (typeof n.value === 'string' && out.set(n.value, n)) });
  return out;
}

/** Checks that every literal character of every scalar maps onto the same character in the source. */
function expectExactMapping(src: string): void {
  for (const [val, node] of scalars(src)) {
    const map = scalarOffsetMap(src, node);
    for (let i = 0; i < val.length; i++) {
      const c = val[i]!;
      if (/[A-Za-z0-9{}()<>=+.$]/.test(c) && !(node.type === 'QUOTE_DOUBLE' && src[map(i)] === '\\')) expect([val, i, src[map(i)]]).toEqual([val, i, c]);
    }
  }
}

const SKILL = [
  'steps:',
  '  - id: a',
  '    when: inputs.count > 1 && inputs.txt != ""', // plain
  '    prompt:',
  '      user: |',
  '        Summarize in {{ inputs.language }}:',
  '          {{ inputs.txt }}',
  '',
  '        Done {{ 1 + }}',
  '      system: >-',
  '        You are',
  '        precise {{ inputs.nme }}',
  '',
  '        and kind.',
  '    with: { q: "tab\\there \\u00e9 {{ inputs.txt }}", s: \'it\'\'s {{ inputs.txt }}\' }',
  '    return: "a \\',
  '      b + {{ inputs.txt }}"',
  '    plain: first line',
  '      second {{ inputs.txt }}',
  '',
  '      third',
  '    keep: |+2',
  '        indented {{ x }}',
  '',
  '',
  '    crlf: x',
].join('\n');

describe('scalarOffsetMap', () => {
  it('maps every character of plain, quoted, literal and folded scalars (also in flow mappings)', () => {
    expectExactMapping(SKILL);
    expectExactMapping(SKILL.replace(/\n/g, '\r\n'));
  });

  it.each([
    ['plain', 'a: x {{ y }}\n'],
    ['double with escapes', 'a: "\\t\\\\ \\" \\x41 \\u00e9 \\U0001F600 {{ y }}"\n'],
    ['double multi-line', 'a: "one\n  two\n\n  three {{ y }}"\n'],
    ['single', "a: 'it''s ''q'' {{ y }}'\n"],
    ['literal keep', 'a: |+\n  x {{ y }}\n\n\nb: 1\n'],
    ['literal strip', 'a: |-\n  x\n   {{ y }}\n'],
    ['folded with more-indented lines', 'a: >\n  one\n  two\n\n    code {{ y }}\n  three\n'],
    ['block in a sequence', 'a:\n  - |\n    x {{ y }}\n  - >\n    p\n    q {{ z }}\n'],
    ['flow mapping', 'a: { b: "x {{ y }}", c: d {{ z }} }\n'],
    ['flow sequence', 'a: [ "x {{ y }}", plain {{ z }} ]\n'],
    ['comment after', 'a: x {{ y }} # note\n'],
  ])('%s', (_name, src) => expectExactMapping(src));

  it('points a template error inside a | block at the exact file line:col', () => {
    const file = new SourceFile('skill.yaml', SKILL);
    const node = scalars(SKILL).get('Summarize in {{ inputs.language }}:\n  {{ inputs.txt }}\n\nDone {{ 1 + }}\n')!;
    const parsed = parseTemplate(String(node.value));
    const [d] = toDiagnostics(parsed.diagnostics, scalarOffsetMap(SKILL, node), file);
    expect(d).toMatchObject({ code: 'SDL4002', file: 'skill.yaml', range: { start: { line: 9, column: 21 } } });
  });

  it('points type errors inside folded, quoted and plain scalars at the field', () => {
    const file = new SourceFile('skill.yaml', SKILL);
    const scope = { inputs: typeFromSchema({ properties: { txt: { type: 'string' }, language: {}, count: { type: 'integer' }, name: {} } }) };
    const all = scalars(SKILL);
    const at = (value: string) => {
      const node = all.get(value)!;
      const parsed = parseTemplate(value);
      const fromCheck = parsed.ast.body.flatMap((n) => (n.kind === 'interpolation' ? checkExpression(n.expr, scope).diagnostics : []));
      return toDiagnostics(fromCheck, scalarOffsetMap(SKILL, node), file).map((d) => [d.range.start.line, d.range.start.column, d.hint]);
    };
    expect(at('You are precise {{ inputs.nme }}\nand kind.')).toEqual([[12, 27, 'did you mean `name`?']]);
    const dq = [...all.keys()].find((k) => k.startsWith('tab'))!;
    expect(at(dq)).toEqual([]);
    const node = all.get('inputs.count > 1 && inputs.txt != ""')!;
    const parsed = parseExpression(String(node.value));
    expect(parsed.diagnostics).toEqual([]);
    const bad = checkExpression(parsed.ast!, { inputs: typeFromSchema({ properties: { count: { type: 'integer' }, text: { type: 'string' } } }) }).diagnostics;
    expect(toDiagnostics(bad, scalarOffsetMap(SKILL, node), file)[0]).toMatchObject({ range: { start: { line: 3, column: 38 }, end: { line: 3, column: 41 } }, hint: 'did you mean `text`?' });
  });

  it('maps escapes to the escape sequence and the end of the value to the closing quote', () => {
    const src = 'a: "\\u00e9{{ x"\n';
    const node = scalars(src).get('é{{ x')!;
    const map = scalarOffsetMap(src, node);
    expect(map(0)).toBe(4); // the backslash of \u00e9
    expect(map(1)).toBe(10);
    expect(map(5)).toBe(src.indexOf('"', 5));
    expect(isScalar(node)).toBe(true);
  });
});

describe('scalarOffsetMap (property)', () => {
  const styles = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;
  const text = fc
    .array(fc.constantFrom('a', 'b', '{', '}', ' ', ' ', '\n', '\t', '"', "'", '\\', 'é', '😀', ':', '#', '-', 'x y'), { minLength: 1, maxLength: 30 })
    .map((parts) => parts.join(''));

  it('maps every character of scalars the yaml package writes in any style back onto itself', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(...styles), fc.boolean(), (value, style, nested) => {
        const doc = new Document(nested ? { outer: { list: [value] } } : { key: value });
        visit(doc, { Scalar: (_k, n) => void (n.value === value && (n.type = style)) });
        const src = doc.toString({ lineWidth: 20, minContentWidth: 5 });
        const node = [...scalars(src).entries()].find(([v]) => v === value)?.[1];
        if (!node) return; // the writer may pick another representation (e.g. plain text that would not round-trip)
        const map = scalarOffsetMap(src, node);
        for (let i = 0; i < value.length; i++) {
          const c = value[i]!;
          const at = src[map(i)];
          // Characters from escapes map to the backslash; folded line breaks and spaces to whitespace.
          const ok = at === c || at === '\\' || (/\s/.test(c) && (at === undefined || /\s/.test(at))) || (c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff);
          expect({ src, value, i, c, at, ok }).toMatchObject({ ok: true });
        }
      }),
      { numRuns: 400, seed: 20261121 },
    );
  });
});
