import { describe, expect, it } from 'vitest';
import { type Diagnostic, SourceFile } from '@sdl/compiler';
import { caretLine, formatDiagnostic, summaryLine } from '../src/report/human.js';

const at = (line: number, column: number, endLine: number, endColumn: number) => ({ start: { line, column }, end: { line: endLine, column: endColumn } });

describe('caret underline', () => {
  it.each([
    ['plain ASCII', 'name: demo', 7, 11, '      ^^^^'],
    ['an empty range still shows one caret', 'name: demo', 1, 1, '^'],
    ['tabs are kept so the caret lines up', '\tkey: x', 2, 5, '\t^^^'],
    ['CJK characters are two columns wide', '说明: 错误', 5, 7, '      ^^^^'],
    ['an emoji is one code point and two columns', '📄 x: 1', 3, 4, '   ^'],
  ])('%s', (_, line, start, end, expected) => {
    expect(caretLine(line, start, end)).toBe(expected);
  });
});

describe('formatDiagnostic', () => {
  const source = new SourceFile('s.skill.yaml', 'a: 1\nsteps: |\n  one\n  two\n');
  const d: Diagnostic = { code: 'SDL2003', severity: 'error', message: 'm', file: 's.skill.yaml', range: at(2, 8, 4, 6) };

  it('underlines a range spanning lines to the end of its first line', () => {
    expect(formatDiagnostic(d, { sources: new Map([['s.skill.yaml', source]]) })).toBe('s.skill.yaml:2:8: error SDL2003: m\n 2 | steps: |\n   |        ^\n');
  });

  it('prints just the head line when the source is not available', () => {
    expect(formatDiagnostic({ ...d, hint: 'h' }, { sources: new Map() })).toBe('s.skill.yaml:2:8: error SDL2003: m\n  hint: h\n');
  });
});

describe('summaryLine', () => {
  const e = { severity: 'error' } as Diagnostic;
  const w = { severity: 'warning' } as Diagnostic;
  it.each([
    [[], 1, 'no problems in 1 file\n'],
    [[e], 2, '1 error in 2 files\n'],
    [[e, e, w], 3, '2 errors, 1 warning in 3 files\n'],
    [[w, w], 1, '2 warnings in 1 file\n'],
  ] as [Diagnostic[], number, string][])('%#', (ds, n, expected) => {
    expect(summaryLine(ds, n)).toBe(expected);
  });
});
