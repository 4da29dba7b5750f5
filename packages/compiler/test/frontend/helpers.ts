import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Diagnostic } from '@sdl/compiler';

/** The YAML files git tracks under `dir` (absolute paths; not generated or ignored ones, such as a benchmark's 1,000 skills). */
export function yamlFiles(dir: string): string[] {
  return execFileSync('git', ['ls-files', '-z', '--', '*.yaml'], { cwd: dir, encoding: 'utf8' })
    .split('\0')
    .filter((name) => name !== '')
    .map((name) => join(dir, name));
}

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

/** Same values, same prototypes, same own keys in the same order (so `__proto__` keys and key order count). */
export function expectSame(actual: unknown, expected: unknown, path = '$'): void {
  if (actual === null || expected === null || typeof actual !== 'object' || typeof expected !== 'object') {
    expect(Object.is(actual, expected), `${path}: ${String(actual)} vs ${String(expected)}`).toBe(true);
    return;
  }
  expect(Object.getPrototypeOf(actual), path).toBe(Object.getPrototypeOf(expected));
  const keys = Reflect.ownKeys(actual);
  expect(keys, path).toEqual(Reflect.ownKeys(expected));
  for (const key of keys) {
    const a = Object.getOwnPropertyDescriptor(actual, key)!;
    const b = Object.getOwnPropertyDescriptor(expected, key)!;
    expect([a.enumerable, a.writable, a.configurable], `${path}.${String(key)}`).toEqual([b.enumerable, b.writable, b.configurable]);
    expectSame(a.value, b.value, `${path}.${String(key)}`);
  }
}
