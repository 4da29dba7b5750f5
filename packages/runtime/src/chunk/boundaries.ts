/**
 * Where a chunk may end, ranked: a paragraph break beats a sentence end, which beats a word
 * boundary; any code point boundary is the last resort. Positions are code point indices and point
 * just after the separator (its trailing whitespace included), so the next chunk starts on text.
 */
import { isCjk } from './estimate.js';

export const BreakLevel = { CodePoint: 0, Word: 1, Sentence: 2, Paragraph: 3 } as const;
export type BreakLevel = (typeof BreakLevel)[keyof typeof BreakLevel];

const PARAGRAPH = /\r?\n[ \t\r\f\v]*\n\s*/g;
const SENTENCE = /[.!?…]+["'”’)\]]*\s+|[。！？；]+[」』”’）】]*\s*|\n\s*/g;
const WORD = /\s+/g;

/** The text split into code points, with their UTF-16 offsets. */
export interface CodePoints {
  /** `utf16[i]` is the UTF-16 offset of code point `i`; `utf16[length]` is the text length. */
  utf16: Int32Array;
  /** Code point values. */
  values: Int32Array;
  length: number;
}

export function codePointsOf(text: string): CodePoints {
  const utf16 = new Int32Array(text.length + 1);
  const values = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    utf16[n] = i;
    values[n] = cp;
    n++;
    i += cp > 0xffff ? 2 : 1;
  }
  utf16[n] = text.length;
  return { utf16: utf16.subarray(0, n + 1), values: values.subarray(0, n), length: n };
}

/**
 * For each level, the sorted code point positions (strictly inside the text) where a chunk may
 * end at that level or better.
 */
export function breakPositions(text: string, cps: CodePoints): Int32Array[] {
  const level = new Uint8Array(cps.length + 1);
  // UTF-16 offset -> code point index (separators are BMP characters, so matches end on a code point).
  const cpIndex = new Int32Array(text.length + 1).fill(-1);
  for (let i = 0; i <= cps.length; i++) cpIndex[cps.utf16[i]!] = i;
  const mark = (re: RegExp, lvl: BreakLevel) => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const at = cpIndex[m.index + m[0].length]!;
      if (at > 0 && at < cps.length && level[at]! < lvl) level[at] = lvl;
      if (m[0].length === 0) re.lastIndex++;
    }
  };
  mark(WORD, BreakLevel.Word);
  // Scripts written without spaces may break between any two characters.
  for (let i = 1; i < cps.length; i++) {
    if ((isCjk(cps.values[i - 1]!) || isCjk(cps.values[i]!)) && level[i]! < BreakLevel.Word) level[i] = BreakLevel.Word;
  }
  mark(SENTENCE, BreakLevel.Sentence);
  mark(PARAGRAPH, BreakLevel.Paragraph);
  const lists: Int32Array[] = [];
  for (let lvl: number = BreakLevel.Word; lvl <= BreakLevel.Paragraph; lvl++) {
    const out: number[] = [];
    for (let i = 1; i < cps.length; i++) if (level[i]! >= lvl) out.push(i);
    lists[lvl] = Int32Array.from(out);
  }
  return lists;
}

/** The largest value in sorted `list` that is `> lower` and `<= upper`, or -1. */
export function lastBetween(list: Int32Array, lower: number, upper: number): number {
  let lo = 0;
  let hi = list.length; // first index with value > upper
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= upper) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  return i >= 0 && list[i]! > lower ? list[i]! : -1;
}

/** The smallest value in sorted `list` that is `>= lower` and `< upper`, or -1. */
export function firstBetween(list: Int32Array, lower: number, upper: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < lower) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length && list[lo]! < upper ? list[lo]! : -1;
}
