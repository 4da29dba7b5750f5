import { ExprCode } from './expr-diagnostic.js';

/**
 * An evaluation error, at the offsets of the expression that failed. `limit` errors are never
 * absorbed by `&&`, `||` or macros: a sandbox limit always stops the evaluation.
 */
export class EvalError extends Error {
  override readonly name = 'EvalError';
  constructor(
    readonly code: string,
    message: string,
    readonly start: number,
    readonly end: number,
    readonly hint?: string,
  ) {
    super(message);
  }
  get limit(): boolean {
    return this.code === ExprCode.LimitExceeded;
  }
}
