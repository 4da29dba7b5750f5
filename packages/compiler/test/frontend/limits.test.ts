import { describe, expect, it } from 'vitest';
import { checkBytes, type Diagnostic, MAX_DIAGNOSTICS_PER_FILE, MAX_NESTING_DEPTH, MAX_YAML_ERRORS } from '@sdl/compiler';
import { positionProblems } from '../../../../test/support/skill-fuzz.js';
import { BASE, brief, withLines } from './helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);
const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i));

interface Pathological {
  why: string;
  text: () => string;
  /** Codes the file must report (in any order, others allowed unless `only`). */
  codes: string[];
  only?: boolean;
}

// The inputs of issue 15 that crashed the front end or made it quadratic. Each was seconds to
// minutes (or a RangeError) before; now each is a few milliseconds to a few hundred of CPU time.
const CASES: Pathological[] = [
  { why: 'flow sequences nested 5,000 deep', text: () => withLines(`x: ${'['.repeat(5000)}${']'.repeat(5000)}`), codes: ['SDL1012'], only: true },
  { why: 'flow mappings nested 3,000 deep', text: () => withLines(`x: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}`), codes: ['SDL1012'], only: true },
  { why: 'mixed flow collections, never closed', text: () => withLines(`x: ${'[{'.repeat(2000)}`), codes: ['SDL1012'], only: true },
  { why: 'block mappings indented 1,000 deep', text: () => withLines(...lines(1000, (i) => `${' '.repeat(i)}k:`)), codes: ['SDL1012'], only: true },
  { why: 'compact sequences 3,000 deep on one line', text: () => withLines(`x: ${'- '.repeat(3000)}1`), codes: ['SDL1012'], only: true },
  { why: 'an unclosed `{` followed by 5,000 lines', text: () => withLines('x: { a: 1', ...lines(5000, (i) => `k${i}: ${i}`)), codes: ['SDL1003'], only: true },
  { why: 'a 300 KB string', text: () => withLines(`notes: "${'a b '.repeat(75_000)}"`), codes: ['SDL2001'], only: true },
  { why: '20,000 keys in one mapping', text: () => withLines('x:', ...lines(20_000, (i) => `  k${i}: ${i}`)), codes: ['SDL2001'], only: true },
  { why: '20,000 unknown top-level keys', text: () => withLines(...lines(20_000, (i) => `k${i}: ${i}`)), codes: ['SDL2001', 'SDL1013'], only: true },
  { why: 'a template of 50,000 emoji and a broken expression', text: () => BASE.replace('"{{ inputs.question }}"', `"${'😀'.repeat(50_000)}{{ inputs.question. }}"`), codes: ['SDL4002'], only: true },
  { why: 'an expression of 4,000 emoji strings', text: () => BASE.replace('"{{ inputs.question }}"', `'{{ ${'"😀😀" + '.repeat(4000)}inputs.question }}'`), codes: [] },
  { why: '30,000 stray closing brackets (tens of thousands of YAML errors)', text: () => withLines(`x: [a] ${'}'.repeat(30_000)}`), codes: ['SDL1003', 'SDL1013'], only: true },
  { why: '5,000 steps with the same id', text: () => BASE.replace('steps:\n', `steps:\n${'  - id: answer\n    prompt: { user: x }\n'.repeat(5000)}`), codes: ['SDL3001', 'SDL1013'], only: true },
];

function check(text: string): { diagnostics: Diagnostic[]; cpuMs: number } {
  const before = process.cpuUsage();
  const { diagnostics } = checkBytes(enc(text), 'demo.skill.yaml');
  const used = process.cpuUsage(before);
  return { diagnostics, cpuMs: (used.user + used.system) / 1000 };
}

