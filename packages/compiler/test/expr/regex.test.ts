import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LinearRegex, RegexSyntaxError } from '@sdl/compiler';

describe('LinearRegex', () => {
  it.each([
    ['abc', 'xxabcxx', true], ['^abc$', 'abc', true], ['^abc$', 'abcd', false], ['a+b', 'aaab', true], ['(a|b)*c', 'ababc', true],
    ['[a-c]+', 'zzz', false], ['\\d{3}', 'ab123', true], ['\\d{3}', 'ab12', false], ['\\d{2,}', '1', false], ['^a{2,3}$', 'aaaa', false],
    ['(?i)hello', 'HeLLo', true], ['(?i:a)b', 'Ab', true], ['(?i:a)b', 'AB', false], ['\\bfoo\\b', 'a foo b', true], ['\\bfoo\\b', 'afoob', false],
    ['^$', '', true], ['x*', '', true], ['[^a]', 'a', false], ['[^a]', 'ab', true], ['\\p{L}+$', 'été', true], ['\\PL', 'é', false],
    ['a.c', 'a\nc', false], ['(?s)a.c', 'a\nc', true], ['(?m)^b$', 'a\nb\nc', true], ['^b$', 'a\nb\nc', false], ['colou?r', 'color', true],
    ['[[:digit:]]+', 'x9', true], ['[\\d.]+', '1.5', true], ['[a\\-z]', '-', true], ['\\x41\\x{42}', 'AB', true], ['(?P<y>\\d{4})-\\d\\d', '2026-11', true],
    ['😀+', 'x😀😀', true], ['^.$', '😀', true], ['a{2}', 'a{2}', false], ['a{,2}', 'a{,2}', true], ['\\.', 'a', false], ['a|', 'b', true],
  ])('%s on %j -> %s', (pattern, input, want) => {
    expect(new LinearRegex(pattern).test(input, 1e6)).toBe(want);
  });

  it('takes \\x escapes as code points in a class, so they can bound a range', () => {
    const printable = new LinearRegex('^[\\x20-\\x7E]+$');
    expect(printable.test('Hello, World ~!', 1e6)).toBe(true);
    expect(printable.test('tab\there', 1e6)).toBe(false);
    expect(printable.test('é', 1e6)).toBe(false);
    expect(new LinearRegex('^[\\x{41}-\\x{43}]$').test('B', 1e6)).toBe(true);
    expect(new LinearRegex('^[\\x{1F600}-\\x{1F64F}]$').test('😃', 1e6)).toBe(true);
    expect(new LinearRegex('[a\\x2D]').test('-', 1e6)).toBe(true); // \x2D is a literal `-`, not a range
    expect(new LinearRegex('^[^\\x00-\\x7F]$').test('ü', 1e6)).toBe(true);
    expect(() => new LinearRegex('[\\x7E-\\x20]')).toThrow(RegexSyntaxError);
    expect(() => new LinearRegex('[\\x{110000}]')).toThrow(RegexSyntaxError);
  });

  it('agrees with RegExp on classes of \\x ranges (property)', () => {
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    fc.assert(
      fc.property(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0x5e }), fc.string({ maxLength: 8 }), fc.boolean(), (lo, width, s, negate) => {
        const hi = Math.min(0x7e, lo + width);
        const p = `^[${negate ? '^' : ''}\\x${hex(lo)}-\\x${hex(hi)}]+$`;
        expect(new LinearRegex(p).test(s, 1e6)).toBe(new RegExp(p, 'u').test(s));
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });

  it.each(['(a', 'a)', '\\1', '(?=a)', '(?!a)', '(?<=a)b', 'a**', '[a', 'a{2000}', '*a', 'a++', '\\q', '[z-a]', '\\p{Nope}', '[[:nope:]]'])(
    '%s is refused with a syntax error',
    (pattern) => expect(() => new LinearRegex(pattern)).toThrow(RegexSyntaxError),
  );

  it('agrees with JavaScript RegExp on a safe subset (property)', () => {
    const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\d', '(a|b)', '(ab)', 'x');
    const quant = fc.constantFrom('', '', '*', '+', '?', '{1,2}');
    const pattern = fc.array(fc.tuple(atom, quant), { minLength: 1, maxLength: 5 }).map((ps) => ps.map(([a, q]) => a + q).join(''));
    const anchored = fc.tuple(fc.boolean(), pattern, fc.boolean()).map(([s, p, e]) => `${s ? '^' : ''}${p}${e ? '$' : ''}`);
    fc.assert(
      fc.property(anchored, fc.stringMatching(/^[abx1 ]{0,12}$/), (p, s) => {
        expect(new LinearRegex(p).test(s, 1e6)).toBe(new RegExp(p, 'u').test(s));
      }),
      { numRuns: 500, seed: 20261121 },
    );
  });
});
