/**
 * Sandbox limits for one evaluation or rendering. Every limit fails with a clean SDL4210 error at
 * the expression that crossed it; none can be turned off, only raised.
 */
export interface EvalLimits {
  /** Work allowed to one evaluation: macro iterations, elements built or compared, string, regex and JSON work (spec/expressions.md §4). */
  maxSteps: number;
  /** Longest string produced, in UTF-16 code units (also the longest rendered template). */
  maxStringLength: number;
  /** Most elements in a list or map produced. */
  maxListLength: number;
  /** Work allowed to one `matches()` call (threads × characters of the linear matcher); it also counts towards `maxSteps`. */
  maxRegexSteps: number;
  /** Longest bytes value produced. */
  maxBytesLength: number;
}

/**
 * The bounds every evaluation runs under unless the caller passes tighter ones; they keep untrusted
 * expressions and templates from exhausting CPU or memory.
 */
export const DEFAULT_LIMITS: Readonly<EvalLimits> = Object.freeze({
  maxSteps: 1_000_000,
  maxStringLength: 4 * 1024 * 1024,
  maxListLength: 100_000,
  maxRegexSteps: 10_000_000,
  maxBytesLength: 4 * 1024 * 1024,
});
