import { describe, expect, it } from 'vitest';
import { CelType, CelUint, ExprCode } from '@sdl/compiler';
import { run, value } from './helpers.js';

const E = ExprCode;
const err = (code: string) => expect.stringMatching(new RegExp(`^error ${code}`));

// [expression, expected JSON text or error code]
type Row = [string, string];
const table = (rows: Row[], vars: Record<string, unknown> = {}) =>
  it.each(rows)('%s', (src, want) => {
    const got = run(src, vars);
    if (want.startsWith('SDL')) expect(got).toEqual(err(want));
    else expect(got).toBe(want);
  });

describe('literals', () => {
  table([
    ['null', 'null'], ['true', 'true'], ['false', 'false'],
    ['42', '42'], ['0x1F', '31'], ['-9223372036854775808', '-9223372036854775808'], ['9223372036854775807', '9223372036854775807'],
    ['42u', '42'], ['0xFFu', '255'], ['18446744073709551615u', '18446744073709551615'],
    ['1.5', '1.5'], ['1e3', '1000'], ['.5', '0.5'], ['-2.5e-3', '-0.0025'],
    ['"a\\tb"', '"a\\tb"'], ["'single'", '"single"'], ['"\\u00e9\\x41\\101"', '"éAA"'], ['"\\U0001F600"', '"😀"'],
    ['r"a\\nb"', '"a\\\\nb"'], ["R'\\d+'", '"\\\\d+"'], ['"""multi\nline"""', '"multi\\nline"'], ["'''it's'''", '"it\'s"'],
    ['b"abc"', '"YWJj"'], ['b"\\xff"', '"/w=="'], ['b"é"', '"w6k="'],
    ['[1, "a", null]', '[1,"a",null]'], ['[]', '[]'], ['[1, 2,]', '[1,2]'],
    ['{"a": 1, 2: "b", true: 3}', '{"a":1,"2":"b","true":3}'], ['{}', '{}'],
  ]);
});

describe('arithmetic', () => {
  table([
    ['1 + 2', '3'], ['5 - 7', '-2'], ['6 * 7', '42'], ['7 / 2', '3'], ['-7 / 2', '-3'], ['7 % 3', '1'], ['-7 % 3', '-1'],
    ['1u + 2u', '3'], ['5u - 2u', '3'], ['3u * 4u', '12'], ['7u / 2u', '3'], ['7u % 4u', '3'],
    ['1.5 + 2.25', '3.75'], ['1.0 / 0.0', '"Infinity"'], ['0.5 * 4.0', '2'], ['-(1.5)', '-1.5'], ['--1', '1'], ['-(-9223372036854775807)', '9223372036854775807'],
    ['"ab" + "cd"', '"abcd"'], ['b"a" + b"b"', '"YWI="'], ['[1] + [2, 3]', '[1,2,3]'],
    ['9223372036854775807 + 1', E.Overflow], ['-9223372036854775808 - 1', E.Overflow], ['9223372036854775807 * 2', E.Overflow],
    ['-9223372036854775808 / -1', E.Overflow], ['-(-9223372036854775808)', E.Overflow],
    ['18446744073709551615u + 1u', E.Overflow], ['1u - 2u', E.Overflow], ['18446744073709551615u * 2u', E.Overflow],
    ['1 / 0', E.DivisionByZero], ['1 % 0', E.DivisionByZero], ['1u / 0u', E.DivisionByZero], ['1u % 0u', E.DivisionByZero],
    ['1 + 1.0', E.RuntimeNoOverload], ['1 + 1u', E.RuntimeNoOverload], ['1.5 % 1.0', E.RuntimeNoOverload], ['"a" + 1', E.RuntimeNoOverload],
    ['-1u', E.RuntimeNoOverload], ['-"a"', E.RuntimeNoOverload], ['[1] - [1]', E.RuntimeNoOverload],
  ]);
});

