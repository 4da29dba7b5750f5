/**
 * From whatever a run threw to a batch failure: a stable code, a message, and whether another
 * attempt (a queue retry, later, perhaps on another worker) may succeed. Transient engine trouble
 * is retried; a problem with the input, the skill or the credentials is not.
 */
import { isEngineError, RETRYABLE_KINDS } from '@sdl/adapters';
import { NoEngineAvailableError } from '../engines/router.js';
import { CircuitOpenError } from '../middleware/circuit-breaker.js';
import { RateLimitRejectedError } from '../middleware/rate-limiter.js';
import { SdlRuntimeError } from '../run/errors.js';
import type { BatchFailure } from './types.js';

/** Runtime error codes that name a passing condition rather than a fault of the input or skill. */
const TRANSIENT_CODES = new Set(['deadline_exceeded']);

/** Walks `cause` links (and a router's per-engine attempts) to the first error that says what happened. */
function* causes(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    yield current;
    if (current instanceof NoEngineAvailableError) {
      for (const attempt of current.attempts) if (attempt.error !== undefined) yield attempt.error;
    }
    current = (current as { cause?: unknown }).cause;
  }
}

/** Classifies a failed run for the batch: code, message, and whether it is worth another attempt. */
export function classifyBatchError(error: unknown): BatchFailure & { retryable: boolean } {
  const message = error instanceof Error ? error.message : String(error);
  for (const cause of causes(error)) {
    if (isEngineError(cause)) return { code: `engine_${cause.kind}`, message, retryable: RETRYABLE_KINDS.has(cause.kind) };
    if (cause instanceof CircuitOpenError) return { code: 'engine_breaker_open', message, retryable: true };
    if (cause instanceof RateLimitRejectedError) return { code: `rate_limit_${cause.reason}`, message, retryable: true };
  }
  if (error instanceof NoEngineAvailableError) return { code: 'no_engine_available', message, retryable: error.attempts.length > 0 };
  if (error instanceof SdlRuntimeError) return { code: error.code, message, retryable: TRANSIENT_CODES.has(error.code) };
  return { code: 'internal_error', message, retryable: false };
}
