/**
 * Splits long text into chunks that fit an estimated token budget, with overlap, preferring to end
 * a chunk at a paragraph break, then a sentence end, then a word boundary, and splitting inside a
 * word only when one word alone exceeds the budget. Deterministic: the same text and options
 * always give the same chunks.
 */
import { breakPositions, BreakLevel, codePointsOf, firstBetween, lastBetween } from './boundaries.js';
import { codePointWeight } from './estimate.js';

/** Options of {@link chunkText}: chunk size and overlap, in estimated tokens. */
export interface ChunkOptions {
  /** Most estimated tokens per chunk (a positive integer). */
  maxTokens: number;
  /**
   * Estimated tokens each chunk repeats from the end of the previous one (an integer,
   * `0 <= overlapTokens < maxTokens`; default 0). The overlap starts on a word boundary when one
   * fits.
   */
  overlapTokens?: number;
  /**
   * A chunk ends at a paragraph or sentence break only when that keeps it at least this full
   * (fraction of `maxTokens`, default 0.5); otherwise the farthest word boundary is used.
   */
  minFill?: number;
}

/** One chunk; `text === source.slice(start, end)` (UTF-16 offsets, never inside a surrogate pair). */
export interface Chunk {
  index: number;
  text: string;
  start: number;
  end: number;
  /** Estimated tokens (`estimateTokens(text)`). */
  tokens: number;
}

function checkOptions(options: ChunkOptions): { max: number; overlap: number; minFill: number } {
  const max = options?.maxTokens;
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxTokens must be a positive integer, got ${String(max)}`);
  const overlap = options.overlapTokens ?? 0;
  if (!Number.isSafeInteger(overlap) || overlap < 0 || overlap >= max) {
    throw new RangeError(`overlapTokens must be an integer from 0 to maxTokens - 1 (${max - 1}), got ${String(overlap)}`);
  }
  const minFill = options.minFill ?? 0.5;
  if (!(minFill >= 0 && minFill <= 1)) throw new RangeError(`minFill must be between 0 and 1, got ${String(minFill)}`);
  return { max, overlap, minFill };
}

/** Splits `text` into chunks (an empty text gives no chunks). */
export function chunkText(text: string, options: ChunkOptions): Chunk[] {
  if (typeof text !== 'string') throw new TypeError('chunkText needs a string');
  const { max, overlap, minFill } = checkOptions(options);
  const cps = codePointsOf(text);
  const n = cps.length;
  if (n === 0) return [];

  // prefix[i] = quarter tokens of code points [0, i)
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + codePointWeight(cps.values[i]!);
  const est = (a: number, b: number) => Math.ceil((prefix[b]! - prefix[a]!) / 4);
  const breaks = breakPositions(text, cps);

  const chunks: Chunk[] = [];
  const push = (a: number, b: number) => {
    const start = cps.utf16[a]!;
    const end = cps.utf16[b]!;
    chunks.push({ index: chunks.length, text: text.slice(start, end), start, end, tokens: est(a, b) });
  };

  let s = 0;
  let prevEnd = 0;
  for (;;) {
    // Farthest end within budget (the estimate grows with the end, so binary search).
    let lo = s + 1;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (est(s, mid) <= max) lo = mid;
      else hi = mid - 1;
    }
    const limit = lo;
    if (limit === n) {
      push(s, n);
      return chunks;
    }
    // Each chunk must reach past the previous one, or it would add nothing new.
    const lower = Math.max(s, prevEnd);
    let end = -1;
    for (let level: number = BreakLevel.Paragraph; level >= BreakLevel.Word && end < 0; level--) {
      const at = lastBetween(breaks[level]!, lower, limit);
      if (at > 0 && (level === BreakLevel.Word || est(s, at) >= max * minFill)) end = at;
    }
    if (end < 0) end = limit; // one unit longer than the budget: split it hard
    push(s, end);
    prevEnd = end;
    s = overlap === 0 ? end : overlapStart(s, end);
  }

  /** The earliest start after `s` whose span to `end` fits the overlap, on a word boundary if possible. */
  function overlapStart(s: number, end: number): number {
    let lo = s + 1;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (est(mid, end) <= overlap) hi = mid;
      else lo = mid + 1;
    }
    const word = firstBetween(breaks[BreakLevel.Word]!, lo, end);
    return word > 0 ? word : lo;
  }
}
