import { ExprCode, type ExprDiagnostic } from './expr-diagnostic.js';

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

  /** The error as a diagnostic, for `toDiagnostics` (its offsets are in the evaluated text). */
  toDiagnostic(): ExprDiagnostic {
    const d: ExprDiagnostic = { code: this.code, message: this.message, start: this.start, end: this.end };
    if (this.hint !== undefined) d.hint = this.hint;
    return d;
  }
}
