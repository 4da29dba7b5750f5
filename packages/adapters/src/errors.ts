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

/** Context of an {@link EngineError}: which provider failed and what it said about it (never the API key). */
export interface EngineErrorOptions {
  /** The provider that failed (`anthropic`, `openai`, `cohere`, `scripted`). */
  provider: string;
  /** The HTTP status, when there was a response. */
  status?: number;
  /** From `retry-after-ms`, `retry-after` or a reset header, in milliseconds. */
  retryAfterMs?: number;
  /** The provider's request id, for support tickets. */
  requestId?: string;
  /** The SDK or network error this was made from. */
  cause?: unknown;
}

/**
 * The only error an adapter throws: a provider failure classified by `kind`, so retry, failover,
 * circuit breaking and metrics never look at provider-specific shapes.
 *
 * @example
 * ```ts
 * import { EngineError, isEngineError } from '@sdl/adapters';
 *
 * const error: unknown = new EngineError('rate_limited', 'anthropic: 429 Too Many Requests', { provider: 'anthropic', status: 429, retryAfterMs: 2000 });
 * if (isEngineError(error) && error.retryable) console.log(`retry in ${error.retryAfterMs ?? 1000} ms`);
 * ```
 */
export class EngineError extends Error {
  /** Always `EngineError`. */
  override readonly name = 'EngineError';
  /** What went wrong, engine-neutral; retry and failover decide by it. */
  readonly kind: EngineErrorKind;
  /** The provider that failed. */
  readonly provider: string;
  /** The HTTP status, when there was a response. */
  readonly status?: number;
  /** How long the provider asked to wait before retrying, in milliseconds. */
  readonly retryAfterMs?: number;
  /** The provider's request id, for support tickets; never contains secrets. */
  readonly requestId?: string;

  constructor(kind: EngineErrorKind, message: string, options: EngineErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.provider = options.provider;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.requestId !== undefined) this.requestId = options.requestId;
  }

  /** True when a retry on the same engine may succeed (the kind is in {@link RETRYABLE_KINDS}). */
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

/**
 * Narrows an unknown thrown value to {@link EngineError}.
 * @param value - anything caught in a `catch` clause
 * @returns true when `value` is an EngineError
 */
export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}
