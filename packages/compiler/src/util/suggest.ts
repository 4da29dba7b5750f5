/** Damerau-Levenshtein distance (optimal string alignment), so a swapped pair costs 1. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2: number[] = new Array<number>(n + 1).fill(0);
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  let cur: number[] = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** Names longer than this get no "did you mean" (names are short; this bounds the work). */
const MAX_SUGGESTED_LENGTH = 128;

/**
 * The closest candidate to `name`, if it is close enough to be a plausible typo: within a third of
 * the name's length (at least 1, at most 3 edits), compared case-insensitively. Ties go to the
 * earlier candidate, so callers control preference by order.
 */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  // The distance is quadratic in the lengths: a pasted 300 KB "name" gets no suggestion.
  if (name.length > MAX_SUGGESTED_LENGTH) return undefined;
  const lower = name.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // Lengths further apart than the limit cannot be within it.
    if (candidate === name) continue;
    const other = candidate.toLowerCase();
    if (Math.abs(other.length - lower.length) > limit) continue;
    const d = editDistance(lower, other);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** "did you mean `x`?" or undefined: the hint text used by every diagnostic that suggests a name. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const match = closestMatch(name, candidates);
  return match === undefined ? undefined : `did you mean \`${match}\`?`;
}
