/**
 * One error taxonomy for every engine. Adapters translate SDK and wire errors into EngineError so
 * that retry, failover and metrics never look at provider-specific shapes.
 */
export type EngineErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'invalid_request'
  | 'context_length'
  | 'content_filter'
  | 'cancelled';

/** Kinds a retry (on the same engine) may fix. */
export const RETRYABLE_KINDS: ReadonlySet<EngineErrorKind> = new Set([
  'rate_limited',
  'overloaded',
  'server',
  'timeout',
  'network',
]);

export interface EngineErrorOptions {
  provider: string;
  status?: number;
  /** From `retry-after-ms`, `retry-after` or a reset header, in milliseconds. */
  retryAfterMs?: number;
  requestId?: string;
  cause?: unknown;
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly kind: EngineErrorKind;
  readonly provider: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly requestId?: string;

  constructor(kind: EngineErrorKind, message: string, options: EngineErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.provider = options.provider;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.requestId !== undefined) this.requestId = options.requestId;
  }

  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}
