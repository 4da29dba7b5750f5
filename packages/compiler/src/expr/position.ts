import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source/source-file.js';
import type { ExprDiagnostic } from './expr-diagnostic.js';

/** The parts of a `yaml` Scalar node the mapping needs (structurally typed: no import of `yaml` here). */
export interface ScalarLike {
  value: unknown;
  type?: string | null;
  /** `[start, valueEnd, nodeEnd]` offsets in the source, as the `yaml` package sets them. */
  range?: readonly [number, number, number] | null;
}

/** Maps an offset in a scalar's value to an offset in the YAML source text. */
export type OffsetMap = (valueOffset: number) => number;

interface Built {
  value: string;
  offsets: number[];
}

const DOUBLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"',
  '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

/** Splits raw text into lines with their start offsets; `breaks[i]` is the offset of line i's line break. */
function lines(raw: string, base: number): { text: string; start: number; breakAt: number }[] {
  const out: { text: string; start: number; breakAt: number }[] = [];
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    const c = raw[i];
    if (c === '\n' || c === '\r' || i === raw.length) {
      out.push({ text: raw.slice(start, i), start: base + start, breakAt: base + i });
      if (c === '\r' && raw[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  return out;
}

/** Plain and quoted (flow) scalars: line folding, and escapes for double quotes. */
function buildFlow(raw: string, base: number, kind: 'plain' | 'single' | 'double'): Built {
  const out: Built = { value: '', offsets: [] };
  const emit = (s: string, at: number) => {
    out.value += s;
    for (let k = 0; k < s.length; k++) out.offsets.push(at);
  };
  const ls = lines(raw, base);
  let pendingBreaks = 0;
  let pendingAt = -1;
  let escapedBreak = false;
  for (let li = 0; li < ls.length; li++) {
    const line = ls[li]!;
    let text = line.text;
    let lead = 0;
    if (li > 0) {
      lead = text.length - text.replace(/^[ \t]+/, '').length;
      text = text.slice(lead);
    }
    let trailTrim = li < ls.length - 1 ? text.replace(/[ \t]+$/, '') : text;
    if (li > 0 && text.length === 0 && li < ls.length - 1) {
      pendingBreaks++;
      continue;
    }
    if (li > 0) {
      if (escapedBreak) escapedBreak = false;
      else if (pendingBreaks > 0) emit('\n'.repeat(pendingBreaks), pendingAt);
      else emit(' ', pendingAt);
    }
    pendingBreaks = 0;
    // A double-quoted line ending in an unescaped backslash continues without a space.
    if (kind === 'double' && li < ls.length - 1) {
      const m = /(\\+)$/.exec(trailTrim);
      if (m && m[1]!.length % 2 === 1) {
        escapedBreak = true;
        trailTrim = trailTrim.slice(0, -1);
      }
    }
    const start = line.start + lead;
    if (kind === 'plain') emit2(trailTrim, start, out);
    else if (kind === 'single') {
      for (let j = 0; j < trailTrim.length; j++) {
        emit(trailTrim[j]!, start + j);
        if (trailTrim[j] === "'" && trailTrim[j + 1] === "'") j++;
      }
    } else {
      for (let j = 0; j < trailTrim.length; j++) {
        const c = trailTrim[j]!;
        if (c !== '\\') {
          emit(c, start + j);
          continue;
        }
        const e = trailTrim[j + 1] ?? '';
        const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
        if (hexLen > 0) {
          const cp = parseInt(trailTrim.slice(j + 2, j + 2 + hexLen), 16);
          emit(Number.isNaN(cp) ? '' : String.fromCodePoint(cp), start + j);
          j += 1 + hexLen;
        } else {
          emit(DOUBLE_ESCAPES[e] ?? e, start + j);
          j += 1;
        }
      }
    }
    pendingAt = line.breakAt;
  }
  return out;
}

function emit2(s: string, start: number, out: Built): void {
  out.value += s;
  for (let k = 0; k < s.length; k++) out.offsets.push(start + k);
}

/** Block scalars (`|` literal, `>` folded) with indentation and chomping. */
function buildBlock(source: string, r0: number, r1: number, folded: boolean): Built {
  const raw = source.slice(r0, r1);
  const ls = lines(raw, r0);
  const header = ls[0]!.text;
  const chomp = /^[|>][1-9]?([+-])|^[|>]([+-])/.exec(header);
  const chomping = chomp ? (chomp[1] ?? chomp[2]) : undefined;
  const explicit = /^[|>][+-]?([1-9])/.exec(header)?.[1];
  let content = ls.slice(1);
  // The source range ends after the last line break: drop the empty remainder.
  if (content.length > 0 && content[content.length - 1]!.text === '' && content[content.length - 1]!.breakAt === r1) content = content.slice(0, -1);
  let indent: number;
  if (explicit) {
    const lineStart = source.lastIndexOf('\n', r0 - 1) + 1;
    const parentIndent = /^[ ]*/.exec(source.slice(lineStart))![0].length;
    indent = parentIndent + Number(explicit);
  } else {
    // Only spaces indent; a tab after the indentation is content.
    const first = content.find((l) => /[^ ]/.test(l.text));
    // With no content line, every line is empty and the longest sets the indentation.
    indent = first ? /^[ ]*/.exec(first.text)![0].length : Math.max(0, ...content.map((l) => l.text.length));
  }
  const out: Built = { value: '', offsets: [] };
  const emit = (s: string, at: number) => {
    out.value += s;
    for (let k = 0; k < s.length; k++) out.offsets.push(at);
  };
  type L = { text: string; start: number; breakAt: number; empty: boolean; more: boolean };
  const body: L[] = content.map((l) => {
    const empty = l.text.length <= indent && /^ *$/.test(l.text);
    const text = empty ? '' : l.text.slice(indent);
    return { text, start: l.start + indent, breakAt: l.breakAt, empty, more: !empty && /^[ \t]/.test(text) };
  });
  let last = body.length - 1;
  while (last >= 0 && body[last]!.empty) last--;
  let prevContent: L | undefined;
  let emptyRun: L[] = [];
  for (let i = 0; i <= last; i++) {
    const l = body[i]!;
    if (l.empty) {
      emptyRun.push(l);
      continue;
    }
    if (prevContent) {
      if (folded && !prevContent.more && !l.more) {
        if (emptyRun.length === 0) emit(' ', prevContent.breakAt);
        else for (const e of emptyRun) emit('\n', e.breakAt);
      } else {
        emit('\n', prevContent.breakAt);
        for (const e of emptyRun) emit('\n', e.breakAt);
      }
    } else for (const e of emptyRun) emit('\n', e.breakAt);
    emptyRun = [];
    emit2(l.text, l.start, out);
    prevContent = l;
  }
  if (prevContent && chomping !== '-') {
    emit('\n', prevContent.breakAt);
    if (chomping === '+') for (let i = last + 1; i < body.length; i++) emit('\n', body[i]!.breakAt);
  } else if (!prevContent && chomping === '+') for (const l of body) emit('\n', l.breakAt);
  return out;
}

/**
 * Builds the map from offsets in a scalar's value to offsets in the YAML source, for every scalar
 * style: plain (multi-line folding), single-quoted (`''`), double-quoted (escapes, escaped line
 * breaks), literal `|` and folded `>` blocks (indentation, chomping `-`/`+`, indentation
 * indicators), also inside flow mappings. The rebuilt value is compared with the parser's: if they
 * ever disagree, offsets map to the start of the scalar rather than to a wrong place.
 */
export function scalarOffsetMap(sourceText: string, scalar: ScalarLike): OffsetMap {
  const range = scalar.range;
  if (!range) return () => 0;
  const [r0, r1] = range;
  const type = scalar.type ?? 'PLAIN';
  return simpleScalarMap(sourceText, scalar.value, r0, r1, type) ?? literalBlockMap(sourceText, scalar.value, r0, r1, type) ?? builtScalarOffsetMap(sourceText, scalar);
}

/** `scalarOffsetMap` without its one-line shortcut: every scalar rebuilt character by character (exported for tests). */
export function builtScalarOffsetMap(sourceText: string, scalar: ScalarLike): OffsetMap {
  const range = scalar.range;
  if (!range) return () => 0;
  const [r0, r1] = range;
  const type = scalar.type ?? 'PLAIN';
  let built: Built;
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') built = buildBlock(sourceText, r0, r1, type === 'BLOCK_FOLDED');
  else if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') built = buildFlow(sourceText.slice(r0 + 1, r1 - 1), r0 + 1, type === 'QUOTE_DOUBLE' ? 'double' : 'single');
  else built = buildFlow(sourceText.slice(r0, r1), r0, 'plain');
  if (typeof scalar.value !== 'string' || built.value !== scalar.value) return () => r0;
  const { offsets } = built;
  const endOffset = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? r1 - 1 : offsets.length > 0 ? offsets[offsets.length - 1]! + 1 : r0;
  return runMap(offsets, r0, endOffset);
}

/**
 * `o => offsets[o]` (with `before` for negative and `after` for past-the-end offsets), kept as runs
 * of consecutive source offsets: a block scalar maps line by line, so a few runs stand for hundreds
 * of entries. A compiled skill keeps its maps for as long as its diagnostics may need them.
 * (Exported for tests.)
 */
export function runMap(offsets: readonly number[], before: number, after: number): OffsetMap {
  let runs = 0;
  for (let k = 0; k < offsets.length; k++) if (k === 0 || offsets[k] !== offsets[k - 1]! + 1) runs++;
  const starts = new Int32Array(runs);
  const targets = new Int32Array(runs);
  for (let k = 0, r = 0; k < offsets.length; k++) {
    if (k === 0 || offsets[k] !== offsets[k - 1]! + 1) {
      starts[r] = k;
      targets[r++] = offsets[k]!;
    }
  }
  return runsMap(starts, targets, runs, offsets.length, before, after);
}

/** The map of `runMap` from its runs: run `r` maps value offsets from `starts[r]` on to `targets[r]` on. */
function runsMap(starts: Int32Array, targets: Int32Array, runs: number, length: number, before: number, after: number): OffsetMap {
  return (o) => {
    if (o < 0) return before;
    if (o >= length) return after;
    // The last run starting at or before `o`.
    let lo = 0;
    let hi = runs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return targets[lo]! + (o - starts[lo]!);
  };
}

/**
 * The map of a one-line scalar whose value is its source text unchanged: plain, or quoted without
 * escapes (`\\`, `''`). It is what the general construction gives for such a scalar, computed
 * instead of stored. Undefined for every other scalar.
 */
function simpleScalarMap(sourceText: string, value: unknown, r0: number, r1: number, type: string): OffsetMap | undefined {
  const quoted = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE';
  if (!quoted && type !== 'PLAIN') return undefined;
  const base = quoted ? r0 + 1 : r0;
  const stop = quoted ? r1 - 1 : r1;
  if (stop < base) return undefined;
  const special = type === 'QUOTE_DOUBLE' ? 92 /* \\ */ : type === 'QUOTE_SINGLE' ? 39 /* ' */ : -1;
  for (let i = base; i < stop; i++) {
    const c = sourceText.charCodeAt(i);
    if (c === 10 || c === 13 || c === special) return undefined;
  }
  if (typeof value !== 'string' || value.length !== stop - base || !sourceText.startsWith(value, base)) return () => r0;
  const length = value.length;
  const endOffset = quoted ? r1 - 1 : length > 0 ? base + length : r0;
  return (o) => (o < 0 ? r0 : o < length ? base + o : endOffset);
}

/**
 * The map of a literal block scalar as most skills write their prompts: `|` alone on its header line
 * (clip chomping, no indentation indicator, no comment), then lines that all start with the first
 * line's indentation (spaces) and have something after it, `\n` line breaks. Each line with its line
 * break is one run of consecutive source offsets, so the runs come from the lines without building
 * the value character by character. It is what the general construction gives for such a scalar
 * (position-shortcut.test.ts compares them); undefined for every other scalar.
 */
function literalBlockMap(sourceText: string, value: unknown, r0: number, r1: number, type: string): OffsetMap | undefined {
  if (type !== 'BLOCK_LITERAL' || sourceText.charCodeAt(r0) !== 124 /* | */ || sourceText.charCodeAt(r0 + 1) !== 10) return undefined;
  // The lines: from after the header's line break to r1 (just after the last line break).
  if (r1 > sourceText.length || sourceText.charCodeAt(r1 - 1) !== 10) return undefined;
  let indent = 0;
  while (sourceText.charCodeAt(r0 + 2 + indent) === 32) indent++;
  if (indent === 0) return undefined;
  const lineStarts: number[] = [];
  for (let at = r0 + 2; at < r1; ) {
    const stop = sourceText.indexOf('\n', at);
    if (stop < 0 || stop >= r1) return undefined;
    // Exactly `indent` spaces of indentation or more, then content: no blank, short or tabbed line, no \r.
    if (stop - at <= indent) return undefined;
    for (let k = 0; k < indent; k++) if (sourceText.charCodeAt(at + k) !== 32) return undefined;
    if (sourceText.charCodeAt(stop - 1) === 13) return undefined;
    lineStarts.push(at);
    at = stop + 1;
  }
  if (lineStarts.length === 0) return undefined;
  const runs = lineStarts.length;
  const starts = new Int32Array(runs);
  const targets = new Int32Array(runs);
  let length = 0;
  for (let r = 0; r < runs; r++) {
    const from = lineStarts[r]! + indent;
    const to = r + 1 < runs ? lineStarts[r + 1]! : r1; // past the line break
    starts[r] = length;
    targets[r] = from;
    length += to - from;
  }
  // The value must be the lines as they stand, as the general construction checks.
  if (typeof value !== 'string' || value.length !== length) return () => r0;
  for (let r = 0; r < runs; r++) {
    const from = targets[r]!;
    const n = (r + 1 < runs ? starts[r + 1]! : length) - starts[r]!;
    for (let k = 0, v = starts[r]!; k < n; k++, v++) if (value.charCodeAt(v) !== sourceText.charCodeAt(from + k)) return () => r0;
  }
  return runsMap(starts, targets, runs, length, r0, r1);
}

/** The identity map, for text that is the whole source (e.g. `skillc render` of a template file). */
export const identityOffsetMap: OffsetMap = (o) => o;

/**
 * Turns expression/template diagnostics into file diagnostics: offsets are mapped through
 * `mapOffset` (see `scalarOffsetMap`) and then to 1-based line:column in `file`.
 */
export function toDiagnostics(diagnostics: readonly ExprDiagnostic[], mapOffset: OffsetMap, file: SourceFile): Diagnostic[] {
  return diagnostics.map((d) => {
    const start = mapOffset(d.start);
    // Map the last character, not the exclusive end, so an escape or fold never stretches the range.
    const end = d.end > d.start ? Math.max(start, mapOffset(d.end - 1) + 1) : start;
    const diag: Diagnostic = { code: d.code, severity: d.severity ?? 'error', message: d.message, file: file.path, range: file.rangeAt(start, end) };
    if (d.hint !== undefined) diag.hint = d.hint;
    return diag;
  });
}
