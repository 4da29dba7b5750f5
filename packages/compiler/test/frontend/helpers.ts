import type { Diagnostic } from '@sdl/compiler';

/** A minimal valid skill; tests change single lines of it. Line numbers are noted for range math. */
export const BASE = [
  'sdl: "1.0"', // 1
  'name: demo', // 2
  'version: 1.0.0', // 3
  'description: Answer a question.', // 4
  'steps:', // 5
  '  - id: answer', // 6
  '    prompt:', // 7
  '      user: "{{ inputs.question }}"', // 8
].join('\n');

/** BASE with extra lines appended. */
export const withLines = (...lines: string[]) => `${BASE}\n${lines.join('\n')}\n`;

/** BASE with line `n` (1-based) replaced. */
export function replaceLine(n: number, line: string, text = BASE): string {
  const lines = text.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}

/** `[startLine, startCol, endLine, endCol]` of a diagnostic. */
export const span = (d: Diagnostic) => [d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column];

export const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.code}@${span(d).join(':')}`);
