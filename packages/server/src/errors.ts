/**
 * How run failures become HTTP answers: one JSON shape, `{ error: { code, message, ... } }`, a
 * status that tells the caller whose fault it was, and never a stack trace. The code is the
 * runtime's stable code (`input_invalid`, `deadline_exceeded`, an engine error kind, ...).
 */
import { isEngineError } from '@sdl/adapters';
import { BudgetExceededError, CircuitOpenError, InputValidationError, NoEngineAvailableError, RateLimitRejectedError, SdlRuntimeError } from '@sdl/runtime';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: {
    /** Stable, for programs. */
    code: string;
    /** For people: what is wrong and how to fix it. */
    message: string;
    /** Schema-invalid input: each problem with its JSON Pointer path. */
    problems?: { path: string; message: string }[];
  };
}

/** Builds an error body. */
export function errorBody(code: string, message: string, problems?: { path: string; message: string }[]): ErrorBody {
  return { error: { code, message, ...(problems === undefined ? {} : { problems }) } };
}

/** A run failure mapped for HTTP: status and body. */
export interface HttpFailure {
  status: 400 | 402 | 422 | 500 | 502 | 503 | 504;
  body: ErrorBody;
  /** Seconds to send as Retry-After (an open breaker's time to its next probe). */
  retryAfterS?: number;
}

/** The caller's own mistakes and the skill's legitimate outcomes, by runtime code. */
const STATUS_BY_CODE: Record<string, HttpFailure['status']> = {
  input_invalid: 400,
  engine_unknown: 400,
  attachment_invalid: 400,
  deadline_exceeded: 504,
  cancelled: 503,
  token_budget_exceeded: 402,
  budget_exceeded: 402,
  model_refused: 422,
  output_invalid: 422,
};

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let at = error; at !== undefined && at !== null && chain.length < 8; at = (at as { cause?: unknown }).cause) chain.push(at);
  return chain;
}

/** Maps a run's error; `scrub` removes configured secrets from the message. */
export function failureOf(error: unknown, scrub: (text: string) => string): HttpFailure {
  if (error instanceof InputValidationError) {
    return { status: 400, body: errorBody(error.code, scrub(error.message), error.problems.map((p) => ({ path: p.path, message: scrub(p.message) }))) };
  }
  const chain = causes(error);
  if (chain.some((e) => e instanceof BudgetExceededError)) return { status: 402, body: errorBody('budget_exceeded', scrub((error as Error).message)) };
  // Refused before reaching the provider (the only engine's breaker is open, or its limit would wait too long): try later.
  const open = chain.find((e): e is CircuitOpenError => e instanceof CircuitOpenError);
  if (open !== undefined) return { status: 503, body: errorBody('breaker_open', scrub((error as Error).message)), retryAfterS: Math.max(1, Math.ceil(open.retryInMs / 1000)) };
  if (chain.some((e) => e instanceof RateLimitRejectedError)) return { status: 503, body: errorBody('engine_rate_limited', scrub((error as Error).message)) };
  const engine = chain.find(isEngineError);
  if (chain.some((e) => e instanceof NoEngineAvailableError) || engine !== undefined) {
    const code = engine !== undefined && !(error instanceof NoEngineAvailableError) ? engine.kind : 'engine_unavailable';
    return { status: engine?.kind === 'invalid_request' || engine?.kind === 'context_length' ? 422 : 502, body: errorBody(code, scrub((error as Error).message)) };
  }
  if (error instanceof SdlRuntimeError) {
    return { status: STATUS_BY_CODE[error.code] ?? 500, body: errorBody(error.code, scrub(error.message)) };
  }
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'internal';
  const status = STATUS_BY_CODE[code] ?? 500;
  // Unknown failures: the message may hold internals, so only its first line is shown.
  const message = error instanceof Error ? error.message.split('\n')[0]! : 'the run failed';
  return { status, body: errorBody(code, scrub(message)) };
}
