import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { EngineError } from '../errors.js';
import { engineErrorFrom } from '../shared/classify.js';
import type { CallDeadline } from '../shared/deadline.js';
import { unknownFailure } from '../shared/unknown-failure.js';

/** Anthropic SDK errors (HTTP and in-stream `error` events) -> EngineError. */
export function fromAnthropicError(err: unknown, deadline: CallDeadline): EngineError {
  // The deadline or the caller ended the call: whatever the SDK made of the abort, that is the cause.
  const aborted = deadline.abortError(err);
  if (aborted) return aborted;
  if (err instanceof EngineError) return err;
  if (err instanceof APIUserAbortError) return new EngineError('cancelled', 'anthropic: the call was cancelled', { provider: 'anthropic', cause: err });
  if (err instanceof APIConnectionTimeoutError) return new EngineError('timeout', 'anthropic: request timed out', { provider: 'anthropic', cause: err });
  if (err instanceof APIConnectionError) return new EngineError('network', `anthropic: connection failed (${err.message})`, { provider: 'anthropic', cause: err });
  if (err instanceof APIError) {
    return engineErrorFrom({
      provider: 'anthropic',
      ...(err.status !== undefined ? { status: err.status } : {}),
      errorType: err.type,
      message: err.apiMessage ?? err.message,
      headers: err.headers ?? null,
      requestId: err.requestID ?? null,
      cause: err,
    });
  }
  return unknownFailure('anthropic', err);
}
