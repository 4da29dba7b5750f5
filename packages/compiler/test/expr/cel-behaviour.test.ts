import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExprCode, parseExpression } from '@sdl/compiler';
import { run, value } from './helpers.js';

// CEL behaviours SDL once got wrong (found by CEL's conformance suite); fixtures of our own.

describe('reserved words after a dot are field names (CEL bars only true, false, null and in there)', () => {
  it.each(['as', 'if', 'let', 'var', 'while', 'return', 'package', 'namespace', 'void'])('x.%s', (word) => {
    expect(run(`x.${word}`, { x: { [word]: 'v' } })).toBe('"v"');
    expect(run(`has(x.${word})`, { x: { other: 1 } })).toBe('false');
    expect(parseExpression(word).diagnostics[0]?.code).toBe(ExprCode.Reserved); // still reserved as a name
  });
  it.each(['true', 'false', 'null', 'in'])('x.%s is a syntax error', (word) => {
    expect(parseExpression(`x.${word}`).diagnostics[0]).toMatchObject({ code: ExprCode.Syntax, start: 2 });
  });
});

describe('backtick-quoted field names', () => {
  const vars = { headers: { 'x-request-id': 'r1', 'path/to': 2, 'a.b': true, 'two words': 'w' } };
  it.each([
    ['headers.`x-request-id`', '"r1"'],
    ['headers.`path/to` + 1', '3'],
    ['headers.`a.b`', 'true'],
    ['headers.`two words`', '"w"'],
    ['has(headers.`x-request-id`)', 'true'],
    ['has(headers.`x-trace`)', 'false'],
    ['{"k-1": {"k-2": 5}}.`k-1`.`k-2`', '5'],
  ])('%s', (src, want) => expect(run(src, vars)).toBe(want));

  it('are only field names: not variables, not calls, not empty', () => {
    for (const src of ['`x-y`', 'a.`b`()', 'a.``', 'a.`b!`']) expect(parseExpression(src).ast).toBeUndefined();
  });

  it('a missing quoted key is a runtime no-such-key error at the quoted name', () => {
    expect(run('headers.`nope-x`', vars)).toMatch(/^error SDL4201: no such key: `nope-x`/);
  });
});

describe('trim() strips Unicode White_Space, not JavaScript\'s whitespace set', () => {
  const WHITE_SPACE = [0x9, 0xa, 0xb, 0xc, 0xd, 0x20, 0x85, 0xa0, 0x1680, ...Array.from({ length: 11 }, (_, i) => 0x2000 + i), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000];
  const NOT_WHITE_SPACE = [0xfeff, 0x180e, 0x200b, 0x200c, 0x200d, 0x2060];
  const trim = (s: string) => value('s.trim()', { s });

  it('strips every White_Space character, including U+0085 (JS trim() keeps it)', () => {
    for (const cp of WHITE_SPACE) expect(trim(`${String.fromCodePoint(cp)}x${String.fromCodePoint(cp)}`)).toBe('x');
  });
  it('keeps zero-width and format characters, including U+FEFF (JS trim() strips it)', () => {
    for (const cp of NOT_WHITE_SPACE) {
      const s = `${String.fromCodePoint(cp)}x${String.fromCodePoint(cp)}`;
      expect(trim(s)).toBe(s);
    }
  });
  it('matches a reference definition on arbitrary strings (property)', () => {
    const space = new Set(WHITE_SPACE);
    const reference = (s: string) => {
      const cps = [...s].map((c) => c.codePointAt(0)!);
      let a = 0;
      let b = cps.length;
      while (a < b && space.has(cps[a]!)) a++;
      while (b > a && space.has(cps[b - 1]!)) b--;
      return String.fromCodePoint(...cps.slice(a, b));
    };
    const chars = fc.constantFrom(...[...WHITE_SPACE, ...NOT_WHITE_SPACE, 0x61, 0x1f600].map((cp) => String.fromCodePoint(cp)));
    fc.assert(fc.property(fc.array(chars, { maxLength: 20 }).map((a) => a.join('')), (s) => trim(s) === reference(s)), { numRuns: 300 });
  });
  it('stays linear on long inner runs of spaces', () => {
    const s = `x${' '.repeat(200_000)}y`;
    const t0 = performance.now();
    expect(trim(s)).toBe(s);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('int/uint against double compare as doubles (CEL), also at 2^63 and 2^64', () => {
  it.each([
    ['9223372036854775807 < 9223372036854775808.0', 'false'],
    ['9223372036854775807 >= 9223372036854775808.0', 'true'],
    ['9223372036854775808.0 <= 9223372036854775807', 'true'],
    ['9223372036854775808.0 > 9223372036854775807', 'false'],
    ['9223372036854775807 == 9223372036854775808.0', 'true'],
    ['18446744073709551615u == 18446744073709551616.0', 'true'],
    ['18446744073709551615u < 18446744073709551616.0', 'false'],
    ['-9223372036854775808 == -9223372036854775808.0', 'true'],
    ['9223372036854775807 < 9223372036854777856.0', 'true'],
    // int against uint stays exact
    ['9223372036854775807 < 9223372036854775808u', 'true'],
    ['1 == 1.0', 'true'],
    ['2 < 2.5', 'true'],
  ])('%s', (src, want) => expect(run(src)).toBe(want));

  it('agrees with comparing the converted doubles (property)', () => {
    const bound = 1n << 63n;
    fc.assert(
      fc.property(fc.bigInt({ min: -bound, max: bound - 1n }), fc.double({ noNaN: true }), (i, d) => {
        const want = Number(i) < d ? -1 : Number(i) > d ? 1 : 0;
        const vars = { i, d };
        return value('i < d', vars) === (want < 0) && value('i == d', vars) === (want === 0) && value('d > i', vars) === (want < 0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('uint() of a double', () => {
  it.each([
    ['uint(-0.5)', ExprCode.Overflow],
    ['uint(-1.0)', ExprCode.Overflow],
    ['uint(18446744073709551616.0)', ExprCode.Overflow],
    ['uint(-0.0)', '0'],
    ['uint(0.9)', '0'],
    ['uint(42.7)', '42'],
    ['int(-0.5)', '0'],
  ])('%s', (src, want) => {
    const got = run(src);
    if (want.startsWith('SDL')) expect(got).toMatch(new RegExp(`^error ${want}`));
    else expect(got).toBe(want);
  });
});