describe('comparison and equality', () => {
  table([
    ['1 == 1', 'true'], ['1 != 2', 'true'], ['1 == 1.0', 'true'], ['1 == 1u', 'true'], ['1u == 1.0', 'true'], ['1 == "1"', 'false'],
    ['null == null', 'true'], ['null == 0', 'false'], ['[1, 2] == [1, 2]', 'true'], ['[1] == [1.0]', 'true'], ['{"a": 1} == {"a": 1}', 'true'],
    ['{"a": 1} == {"a": 2}', 'false'], ['b"a" == b"a"', 'true'], ['0.0 / 0.0 == 0.0 / 0.0', 'false'], ['type(1) == int', 'true'],
    ['1 < 2', 'true'], ['2 <= 2', 'true'], ['3 > 2', 'true'], ['2 >= 3', 'false'], ['1 < 1.5', 'true'], ['2u > 1', 'true'], ['-1 < 0u', 'true'],
    ['"a" < "b"', 'true'], ['"\uFFFF" < "😀"', 'true'], ['b"a" < b"b"', 'true'], ['false < true', 'true'],
    ['1 < "a"', E.RuntimeNoOverload], ['[1] < [2]', E.RuntimeNoOverload], ['null < 1', E.RuntimeNoOverload],
  ]);
});

describe('logic', () => {
  table([
    ['true && true', 'true'], ['true && false', 'false'], ['false || true', 'true'], ['false || false', 'false'], ['!true', 'false'], ['!!true', 'true'],
    // CEL absorbs errors when the other side decides, in either order (commutative).
    ['false && 1 / 0 == 1', 'false'], ['1 / 0 == 1 && false', 'false'], ['true || 1 / 0 == 1', 'true'], ['1 / 0 == 1 || true', 'true'],
    ['true && 1 / 0 == 1', E.DivisionByZero], ['1 / 0 == 1 || false', E.DivisionByZero],
    ['1 && true', E.RuntimeNoOverload], ['false || "x"', E.RuntimeNoOverload], ['"x" && false', 'false'], ['!1', E.RuntimeNoOverload],
    ['true ? 1 : 2', '1'], ['false ? 1 : 2', '2'], ['true ? 1 : 1 / 0', '1'], ['1 ? 1 : 2', E.RuntimeNoOverload],
    ['false ? 1 : true ? 2 : 3', '2'],
  ]);
});

describe('in, indexing and member access', () => {
  const vars = { m: { a: 1, b: { c: [10, 20] } }, xs: [1, 2, 3], empty: {} };
  table([
    ['2 in xs', 'true'], ['5 in xs', 'false'], ['2.0 in xs', 'true'], ['"a" in m', 'true'], ['"z" in m', 'false'], ['1 in {1: 2}', 'true'], ['1u in {1: 2}', 'true'],
    ['1 in 1', E.RuntimeNoOverload],
    ['xs[0]', '1'], ['xs[2u]', '3'], ['xs[3]', E.InvalidArgument], ['xs[-1]', E.InvalidArgument], ['xs["a"]', E.RuntimeNoOverload],
    ['m.a', '1'], ['m["a"]', '1'], ['m.b.c[1]', '20'], ['m.z', E.NoSuchKey], ['m["z"]', E.NoSuchKey], ['{1: "x"}[1]', '"x"'], ['{1: "x"}[1u]', '"x"'], ['{1: "x"}[1.0]', '"x"'],
    ['xs.a', E.RuntimeNoOverload], ['1.a', E.RuntimeNoOverload], ['"s"[0]', E.RuntimeNoOverload],
    ['has(m.a)', 'true'], ['has(m.z)', 'false'], ['has(m.b.c)', 'true'], ['has(empty.x)', 'false'], ['has(xs.a)', E.RuntimeNoOverload], ['has(m.z.y)', E.NoSuchKey],
    ['missing', E.NoSuchKey],
  ], vars);
});

