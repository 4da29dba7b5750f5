import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPointer, pointerSegments, scanJson } from '../../src/load/json-position.js';

/** Every JSON Pointer of `value` with the value it names. */
function pointers(value: unknown, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [[prefix, value]];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pointers(v, `${prefix}${jsonPointer(i)}`)));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pointers(v, `${prefix}${jsonPointer(k)}`));
  return out;
}

const json = fc.jsonValue({ maxDepth: 4 });
const indent = fc.constantFrom(undefined, 0, 1, 2, '\t');

describe('scanJson: where a value sits in a JSON text', () => {
  it('finds every value of any document, compact or indented, at the exact span (property)', () => {
    fc.assert(
      fc.property(json, indent, (value, space) => {
        const text = JSON.stringify(value, null, space);
        // The value as the text holds it (-0 is written as 0).
        for (const [pointer, expected] of pointers(JSON.parse(text))) {
          const { value: span, exact, error } = scanJson(text, pointer);
          expect(error).toBeUndefined();
          expect(exact).toBe(true);
          expect(JSON.parse(text.slice(span!.start, span!.end))).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reports a syntax error exactly when JSON.parse refuses the text (property)', () => {
    const mutated = fc.tuple(json, fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\\', '\u0001', ' ')).map(([value, at, piece]) => {
      const text = JSON.stringify(value, null, 1);
      const i = at % (text.length + 1);
      return text.slice(0, i) + piece + text.slice(i + (piece === '' ? 1 : 0));
    });
    fc.assert(
      fc.property(mutated, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const { error } = scanJson(text);
        expect(error === undefined).toBe(valid);
        if (error) expect(error.offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['{"a": 1,, "b": 2}', 8, 'expected a member name in double quotes'],
    ['{"a": 1', 7, 'unexpected end of the file'],
    ['[1, 2] x', 7, 'unexpected text after the JSON value'],
    ['{"a" 1}', 5, 'expected `:` after the member name'],
    ['["a\\q"]', 3, 'this string is not closed or has a bad escape or control character'],
    ['[1 2]', 3, 'expected `,` or `]`'],
  ])('%j: error at offset %i (%s)', (text, offset, message) => {
    expect(scanJson(text).error).toEqual({ offset, message });
  });

  it('names the deepest existing ancestor when the member is missing, and keys with / and ~', () => {
    const text = '{"skills": {"a/b~c": {"x": [10, 20]}}}';
    expect(scanJson(text, '/skills/a~1b~0c/x/1')).toMatchObject({ value: { start: 32, end: 34 }, exact: true });
    expect(text.slice(32, 34)).toBe('20');
    const missing = scanJson(text, '/skills/a~1b~0c/order');
    expect(missing.exact).toBe(false);
    expect(text.slice(missing.value!.start, missing.value!.end)).toBe('{"x": [10, 20]}');
    expect(pointerSegments('/skills/a~1b~0c')).toEqual(['skills', 'a/b~c']);
  });

  it('does not overflow the stack on 100,000 nested arrays', () => {
    const text = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const deep = `${'/0'.repeat(100_000)}`;
    expect(scanJson(text, deep)).toMatchObject({ value: { start: 100_000, end: 100_001 }, exact: true });
    expect(scanJson(text.slice(0, -1)).error?.message).toBe('unexpected end of the file');
  });
});
