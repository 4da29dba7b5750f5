import { type Diagnostic, findApiKey } from '@sdl/compiler';

/** Codes whose range is the secret itself (a key in a skill file, a key written in sdl.config.yaml). */
const SECRET_RANGE_CODES: ReadonlySet<string> = new Set(['SDL3011', 'SDL3905']);
/** Codes whose range is the name of a secret field; its value follows on the line. */
const SECRET_FIELD_CODES: ReadonlySet<string> = new Set(['SDL3012']);

/** What replaces a secret in an excerpt: a short prefix and the length, e.g. `sk-a…(51 chars)`. */
export function maskedSecret(secret: string): string {
  const chars = [...secret];
  const prefix = chars.slice(0, Math.min(4, Math.floor(chars.length / 4))).join('');
  return `${prefix}…(${chars.length} chars)`;
}

/** A source line with its secrets masked, and where an original column (1-based code points) now is. */
export interface MaskedLine {
  text: string;
  column(original: number): number;
}

/**
 * Masks every secret on one line of an excerpt: the range of `d` when its code marks a secret, the
 * value after a secret field's name, and anything on the line that looks like a key (another
 * diagnostic's line may hold one). The key never reaches the terminal or a CI log.
 */
export function maskLine(text: string, line: number, d: Diagnostic): MaskedLine {
  const chars = [...text];
  const spans: [number, number][] = [];
  const { start, end } = d.range;
  if (SECRET_RANGE_CODES.has(d.code) && start.line <= line && end.line >= line) {
    spans.push([start.line === line ? start.column - 1 : 0, end.line === line ? end.column - 1 : chars.length]);
  }
  if (SECRET_FIELD_CODES.has(d.code) && start.line === line) {
    let from = end.column - 1;
    while (from < chars.length && (chars[from] === ':' || chars[from] === ' ')) from++;
    let to = chars.length;
    while (to > from && chars[to - 1] === ' ') to--;
    if (to > from) spans.push([from, to]);
  }
  for (let offset = 0, rest = text; ; ) {
    const found = findApiKey(rest);
    if (!found) break;
    const before = [...rest.slice(0, found.index)].length + offset;
    const length = [...found.match].length;
    spans.push([before, before + length]);
    offset = before + length;
    rest = rest.slice(found.index + found.match.length);
  }
  if (spans.length === 0) return { text, column: (c) => c };
  // Merge overlapping spans, then rebuild the line with a column map.
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else if (e > s) merged.push([s, e]);
  }
  const map: number[] = [];
  let out = '';
  let outLength = 0;
  let i = 0;
  for (const [s, e] of merged) {
    for (; i < s; i++) {
      map[i] = outLength;
      out += chars[i];
      outLength++;
    }
    const mask = maskedSecret(chars.slice(s, e).join(''));
    for (; i < e; i++) map[i] = outLength;
    out += mask;
    outLength += [...mask].length;
  }
  for (; i < chars.length; i++) {
    map[i] = outLength;
    out += chars[i];
    outLength++;
  }
  map[chars.length] = outLength;
  const inMask = (index: number) => merged.some(([s, e]) => index > s && index <= e);
  return {
    text: out,
    column: (c) => {
      const index = Math.max(0, Math.min(c - 1, chars.length));
      // A column at the end of a masked span points after the whole mask.
      if (inMask(index)) {
        const span = merged.find(([s, e]) => index > s && index <= e)!;
        return map[span[0]]! + [...maskedSecret(chars.slice(span[0], span[1]).join(''))].length + 1;
      }
      return map[index]! + 1;
    },
  };
}