describe('functions', () => {
  table([
    ['size("héllo")', '5'], ['"😀".size()', '1'], ['size(b"ab")', '2'], ['size([1, 2])', '2'], ['[1].size()', '1'], ['size({"a": 1})', '1'], ['size(1)', E.RuntimeNoOverload],
    ['"hello".contains("ell")', 'true'], ['"hello".contains("x")', 'false'], ['"hello".startsWith("he")', 'true'], ['"hello".endsWith("lo")', 'true'],
    ['"hello".startsWith(1)', E.RuntimeNoOverload], ['1.contains("a")', E.RuntimeNoOverload],
    ['"abc123".matches("[a-z]+\\\\d+")', 'true'], ['matches("abc", "^b")', 'false'], ['"a".matches("(")', E.InvalidArgument], ['"a".matches("(a)\\\\1")', E.InvalidArgument],
    ['int(1u)', '1'], ['int(2.9)', '2'], ['int(-2.9)', '-2'], ['int("-42")', '-42'], ['int("x")', E.InvalidArgument], ['int(1e19)', E.Overflow],
    ['int(18446744073709551615u)', E.Overflow], ['int("9223372036854775808")', E.Overflow], ['int(true)', E.RuntimeNoOverload],
    ['uint(1)', '1'], ['uint(-1)', E.Overflow], ['uint(2.5)', '2'], ['uint("7")', '7'], ['uint("-7")', E.InvalidArgument],
    ['double(1)', '1'], ['double(1u)', '1'], ['double("2.5")', '2.5'], ['double("1e3")', '1000'], ['double("x")', E.InvalidArgument],
    ['string(1)', '"1"'], ['string(1u)', '"1"'], ['string(1.5)', '"1.5"'], ['string(true)', '"true"'], ['string(b"abc")', '"abc"'], ['string(b"\\xff")', E.InvalidArgument], ['string([1])', E.RuntimeNoOverload],
    ['bool("true")', 'true'], ['bool("f")', 'false'], ['bool("yes")', E.InvalidArgument], ['bool(1)', E.RuntimeNoOverload],
    ['bytes("é")', '"w6k="'], ['bytes(1)', E.RuntimeNoOverload],
    ['type(1)', '"int"'], ['type(1u)', '"uint"'], ['type(1.0)', '"double"'], ['type("")', '"string"'], ['type(b"")', '"bytes"'], ['type(null)', '"null_type"'],
    ['type([])', '"list"'], ['type({})', '"map"'], ['type(true)', '"bool"'], ['type(int)', '"type"'], ['type(1) == type(2)', 'true'],
    ['dyn(1) + 2', '3'], ['nope(1)', E.UnknownFunction], ['size(1, 2)', E.UnknownFunction],
    ['"  a b ".trim()', '"a b"'], ['"AbC".lowerAscii()', '"abc"'], ['"AbC".upperAscii()', '"ABC"'], ['"a,b".split(",")', '["a","b"]'],
    ['["a", "b"].join(", ")', '"a, b"'], ['["a", "b"].join()', '"ab"'], ['[1].join()', E.RuntimeNoOverload], ['"aXbX".replace("X", "-")', '"a-b-"'],
  ]);
});

describe('macros', () => {
  const vars = { xs: [1, 2, 3, 4], m: { a: 1, b: 2 } };
  table([
    ['xs.all(x, x > 0)', 'true'], ['xs.all(x, x > 1)', 'false'], ['[].all(x, false)', 'true'],
    ['xs.exists(x, x == 3)', 'true'], ['xs.exists(x, x > 9)', 'false'], ['[].exists(x, true)', 'false'],
    ['xs.exists_one(x, x > 3)', 'true'], ['xs.exists_one(x, x > 2)', 'false'],
    ['xs.map(x, x * x)', '[1,4,9,16]'], ['xs.map(x, x % 2 == 0, x * 10)', '[20,40]'], ['xs.filter(x, x % 2 == 1)', '[1,3]'],
    ['m.map(k, k)', '["a","b"]'], ['m.filter(k, m[k] > 1)', '["b"]'], ['m.all(k, k in m)', 'true'],
    ['xs.map(x, xs.map(y, x * y))[1]', '[2,4,6,8]'], ['[[1, 2], [3]].map(l, l.exists(v, v == 3))', '[false,true]'],
    // Errors are absorbed by all/exists when another element decides, as && and || do.
    ['[0, 1].all(x, 1 / x > 5)', 'false'], ['[0, 1].exists(x, 1 / x == 1)', 'true'], ['[0].all(x, 1 / x > 0)', E.DivisionByZero],
    ['xs.all(x, x)', E.RuntimeNoOverload], ['xs.filter(x, 1)', E.RuntimeNoOverload], ['xs.exists_one(x, 1 / 0 == 1)', E.DivisionByZero],
    ['1.map(x, x)', E.RuntimeNoOverload], ['(1).map(x, x)', E.RuntimeNoOverload], ['xs.all(1, true)', 'parse SDL4006'], ['xs.map(x)', 'parse SDL4006'], ['has(xs)', 'parse SDL4006'],
  ], vars);
});

describe('values', () => {
  it('keeps int, uint and double apart', () => {
    expect(value('1')).toBe(1n);
    expect(value('1u')).toEqual(new CelUint(1n));
    expect(value('1.0')).toBe(1);
    expect(value('type(1u)')).toBe(CelType.of('uint'));
  });
  it('lets comprehension variables shadow variables of the same name', () => {
    expect(run('[1, 2].map(x, x + 1) + [x]', { x: 10 })).toBe('[2,3,10]');
  });
});
