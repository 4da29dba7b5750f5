/** A 1-based position in a source file; `column` counts Unicode code points, not UTF-16 units. */
export interface Position {
  /** Line number, from 1. */
  line: number;
  /** Column number in code points, from 1. */
  column: number;
}

/** A source range; `end` is exclusive (the position just after the last character). */
export interface Range {
  /** The first character. */
  start: Position;
  /** Just after the last character. */
  end: Position;
}

/** How bad a diagnostic is; only `error` fails a build or a check. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * A problem found in a user's input, as plain data. Codes are stable (`SDL` + four digits) and each
 * one is documented in `spec/diagnostics.md` with a bad example and the fix.
 */
export interface Diagnostic {
  /** Stable code, e.g. `SDL2001`; look it up in spec/diagnostics.md. */
  code: string;
  /** Whether it fails the build (`error`) or only informs. */
  severity: Severity;
  /** What is wrong, in one sentence. */
  message: string;
  /** Path as the user gave it (relative to the working directory where possible). */
  file: string;
  /** Where in `file` the problem is. */
  range: Range;
  /** How to fix it, e.g. "did you mean `description`?" */
  hint?: string;
}

/** True when any diagnostic is an error (warnings and infos never fail a build). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorts by file, then position, then code, so output is stable across runs. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.column - b.range.start.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
