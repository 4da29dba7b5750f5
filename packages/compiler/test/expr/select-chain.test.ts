import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseExpression, parseTemplate } from '@sdl/compiler';
import { parseTokens, parseTokensWithParser } from '../../src/expr/parser.js';
import { expressionLexer } from '../../src/expr/tokens.js';

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

describe('the direct parser (plain field chains)', () => {
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

  it('reserved words are reported as names, but are field names after a dot (as in CEL)', () => {
    expect(parseExpression('inputs.var').diagnostics).toEqual([]);
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

/** Both parsers on the same tokens: the results must be identical, key order included. */
function compareParsers(src: string): boolean {
  const lexed = expressionLexer.tokenize(src);
  if (lexed.errors.length > 0) return false;
  const direct = parseTokens(lexed.tokens, src.length);
  const general = parseTokensWithParser(lexed.tokens, src.length);
  expect(JSON.stringify(direct), src).toBe(JSON.stringify(general));
  return general.ast !== undefined;
}

describe('the direct parser', () => {
  it.each([
    'steps.step_0.output != ""',
    'inputs.contract.split("\\n\\n")',
    'index + 1',
    'a ? b : c ? d : e',
    'a || b && c == d < e + f * g % h / i - j',
    '!a && -b > -1 && - 2.5e3 < -(3) && --x == 1u',
    '-9223372036854775808',
    '-(9223372036854775808)',
    '9223372036854775808',
    '18446744073709551616u',
    '[1, 2, 3,] + [] + [x]',
    '{"a": 1, b: [2], 3: {},}',
    '{}',
    'has(inputs.x) && has(x)',
    'xs.map(x, x * 2).filter(y, y > 1).all(z, z != 0) && xs.exists_one(q, q) && xs.map(x, x > 0, x)',
    'xs.map(1, x) || xs.all(x)',
    'size(xs) > 0 && xs[0]["k"].f(1, 2)(3)',
    'a in [1, 2] && "k" in {"k": 1}',
    'b"bytes" + r"raw\\" + \'\'\'tri\'\'\' + "\\u00e9"',
    '"bad \\q escape"',
    'a.var', 'var', 'a.b(', 'f(a,)', '[a,,]', '{a}', 'a ? b', '(a', 'a b', '', '()',
    '((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))',
    Array.from({ length: 500 }, () => 'a').join(' + '),
    Array.from({ length: 100 }, () => 'a ? b').join(' : ') + ' : c',
  ])('gives exactly what the chevrotain parser gives: %s', (src) => {
    compareParsers(src);
  });

  it('gives exactly what the chevrotain parser gives on random token sequences', () => {
    const atom = fc.constantFrom('a', 'inputs', 'steps', 'x1', '1', '2u', '3.5', '"s"', "'t'", 'b"y"', 'true', 'false', 'null', 'var', 'has', 'map', 'all', 'size', '9223372036854775808');
    const glue = fc.constantFrom('.', '(', ')', '[', ']', '{', '}', ',', ':', '?', '!', '-', '+', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||', ' in ', ' ');
    const token = fc.oneof({ weight: 3, arbitrary: atom }, { weight: 4, arbitrary: glue });
    let parsed = 0;
    fc.assert(
      fc.property(fc.array(token, { maxLength: 24 }), (parts) => {
        if (compareParsers(parts.join(' '))) parsed++;
      }),
      { numRuns: 3000, seed: 20261122 },
    );
    // Structured expressions, so that most of them are valid and the direct parser builds them.
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||', 'in'), tie('e')).map(([l, o, r]) => `${l} ${o} ${r}`),
        fc.tuple(fc.constantFrom('!', '-', '--', '!-'), tie('e')).map(([o, e]) => `${o}${e}`),
        tie('e').map((e) => `(${e})`),
        fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
        fc.tuple(tie('e'), fc.constantFrom('f', 'map', 'all', 'exists', 'filter', 'var', 'size'), fc.array(tie('e'), { maxLength: 3 })).map(([t, f, args]) => `${t}.${f}(${args.join(', ')})`),
        fc.tuple(fc.constantFrom('has', 'size', 'int', 'f'), fc.array(tie('e'), { maxLength: 2 })).map(([f, args]) => `${f}(${args.join(', ')})`),
        fc.tuple(tie('e'), tie('e')).map(([t, i]) => `${t}[${i}]`),
        fc.tuple(tie('e'), fc.constantFrom('a', 'b', 'var', 'output')).map(([t, f]) => `${t}.${f}`),
        fc.tuple(fc.array(tie('e'), { maxLength: 3 }), fc.boolean()).map(([xs, trailing]) => `[${xs.join(', ')}${trailing && xs.length > 0 ? ',' : ''}]`),
        fc.tuple(fc.array(fc.tuple(tie('e'), tie('e')), { maxLength: 2 }), fc.boolean()).map(([kv, trailing]) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(', ')}${trailing && kv.length > 0 ? ',' : ''}}`),
      ),
    })).e;
    fc.assert(
      fc.property(expr, (src) => {
        if (compareParsers(src)) parsed++;
      }),
      { numRuns: 3000, seed: 20261123 },
    );
    expect(parsed).toBeGreaterThan(1500);
  });
});
