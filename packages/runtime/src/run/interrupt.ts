import type { CancelScope } from './cancellation.js';
import { DeadlineExceededError } from './errors.js';

/** What the interrupt needs of the runtime's clock. */
interface Now {
  now(): number;
}

/**
 * The `interrupt` a run hands to expression evaluation. Evaluation is synchronous, so the
 * deadline's timer cannot fire while an expression runs: this looks at the clock itself and, once
 * the deadline has passed, aborts the run with the same `DeadlineExceededError` the timer would
 * have (so the run fails with the timeout error, not as an expression error or a late success).
 */
export function evaluationInterrupt(cancel: CancelScope, clock: Now, deadline: number | undefined, deadlineMs: number | undefined): () => boolean {
  return () => {
    if (cancel.aborted) return true;
    if (deadline === undefined || clock.now() < deadline) return false;
    cancel.abort(new DeadlineExceededError(deadlineMs!));
    return true;
  };
}
