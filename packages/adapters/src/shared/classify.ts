import { EngineError, type EngineErrorKind } from '../errors.js';
import { type HeaderSource, retryAfterMsFrom } from './retry-after.js';

/** What an adapter knows about a failed HTTP exchange (or an error event inside a stream). */
export interface WireFailure {
  provider: string;
  /** Undefined for errors reported inside a 200 stream. */
  status?: number;
  /** The provider's error type or code (`overloaded_error`, `context_length_exceeded`, ...). */
  errorType?: string | null;
  code?: string | null;
  /** The provider's message; used for the EngineError message (never holds request data we sent). */
  message?: string | null;
  headers?: HeaderSource | null;
  requestId?: string | null;
  cause?: unknown;
}

const CONTEXT_LENGTH = /context[_ ]length|context window|prompt is too long|too many tokens|maximum context|exceeds the (model's )?(max|context)/i;

/** The taxonomy kind for a provider error type or code, when it decides the kind by itself. */
function kindFromType(type: string): EngineErrorKind | undefined {
  switch (type) {
    case 'overloaded_error':
    case 'overloaded':
      return 'overloaded';
    case 'rate_limit_error':
    case 'rate_limit_exceeded':
    case 'requests':
    case 'tokens':
    case 'insufficient_quota':
      return 'rate_limited';
    case 'authentication_error':
    case 'permission_error':
    case 'invalid_api_key':
      return 'auth';
    case 'context_length_exceeded':
    case 'string_above_max_length':
      return 'context_length';
    case 'content_filter':
    case 'content_policy_violation':
      return 'content_filter';
    case 'api_error':
    case 'server_error':
      return 'server';
    case 'timeout_error':
      return 'timeout';
    case 'invalid_request_error':
    case 'not_found_error':
    case 'request_too_large':
      return 'invalid_request';
    default:
      return undefined;
  }
}

/**
 * Maps an HTTP status (and the provider's error type) to the taxonomy:
 * 429 rate_limited; 529 and 503 overloaded; 408 and 504 timeout; other 5xx server; 401/403/498 auth;
 * 400/413/422 invalid_request unless the type or message says context length or content filter.
 */
export function kindOf(failure: WireFailure): EngineErrorKind {
  const message = failure.message ?? '';
  // The status decides where it is unambiguous; the body refines the rest.
  if (failure.status === 429) return 'rate_limited';
  if (failure.status === 529) return 'overloaded';
  for (const t of [failure.code, failure.errorType]) {
    if (!t) continue;
    const k = kindFromType(t);
    if (k === 'context_length' || k === 'content_filter' || k === 'overloaded' || k === 'auth') return k;
  }
  const status = failure.status;
  if (status === 503) return 'overloaded';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 401 || status === 403 || status === 498) return 'auth';
  if (status !== undefined && status >= 500) return 'server';
  if (CONTEXT_LENGTH.test(message)) return 'context_length';
  for (const t of [failure.code, failure.errorType]) {
    const k = t ? kindFromType(t) : undefined;
    if (k) return k;
  }
  if (status !== undefined && status >= 400) return 'invalid_request';
  // An error event inside a stream with no recognizable type: the server failed mid-response.
  return 'server';
}

export function engineErrorFrom(failure: WireFailure): EngineError {
  const kind = kindOf(failure);
  // Reset headers describe the rate-limit window, so they only explain a 429; an overload only
  // carries an explicit `retry-after(-ms)`.
  const retryAfterMs =
    kind === 'rate_limited'
      ? retryAfterMsFrom(failure.headers)
      : kind === 'overloaded' || kind === 'server'
        ? retryAfterMsFrom(failure.headers, Date.now(), { resetHeaders: false })
        : undefined;
  const where = failure.status !== undefined ? `HTTP ${failure.status}` : 'error inside the response stream';
  const detail = failure.message ? `: ${truncate(failure.message)}` : '';
  return new EngineError(kind, `${failure.provider}: ${kind.replace('_', ' ')} (${where})${detail}`, {
    provider: failure.provider,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(failure.requestId ? { requestId: failure.requestId } : {}),
    cause: failure.cause,
  });
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
