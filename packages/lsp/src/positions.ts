/**
 * Positions as the compiler and as LSP count them. The compiler's `SourceFile` indexes UTF-16
 * offsets and reports 1-based lines and code-point columns; LSP positions are 0-based lines and
 * UTF-16 characters (the default `positionEncoding`). Both share the same line breaks (LF, CRLF, CR).
 */
import type { Range as SdlRange, SourceFile } from '@sdl/compiler';
import type { Position, Range } from 'vscode-languageserver';

/** The UTF-16 offset of an LSP position; a character past the line's end is its end (before the break). */
export function offsetOf(source: SourceFile, position: Position): number {
  const starts = source.lineStarts;
  if (position.line >= starts.length) return source.text.length;
  const start = starts[Math.max(0, position.line)]!;
  let end = position.line + 1 < starts.length ? starts[position.line + 1]! : source.text.length;
  while (end > start && (source.text.charCodeAt(end - 1) === 10 || source.text.charCodeAt(end - 1) === 13)) end--;
  return Math.min(start + Math.max(0, position.character), end);
}

/** The LSP position of a UTF-16 offset. */
export function positionOf(source: SourceFile, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, source.text.length));
  const line = source.lineIndexOf(clamped);
  let character = clamped - source.lineStarts[line]!;
  // Inside a CRLF break is the end of the line.
  if (character > 0 && source.text.charCodeAt(clamped - 1) === 13 && source.text.charCodeAt(clamped) === 10) character--;
  return { line, character };
}

/** The LSP range between two UTF-16 offsets. */
export function rangeOf(source: SourceFile, start: number, end: number): Range {
  return { start: positionOf(source, start), end: positionOf(source, Math.max(start, end)) };
}

/** A compiler range (1-based, code-point columns) as an LSP range. */
export function fromSdlRange(source: SourceFile, range: SdlRange): Range {
  return rangeOf(source, source.offsetAt(range.start), source.offsetAt(range.end));
}
