import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { EngineError } from '../errors.js';
import { engineErrorFrom } from '../shared/classify.js';
import type { CallDeadline } from '../shared/deadline.js';
import { unknownFailure } from '../shared/unknown-failure.js';

/** OpenAI SDK errors (HTTP and error chunks inside a stream) -> EngineError. */
export function fromOpenAIError(err: unknown, deadline: CallDeadline): EngineError {
  // The deadline or the caller ended the call: whatever the SDK made of the abort, that is the cause.
  const aborted = deadline.abortError(err);
  if (aborted) return aborted;
  if (err instanceof EngineError) return err;
  if (err instanceof APIUserAbortError) return new EngineError('cancelled', 'openai: the call was cancelled', { provider: 'openai', cause: err });
  if (err instanceof APIConnectionTimeoutError) return new EngineError('timeout', 'openai: request timed out', { provider: 'openai', cause: err });
  if (err instanceof APIConnectionError) return new EngineError('network', `openai: connection failed (${err.message})`, { provider: 'openai', cause: err });
  if (err instanceof APIError) {
    const body = err.error as { message?: unknown } | undefined;
    return engineErrorFrom({
      provider: 'openai',
      ...(err.status !== undefined ? { status: err.status } : {}),
      errorType: err.type ?? null,
      code: err.code ?? null,
      message: typeof body?.message === 'string' ? body.message : err.message,
      headers: err.headers ?? null,
      requestId: err.requestID ?? null,
      cause: err,
    });
  }
  return unknownFailure('openai', err);
}
