import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExprCode, MAX_NESTING, parseExpression, type ExprNode } from '@sdl/compiler';

const ast = (src: string) => {
  const r = parseExpression(src);
  expect(r.diagnostics).toEqual([]);
  return r.ast!;
};
/** Prints the AST back with full parentheses, to check precedence and associativity. */
function show(n: ExprNode): string {
  switch (n.kind) {
    case 'binary': return `(${show(n.left)} ${n.op} ${show(n.right)})`;
    case 'unary': return `(${n.op}${show(n.operand)})`;
    case 'conditional': return `(${show(n.test)} ? ${show(n.then)} : ${show(n.otherwise)})`;
    case 'ident': return n.name;
    case 'select': return `${show(n.operand)}.${n.field}`;
    case 'index': return `${show(n.operand)}[${show(n.index)}]`;
    case 'call': return `${n.target ? `${show(n.target)}.` : ''}${n.fn}(${n.args.map(show).join(', ')})`;
    case 'comprehension': return `${show(n.range)}.${n.macro}(${n.variable}, ${n.filter ? `${show(n.filter)}, ` : ''}${show(n.body)})`;
    case 'has': return `has(${show(n.operand)}.${n.field})`;
    case 'list': return `[${n.elements.map(show).join(', ')}]`;
    case 'map': return `{${n.entries.map((e) => `${show(e.key)}: ${show(e.value)}`).join(', ')}}`;
    case 'null': return 'null';
    case 'string': return JSON.stringify(n.value);
    default: return String(n.value);
  }
}

