import { CohereError, CohereTimeoutError } from 'cohere-ai';
import { EngineError } from '../errors.js';
import { engineErrorFrom } from '../shared/classify.js';
import type { CallDeadline } from '../shared/deadline.js';
import type { HeaderSource } from '../shared/retry-after.js';
import { unknownFailure } from '../shared/unknown-failure.js';

/** Cohere SDK errors (status errors, timeouts, non-JSON bodies, transport failures) -> EngineError. */
export function fromCohereError(err: unknown, deadline: CallDeadline): EngineError {
  // The deadline or the caller ended the call: whatever the SDK made of the abort, that is the cause.
  const aborted = deadline.abortError(err);
  if (aborted) return aborted;
  if (err instanceof EngineError) return err;
  if (err instanceof CohereTimeoutError) return new EngineError('timeout', 'cohere: request timed out', { provider: 'cohere', cause: err });
  if (err instanceof CohereError) {
    const status = err.statusCode;
    const headers = (err.rawResponse?.headers ?? null) as HeaderSource | null;
    if (status === undefined) {
      return new EngineError('network', `cohere: connection failed (${err.message})`, { provider: 'cohere', cause: err });
    }
    if (status < 400) {
      // The SDK reports a 2xx body it could not parse as JSON this way.
      return new EngineError('server', `cohere: the response was not valid JSON (HTTP ${status})`, { provider: 'cohere', status, cause: err });
    }
    const body = err.body as { message?: unknown } | undefined;
    return engineErrorFrom({
      provider: 'cohere',
      status,
      message: typeof body?.message === 'string' ? body.message : null,
      headers,
      requestId: headers?.get('x-request-id') ?? headers?.get('x-debug-trace-id') ?? null,
      cause: err,
    });
  }
  return unknownFailure('cohere', err);
}
