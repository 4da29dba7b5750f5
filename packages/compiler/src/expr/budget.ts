import { EvalError } from './eval-error.js';
import { ExprCode } from './expr-diagnostic.js';
import type { EvalLimits } from './limits.js';

/**
 * The work account of one evaluation or rendering. Every operation whose cost grows with its
 * input (macro iterations, elements built or compared, string and regex work, JSON written)
 * charges steps here, so the whole evaluation is bounded by `limits.maxSteps`; and every
 * {@link CLOCK_INTERVAL} steps the host's `interrupt` (a deadline or cancellation) is asked
 * whether to stop, so a run's deadline also stops a long evaluation.
 */
export interface Budget {
  steps: number;
  readonly limits: EvalLimits;
  /** The step count at which `interrupt` is asked next (Infinity without one). */
  nextCheck: number;
  readonly interrupt: (() => boolean) | undefined;
}

/** Steps between two calls of the host's `interrupt` (about a millisecond of work or less). */
const CLOCK_INTERVAL = 1024;

/** Regex thread steps (see `LinearRegex.test`) per evaluation step. */
export const REGEX_STEPS_PER_STEP = 16;

/** A fresh account. */
export function newBudget(limits: EvalLimits, interrupt?: () => boolean): Budget {
  return { steps: 0, limits, nextCheck: interrupt ? CLOCK_INTERVAL : Infinity, interrupt };
}

/** Charges `n` steps; fails with SDL4210 past the limit or when the host says to stop. */
export function charge(b: Budget, n: number, at: { start: number; end: number }): void {
  if ((b.steps += n) > b.limits.maxSteps)
    throw new EvalError(ExprCode.LimitExceeded, `evaluation exceeds the limit of ${b.limits.maxSteps} steps`, at.start, at.end, 'iterate over smaller lists or nest fewer macros');
  if (b.steps >= b.nextCheck) checkInterrupt(b, at);
}

function checkInterrupt(b: Budget, at: { start: number; end: number }): void {
  b.nextCheck = b.steps + CLOCK_INTERVAL;
  if (b.interrupt?.())
    throw new EvalError(ExprCode.LimitExceeded, 'evaluation stopped: the run was cancelled or its deadline passed', at.start, at.end);
}

/** The steps a string (or bytes) of `length` units costs to scan or build: 1 per 256 units. */
export function scanCost(length: number): number {
  return length >> 8;
}