describe('parseExpression', () => {
  it.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['a || b && c', '(a || (b && c))'],
    ['a && b || c', '((a && b) || c)'],
    ['a == b && c < d', '((a == b) && (c < d))'],
    ['x in xs || !y', '((x in xs) || (!y))'],
    ['a ? b : c ? d : e', '(a ? b : (c ? d : e))'],
    ['a || b ? c : d', '((a || b) ? c : d)'],
    ['-x.y', '(-x.y)'],
    ['!a.b(c)[0]', '(!a.b(c)[0])'],
    ['a.b.c', 'a.b.c'],
    ['xs.map(x, x + 1)', 'xs.map(x, (x + 1))'],
    ['xs.map(x, x > 1, x)', 'xs.map(x, (x > 1), x)'],
    ['has(a.b)', 'has(a.b)'],
    ['{"k": [1, 2]}', '{"k": [1, 2]}'],
    ['size(x) % 2 == 0', '((size(x) % 2) == 0)'],
    ['1 + 2 // a comment', '(1 + 2)'],
  ])('%s', (src, want) => expect(show(ast(src))).toBe(want));

  it('records offsets of nodes, operators and fields', () => {
    const n = ast('inputs.text  +  1');
    expect(n).toMatchObject({ kind: 'binary', start: 0, end: 17, opStart: 13, opEnd: 14 });
    expect((n as { left: ExprNode }).left).toMatchObject({ kind: 'select', fieldStart: 7, start: 0, end: 11 });
  });

  it('folds a minus into a literal only when it is written directly before it', () => {
    expect(ast('-1')).toEqual({ kind: 'int', value: '-1', start: 0, end: 2 });
    expect(ast('-(1)')).toMatchObject({ kind: 'unary', op: '-', operand: { kind: 'int', value: '1' } });
    expect(parseExpression('-(9223372036854775808)').diagnostics[0]).toMatchObject({ code: ExprCode.BadLiteral });
    // Parentheses add no member (the node's members are in sorted order, see ast.ts).
    expect(Object.keys(ast('(1)'))).toEqual(['end', 'kind', 'start', 'value']);
  });

  it('produces JSON-serialisable ASTs', () => {
    const n = ast('[1u, 2.5, b"\\xff", "s", -9223372036854775808]');
    expect(JSON.parse(JSON.stringify(n))).toEqual(n);
  });

  it.each([
    ['(1', ExprCode.Syntax, 2, 'expected `)` but found the end of the expression'],
    ['1 +', ExprCode.Syntax, 3, 'expected a value'],
    ['1 2', ExprCode.Syntax, 2, 'unexpected `2` after a complete expression'],
    ['a.', ExprCode.Syntax, 2, 'expected a field name after `.`'],
    ['a.true', ExprCode.Syntax, 2, 'expected a field name after `.` but found `true`'],
    ['a # b', ExprCode.Lexical, 2, 'unexpected character `#`'],
    ['"abc', ExprCode.Lexical, 0, 'string literal is not closed'],
    ['"\\q"', ExprCode.BadLiteral, 1, 'invalid escape sequence `\\q`'],
    ['9223372036854775808', ExprCode.BadLiteral, 0, 'outside the int64 range'],
    ['18446744073709551616u', ExprCode.BadLiteral, 0, 'larger than'],
    ['if', ExprCode.Reserved, 0, 'reserved word'],
    ['xs.all(1, true)', ExprCode.BadMacro, 3, 'macro'],
    ['has(a)', ExprCode.BadMacro, 0, '`has()` takes one field selection'],
    ['', ExprCode.Syntax, 0, 'expected an expression'],
  ])('%s -> %s at %i', (src, code, start, message) => {
    const r = parseExpression(src);
    expect(r.ast).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ code, start });
    expect(r.diagnostics[0]!.message).toContain(message);
  });

  it('counts map literals towards the nesting limit (their `:` does not lower the depth)', () => {
    const nested = (n: number) => `${'{"a": '.repeat(n)}1${'}'.repeat(n)}`;
    expect(parseExpression(nested(MAX_NESTING)).diagnostics).toEqual([]);
    const deep = parseExpression(nested(300));
    expect(deep.diagnostics).toEqual([expect.objectContaining({ code: ExprCode.TooComplex, start: '{"a": '.length * MAX_NESTING })]);
    // mixed: ternaries inside map values still close at their `:`, maps and lists nest
    const mixed = (n: number) => `${'{"k": x ? ['.repeat(n)}1${'] : 0}'.repeat(n)}`;
    expect(parseExpression(mixed(33)).diagnostics).toEqual([]); // 33 × ({, ?, [) = 99 levels
    expect(parseExpression(mixed(40)).diagnostics[0]!.code).toBe(ExprCode.TooComplex);
    // 300 sequential ternaries in a list are not nested
    expect(parseExpression(`[${Array(300).fill('a ? {1: 2} : {3: 4}').join(', ')}]`).diagnostics).toEqual([]);
    // unbalanced closers cannot bring the count down
    expect(parseExpression(`${')'.repeat(50)}${'{1: '.repeat(150)}`).diagnostics[0]!.code).toBe(ExprCode.TooComplex);
  });

  it('refuses deep nesting with a clean error instead of overflowing the stack', () => {
    const src = `${'('.repeat(10_000)}1${')'.repeat(10_000)}`;
    const t0 = performance.now();
    const r = parseExpression(src);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: ExprCode.TooComplex, start: MAX_NESTING })]);
    expect(parseExpression(`${'('.repeat(50)}1${')'.repeat(50)}`).diagnostics).toEqual([]);
    for (const deep of [`${'!'.repeat(10_000)}true`, Array(5000).fill('1').join(' + '), `${'['.repeat(10_000)}`, `${'a ? b : '.repeat(5000)}c`]) {
      expect(parseExpression(deep).diagnostics[0]!.code).toBe(ExprCode.TooComplex);
    }
  });

  it('never throws on arbitrary input (property)', () => {
    const alphabet = fc.constantFrom(...'()[]{}.,?:!+-*/%<>=&|"\'\\ abxyz019_ \n'.split(''), 'in', 'true', 'map', 'has', 'r"', 'b\'', '"""');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        const r = parseExpression(parts.join(''));
        expect(r.ast !== undefined || r.diagnostics.length > 0).toBe(true);
        for (const d of r.diagnostics) expect(d.start).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300, seed: 20261121 },
    );
  });
});
