import type { Position, Range } from '../diagnostics/diagnostic.js';

/**
 * A source text with a line index. Offsets are JavaScript string indices (UTF-16 code units);
 * positions are 1-based lines and columns counted in Unicode code points, so an astral character
 * (emoji, rare CJK) advances the column by one. CRLF, CR and LF all end a line.
 */
export class SourceFile {
  readonly path: string;
  readonly text: string;
  /** Offset of the first character of each line. */
  readonly lineStarts: readonly number[];

  /**
   * Offset of the high surrogate of each surrogate pair, ascending: a column is the distance from
   * the line start minus the pairs before it, found by binary search, so locating a position costs
   * O(log n) instead of a walk along the line (quadratic for thousands of diagnostics on one long line).
   */
  private readonly pairs: readonly number[];

  constructor(path: string, text: string) {
    this.path = path;
    this.text = text;
    const starts = [0];
    const pairs: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          pairs.push(i);
          i++;
        }
      } else if (c === 10 /* \n */) starts.push(i + 1);
      else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
    this.pairs = pairs;
  }

  /** How many surrogate pairs start at an offset below `offset`. */
  private pairsBefore(offset: number): number {
    const pairs = this.pairs;
    let lo = 0;
    let hi = pairs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The 0-based index of the line holding `offset` (binary search). */
  lineIndexOf(offset: number): number {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The 1-based line and column (in code points) of a UTF-16 offset; offsets outside the text are clamped. */
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const lineIndex = this.lineIndexOf(clamped);
    const start = this.lineStarts[lineIndex]!;
    // An offset inside a line break (the `\n` of `\r\n`) is the end of the line: the break is no column.
    const stop = clamped > start && this.text.charCodeAt(clamped - 1) === 13 && this.text.charCodeAt(clamped) === 10 ? clamped - 1 : clamped;
    // A pair counts once when both halves are before `stop` (an offset between them ends after it).
    const column = stop - start + 1 - (this.pairs.length === 0 ? 0 : this.pairsBefore(stop - 1) - this.pairsBefore(start));
    return { line: lineIndex + 1, column };
  }

  /** The range between two offsets (end exclusive); an end before the start gives an empty range at the start. */
  rangeAt(startOffset: number, endOffset: number): Range {
    return { start: this.positionAt(startOffset), end: this.positionAt(Math.max(startOffset, endOffset)) };
  }

  /** The text of a 1-based line without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    let end = next === undefined ? this.text.length : next;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.text.slice(start, end);
  }

  /** The offset of a 1-based position (inverse of positionAt for positions inside the text). */
  offsetAt(position: Position): number {
    const start = this.lineStarts[position.line - 1];
    if (start === undefined) return this.text.length;
    let offset = start;
    for (let col = 1; col < position.column && offset < this.text.length; col++) {
      const c = this.text.charCodeAt(offset);
      offset += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return offset;
  }
}
