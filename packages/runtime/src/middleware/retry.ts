import { isEngineError, type EngineError } from '@sdl/adapters';
import type { RetryPolicy } from './policies.js';
import { withTraits } from './stage-traits.js';
import type { AttemptObserver, CallContext, CallResult, Middleware, Terminal } from './types.js';

/**
 * Backoff before retry number `retry` (1 = the first retry), AWS Architecture Blog
 * "Exponential Backoff and Jitter" formulas, as Polly and the AWS SDKs use them:
 * - full (default): random(0, min(maxMs, baseMs * 2^(retry-1)))
 * - decorrelated: min(maxMs, random(baseMs, previous * 3))
 * - proportional (the skill gave a number j): exp * (1 - j + random * j)
 */
export function backoffDelay(policy: RetryPolicy, retry: number, previousMs: number, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  const jitter = policy.jitter;
  if (jitter === 'full') return Math.floor(random() * exp);
  if (jitter === 'decorrelated') {
    const upper = Math.max(policy.baseMs, (previousMs || policy.baseMs) * 3);
    return Math.floor(Math.min(policy.maxMs, policy.baseMs + random() * (upper - policy.baseMs)));
  }
  return Math.floor(exp * (1 - jitter.proportional + random() * jitter.proportional));
}

/** Options of {@link retryMiddleware}. */
export interface RetryOptions {
  /** Source of randomness for jitter (tests pass a fixed one). */
  random?: () => number;
}

/**
 * Retries retryable EngineErrors (RETRYABLE_KINDS) with exponential backoff and jitter, up to
 * `maxAttempts`, never past the call's deadline. A server-sent wait (`retryAfterMs`, from
 * `retry-after-ms`, `retry-after` or a reset header) replaces the backoff when longer; when it
 * exceeds `maxRetryAfterMs`, or would end after the deadline, the error is thrown at once so the
 * router can fail over instead of waiting. Streams are retried only while nothing has reached
 * the caller (the adapter terminal primes them), so text is never duplicated.
 */
export function retryMiddleware(options: RetryOptions = {}): Middleware {
  const random = options.random ?? Math.random;
  // Not async itself: a first attempt that answers passes through one `then`, traced or not (an
  // async frame per call cost more than the stage's own work; see bench/README.md, http, and
  // tracing-share.ts: -0.4 KB and a promise per traced call).
  const middleware = (ctx: CallContext, next: Terminal): Promise<CallResult> => {
    ctx.attempt = 1;
    const observed = ctx.observer?.attempt(1);
    let first: Promise<CallResult>;
    try {
      first = observed === undefined ? next(ctx) : observed.run(() => next(ctx));
    } catch (error) {
      first = Promise.reject(error);
    }
    if (observed === undefined) return first.then(undefined, (error: unknown) => afterFirstFailure(ctx, next, random, error));
    return first.then(
      (result) => {
        observed.end();
        return result;
      },
      (error: unknown) => afterFirstFailure(ctx, next, random, error, observed),
    );
  };
  // One attempt allowed: nothing to retry. It reads the caller's signal (its sleeps), never the attempt's.
  return withTraits(middleware, { idle: (p) => p.retry.maxAttempts <= 1, signalBlind: true, passesContext: true });
}

/** Attempts from `attempt` on, each traced when the call is, until one answers or the error is final. */
async function attempts(ctx: CallContext, next: Terminal, random: () => number, attempt: number, previousDelay: number): Promise<CallResult> {
  const policy = ctx.policies.retry;
  for (; ; attempt++) {
    ctx.attempt = attempt;
    const observed = ctx.observer?.attempt(attempt);
    try {
      const result = await (observed === undefined ? next(ctx) : observed.run(() => next(ctx)));
      observed?.end();
      return result;
    } catch (error) {
      const delay = retryDelay(ctx, error, policy, attempt, previousDelay, random);
      observed?.end(error, delay);
      if (delay === undefined || !isEngineError(error)) throw error;
      previousDelay = delay;
      await backOff(ctx, error, attempt, delay);
    }
  }
}

/** The first attempt failed with `error` (`observed`: its trace, when traced): thrown on when final, else the next attempts after the backoff. */
async function afterFirstFailure(ctx: CallContext, next: Terminal, random: () => number, error: unknown, observed?: AttemptObserver): Promise<CallResult> {
  const delay = retryDelay(ctx, error, ctx.policies.retry, 1, 0, random);
  observed?.end(error, delay);
  if (delay === undefined || !isEngineError(error)) throw error;
  await backOff(ctx, error, 1, delay);
  return attempts(ctx, next, random, 2, delay);
}

/** Reports the retry after failed attempt `attempt` and waits `delay` ms (ended early by the caller's signal). */
async function backOff(ctx: CallContext, error: EngineError, attempt: number, delay: number): Promise<void> {
  ctx.metrics?.retries.inc({ engine: ctx.engine });
  ctx.emit({ type: 'retry', engine: ctx.engine, attempt: attempt + 1, delayMs: delay, errorKind: error.kind, message: error.message });
  ctx.logger.info('retrying engine call', { engine: ctx.engine, attempt: attempt + 1, delayMs: delay, kind: error.kind });
  await ctx.clock.sleep(delay, ctx.signal);
}

/** The wait before the next attempt after `error`, or undefined when there is none (thrown at once). */
function retryDelay(ctx: CallContext, error: unknown, policy: RetryPolicy, attempt: number, previous: number, random: () => number): number | undefined {
  if (!isEngineError(error) || !error.retryable || ctx.signal.aborted) return undefined;
  if (attempt >= policy.maxAttempts) return undefined;
  const delay = delayFor(error, policy, attempt, previous, random);
  if (delay === undefined || ctx.clock.now() + delay >= ctx.deadline) return undefined;
  return delay;
}

function delayFor(error: EngineError, policy: RetryPolicy, attempt: number, previous: number, random: () => number) {
  const backoff = backoffDelay(policy, attempt, previous, random);
  if (error.retryAfterMs === undefined) return backoff;
  if (error.retryAfterMs > policy.maxRetryAfterMs) return undefined;
  return Math.max(backoff, error.retryAfterMs);
}
