import type { Diagnostic, SourceFile } from '@sdl/compiler';
import { maskLine } from './mask.js';
import { codePointWidth } from './width.js';

/** Options of the human-readable report. */
export interface HumanReportOptions {
  /** Decoded sources by the diagnostic `file` they belong to, to show the offending line. */
  sources: ReadonlyMap<string, SourceFile>;
  /** ANSI colours (only on a terminal, and not when NO_COLOR is set). */
  color?: boolean;
}

const paint = (on: boolean, code: string, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
const SEVERITY_COLOR = { error: '1;31', warning: '1;33', info: '1;36' } as const;

/** The caret line under `lineText` for columns [start, end) (1-based code points), keeping tabs and wide characters aligned. */
export function caretLine(lineText: string, start: number, end: number): string {
  const chars = [...lineText];
  let pad = '';
  for (let i = 0; i < start - 1 && i < chars.length; i++) {
    const ch = chars[i]!;
    pad += ch === '\t' ? '\t' : ' '.repeat(codePointWidth(ch.codePointAt(0)!));
  }
  let width = 0;
  for (let i = start - 1; i < end - 1 && i < chars.length; i++) width += chars[i] === '\t' ? 1 : codePointWidth(chars[i]!.codePointAt(0)!);
  return pad + '^'.repeat(Math.max(1, width));
}

/**
 * Formats one diagnostic like a modern compiler: `file:line:col: error SDL1234: message`, the
 * source line with a caret underline of the range (to the end of the first line when it spans
 * several), and the hint.
 */
export function formatDiagnostic(d: Diagnostic, options: HumanReportOptions): string {
  const color = options.color ?? false;
  const { start, end } = d.range;
  const head = `${paint(color, '1', `${d.file}:${start.line}:${start.column}:`)} ${paint(color, SEVERITY_COLOR[d.severity], d.severity)} ${paint(color, '1', `${d.code}:`)} ${d.message}`;
  const lines = [head];
  const source = options.sources.get(d.file);
  if (source && start.line <= source.lineCount) {
    const original = source.lineText(start.line);
    const endColumn = end.line === start.line ? end.column : [...original].length + 1;
    // Secrets on the line are shown as a prefix and a length, never as written.
    const masked = maskLine(original, start.line, d);
    const text = masked.text;
    const gutter = String(start.line);
    const blank = ' '.repeat(gutter.length);
    lines.push(` ${gutter} | ${text}`);
    lines.push(` ${blank} | ${paint(color, SEVERITY_COLOR[d.severity], caretLine(text, masked.column(start.column), masked.column(endColumn)))}`);
  }
  if (d.hint) lines.push(`  ${paint(color, '1;36', 'hint:')} ${d.hint}`);
  return `${lines.join('\n')}\n`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The closing line: `2 errors, 1 warning in 3 files` or `no problems in 3 files`. */
export function summaryLine(diagnostics: readonly Diagnostic[], fileCount: number): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const files = plural(fileCount, 'file');
  if (errors === 0 && warnings === 0) return `no problems in ${files}\n`;
  const parts = [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : ''].filter(Boolean);
  return `${parts.join(', ')} in ${files}\n`;
}

/** The whole human report: every diagnostic (blank line between them), then the summary. */
export function formatHumanReport(diagnostics: readonly Diagnostic[], fileCount: number, options: HumanReportOptions): string {
  const body = diagnostics.map((d) => formatDiagnostic(d, options)).join('\n');
  return `${body}${body ? '\n' : ''}${summaryLine(diagnostics, fileCount)}`;
}

/** The machine report: one JSON object `{ "diagnostics": [...] }` and a newline. */
export function formatJsonReport(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify({ diagnostics }, null, 2)}\n`;
}