describe('the front end on pathological input', () => {
  it.each(CASES)('$why: terminates quickly, reports $codes, no range outside the file', ({ text, codes, only }) => {
    const input = text();
    const { diagnostics, cpuMs } = check(input);
    const found = new Set(diagnostics.map((d) => d.code));
    for (const code of codes) expect(found, brief(diagnostics).slice(0, 5).join(', ')).toContain(code);
    if (only) expect([...found].sort()).toEqual([...codes].sort());
    expect(diagnostics.length).toBeLessThanOrEqual(MAX_DIAGNOSTICS_PER_FILE + 1);
    expect(positionProblems(diagnostics, enc(input))).toEqual([]);
    // Generous for a loaded CI machine; the quadratic versions took from 5 s to over a minute.
    expect(cpuMs).toBeLessThan(4000);
  });

  it('counts nesting up to the limit without complaint', () => {
    // 20 levels of a JSON Schema (each level two indentation steps) is far below the limit.
    const schema = lines(20, (i) => `${'  '.repeat(i + 1)}p${i}:`).join('\n');
    expect(brief(checkBytes(enc(withLines('x:', schema)), 'demo.skill.yaml').diagnostics)).toEqual(['SDL2001@9:1:9:2']);
    expect(MAX_NESTING_DEPTH).toBe(100);
  });

  it('ignores brackets in quoted strings, comments and block scalars', () => {
    const text = withLines(`notes: "${'['.repeat(300)}"`, `# ${'{'.repeat(300)}`, 'more: |', `  ${'['.repeat(300)}`, `again: '${'{'.repeat(300)}'`);
    expect(brief(checkBytes(enc(text), 'demo.skill.yaml').diagnostics)).toEqual(['SDL2001@9:1:9:6', 'SDL2001@11:1:11:5', 'SDL2001@13:1:13:6']);
  });

  it('keeps the first 200 diagnostics by position and says how many more (as severe as the worst left out)', () => {
    const { diagnostics } = check(withLines(...lines(250, (i) => `k${i}: ${i}`)));
    expect(diagnostics).toHaveLength(201);
    expect(diagnostics.slice(0, 200).every((d) => d.code === 'SDL2001')).toBe(true);
    expect(diagnostics[199]!.range.start.line).toBe(208);
    expect(diagnostics[200]).toMatchObject({ code: 'SDL1013', severity: 'error', message: 'and 50 more diagnostics in this file (50 of them errors); only the first 200 are shown' });
    expect(diagnostics[200]!.range).toEqual({ start: { line: 209, column: 1 }, end: { line: 209, column: 5 } });
  });

  it('never puts a column on the \\n of a CRLF line break', () => {
    // yaml reports some errors at the line break; with CRLF that offset is the `\n`.
    const inputs = ['sdl: "1.0"\r\nname: [a,\r\n', 'sdl: "1.0"\r\nname: x\r\nname: y\r\n', 'a: "x\r\n', 'k: {a: 1\r\nb: 2\r\n'];
    for (const text of inputs) {
      const { diagnostics } = check(text);
      expect(diagnostics.length, text).toBeGreaterThan(0);
      expect(positionProblems(diagnostics, enc(text)), JSON.stringify(text)).toEqual([]);
    }
  });

  it('stops parsing after 1,000 YAML errors from the parser and says where (stray closers)', () => {
    // 30,000 errors were built one by one before (hundreds of ms); now the parser stops at the 1,001st.
    const { diagnostics } = check(withLines(`x: [a] ${'}'.repeat(30_000)}`));
    expect(diagnostics).toHaveLength(201);
    expect(diagnostics.at(-1)).toMatchObject({
      code: 'SDL1013',
      severity: 'error',
      message: 'and 800 more diagnostics in this file (800 of them errors); only the first 200 are shown; YAML parsing stopped at 9:1008 after 1000 syntax errors; the rest of the file was not checked',
    });
    expect(MAX_YAML_ERRORS).toBe(1000);
  });

  it('stops composing after 1,000 YAML errors inside a document (anchors with no value)', () => {
    const text = withLines(`x: ${'&a &b '.repeat(3000)}`);
    const { diagnostics } = check(text);
    expect(diagnostics).toHaveLength(201);
    expect(diagnostics.at(-1)!.message).toMatch(/^and 801 more diagnostics in this file \(801 of them errors\); only the first 200 are shown; YAML parsing stopped at 9:\d+ after 1000 syntax errors; the rest of the file was not checked$/);
    expect(positionProblems(diagnostics, enc(text))).toEqual([]);
  });

  it('stops at the 1,001st YAML error, not before', () => {
    const sorted = check(withLines(`x: [a] ${'}'.repeat(1_001)}`)).diagnostics;
    expect(sorted.at(-1)!.message).toMatch(/YAML parsing stopped at 9:1008 after 1000 syntax errors/);
    const exactlyAtLimit = check(withLines(`x: [a] ${'}'.repeat(1_000)}`)).diagnostics;
    expect(exactlyAtLimit.at(-1)!.message).toBe('and 800 more diagnostics in this file (800 of them errors); only the first 200 are shown');
  });

  it('reports the first 1,000 duplicate keys and says the rest are not reported', () => {
    // 1,000 SDL1004 and one SDL2001 (`x` is no skill key) are collected; 500 duplicates are not.
    const { diagnostics } = check(withLines('x:', ...lines(1_500, () => '  k: v')));
    expect(diagnostics.at(-1)!.message).toBe('and 801 more diagnostics in this file (801 of them errors); only the first 200 are shown; duplicate keys after the first 1000 (from 1011:3) are not reported');
  });

  it('a collection as a key is SDL1010, and no process warning is printed', async () => {
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on('warning', listener);
    try {
      expect(brief(check(withLines('? [a, b]', ': 1')).diagnostics)).toEqual(['SDL1010@9:3:9:9']);
      // Warnings are emitted on a later tick.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('warning', listener);
    }
    expect(warnings).toEqual([]);
  });

  it('reports a duplicate key as yaml would, in one pass (equal scalar values, not equal text)', () => {
    const text = withLines('x:', '  a: 1', '  "a": 2', '  1: x', '  "1": y', '  1: z', '  .nan: 1', '  .nan: 2');
    expect(brief(checkBytes(enc(text), 'demo.skill.yaml').diagnostics).filter((d) => d.startsWith('SDL1004'))).toEqual(['SDL1004@11:3:11:6', 'SDL1004@14:3:14:4']);
  });
});
