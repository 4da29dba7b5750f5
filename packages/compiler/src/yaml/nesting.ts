/**
 * Deepest nesting a skill file may have (block and flow collections together). Real skills nest
 * a dozen levels (a JSON Schema inside `inputs`); `yaml`'s parser recurses once per level and
 * runs out of stack near a thousand, slowing down with depth long before that.
 */
export const MAX_NESTING_DEPTH = 100;

/** Where a text first nests deeper than the limit. */
export interface TooDeep {
  /** UTF-16 offset of the character that opens the level past the limit. */
  offset: number;
  /** The (estimated) depth at that point. */
  depth: number;
  /**
   * `depth` when the structure itself nests too deep; `unclosed` when a `[` or `{` at `offset` is
   * still open on more than `limit` lines indented no deeper than its own line (`yaml` nests each
   * such line one level deeper while it recovers, which is how a missing bracket got quadratic).
   */
  reason: 'depth' | 'unclosed';
}

const SPACE = 32;
const TAB = 9;

const isBreak = (c: number) => c === 10 || c === 13;
const isBlank = (c: number) => c === SPACE || c === TAB;

/**
 * A single linear pass over the text that over-estimates how deep `yaml` will nest its nodes, so
 * files past `limit` are refused before `yaml` sees them. Block nesting counts two levels per
 * indentation step (a sequence may sit at its parent key's indent) plus the compact `- `/`? `/`key: `
 * indicators of a line; flow nesting counts open `[` and `{`. Quoted scalars, comments and block
 * scalars are skipped so brackets in text do not count. An estimate never below the real depth is
 * all that is needed: it errs only on files nested absurdly deep already.
 */
export function findTooDeep(text: string, limit = MAX_NESTING_DEPTH): TooDeep | undefined {
  const n = text.length;
  const indents: number[] = [];
  let flow = 0;
  let i = 0;
  // A quoted scalar still open at the end of a line (they may span lines).
  let quote = 0;
  // The indent of the line that opened a block scalar (`|`, `>`), or -1.
  let blockScalarIndent = -1;
  // The outermost open flow collection: where it starts, its line's indent, and how many later
  // lines were indented no deeper than that line (each one an error `yaml` recovers from by nesting).
  let flowStart = 0;
  let flowLineIndent = 0;
  let underIndented = 0;
  while (i < n) {
    // At the start of a line.
    let indent = 0;
    while (i + indent < n && text.charCodeAt(i + indent) === SPACE) indent++;
    const first = i + indent < n ? text.charCodeAt(i + indent) : 10;
    if (blockScalarIndent >= 0) {
      if (isBreak(first) || isBlank(first) || indent > blockScalarIndent) {
        i = skipLine(text, i);
        continue;
      }
      blockScalarIndent = -1;
    }
    let depth = 0;
    let atValue = true;
    let j = i + indent;
    if (quote === 0 && flow > 0 && !isBreak(first) && j < n && indent <= flowLineIndent) {
      underIndented++;
      if (underIndented > limit) return { offset: flowStart, depth: flow + underIndented, reason: 'unclosed' };
    }
    if (quote === 0 && flow === 0) {
      if (isBreak(first) || first === 35 /* # */ || j >= n) {
        i = skipLine(text, i);
        continue;
      }
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      depth = indents.length * 2;
      if (depth > limit) return { offset: j, depth, reason: 'depth' };
    }
    let lineIndent = indent;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (isBreak(c)) break;
      if (quote !== 0) {
        if (quote === 34 && c === 92 /* \ */) j++;
        else if (c === quote) {
          if (quote === 39 && text.charCodeAt(j + 1) === 39) j++;
          else {
            quote = 0;
            atValue = false;
          }
        }
        continue;
      }
      if (isBlank(c)) continue;
      const next = j + 1 < n ? text.charCodeAt(j + 1) : 10;
      const spaced = isBlank(next) || isBreak(next);
      if (c === 35 /* # */ && (j === i || isBlank(text.charCodeAt(j - 1)))) break;
      if (atValue && (c === 34 || c === 39)) {
        quote = c;
        continue;
      }
      if (c === 91 /* [ */ || c === 123 /* { */) {
        if (flow > 0 || atValue) {
          if (flow === 0) {
            flowStart = j;
            flowLineIndent = indent;
            underIndented = 0;
          }
          flow++;
          atValue = true;
          if (depth + flow > limit) return { offset: j, depth: depth + flow, reason: 'depth' };
          continue;
        }
      } else if (c === 93 /* ] */ || c === 125 /* } */) {
        if (flow > 0) flow--;
        atValue = false;
        continue;
      } else if (c === 44 /* , */ && flow > 0) {
        atValue = true;
        continue;
      } else if ((c === 45 /* - */ || c === 63 /* ? */ || c === 58 /* : */) && spaced) {
        // A compact nested collection on the same line: `- - x`, `? x`, `key: value`.
        if (flow === 0) {
          depth++;
          if (c !== 58) lineIndent = j - i + 2;
          if (depth > limit) return { offset: j, depth, reason: 'depth' };
        }
        atValue = true;
        continue;
      } else if (c === 58 && flow > 0) {
        atValue = true;
        continue;
      } else if ((c === 124 /* | */ || c === 62 /* > */) && atValue && flow === 0) {
        blockScalarIndent = lineIndent;
        break;
      } else if ((c === 38 /* & */ || c === 33 /* ! */) && atValue) {
        // An anchor or tag: the value still starts after it.
        while (j + 1 < n && !isBlank(text.charCodeAt(j + 1)) && !isBreak(text.charCodeAt(j + 1))) j++;
        continue;
      }
      atValue = false;
    }
    i = skipLine(text, j);
  }
  return undefined;
}

/** The offset just after the line break at or after `from`. */
function skipLine(text: string, from: number): number {
  let k = from;
  while (k < text.length && !isBreak(text.charCodeAt(k))) k++;
  if (text.charCodeAt(k) === 13 && text.charCodeAt(k + 1) === 10) return k + 2;
  return k + 1;
}
