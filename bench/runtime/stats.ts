/** Order statistics the in-process runtime benchmarks report: median and interquartile range. */

/** The median of `xs`. */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The first and third quartiles of `xs` (nearest rank). */
export const quartiles = (xs: number[]): readonly [number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.round(q * (s.length - 1))]!;
  return [at(0.25), at(0.75)] as const;
};

/** The interquartile range of `xs` as text, one decimal: `a .. b`. */
export const iqrText = (xs: number[]): string => quartiles(xs).map((x) => x.toFixed(1)).join(' .. ');

/** `x` with its sign, one decimal (`+3.1`, `-0.4`). */
export const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
