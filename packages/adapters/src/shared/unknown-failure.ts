import { EngineError } from '../errors.js';

/**
 * Errors with no HTTP status: a body or chunk that is not JSON means the server sent garbage
 * (`server`); anything else (socket reset, stream cut) is `network`.
 */
export function unknownFailure(provider: string, err: unknown): EngineError {
  if (err instanceof SyntaxError) {
    return new EngineError('server', `${provider}: the response was not valid JSON`, { provider, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError('network', `${provider}: connection failed (${message})`, { provider, cause: err });
}

/** A stream that ended without its final event was cut off. */
export function truncatedStream(provider: string): EngineError {
  return new EngineError('network', `${provider}: the response stream ended before the final event`, { provider });
}

/**
 * A stream that breaks the provider's own event grammar (two messages in one stream, events after the
 * final one): the server or a proxy in between misbehaved, so it is a `server` fault (retryable).
 */
export function malformedStream(provider: string, what: string): EngineError {
  return new EngineError('server', `${provider}: malformed response stream (${what}); the reply was discarded`, { provider });
}
