import { EngineError, markDeadlineSignal } from '@sdl/adapters';
import { copyWith } from '../run/copy-with.js';
import { systemClock } from '../time/clock.js';
import { callerMayAbort, isHopRequest } from './call-signal.js';
import { abortError, isContentEvent, StreamInterruptedError } from './stream.js';
import { traitsOf, withTraits } from './stage-traits.js';
import type { CallContext, CallResult, Middleware, Terminal } from './types.js';

/** Resolves or rejects with `promise`, or rejects when `signal` aborts first. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, provider: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal, provider));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, provider));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * One attempt's abort: its own signal (handed to the adapter), fired by the attempt's timer or
 * by the caller's signal. It rejects the pending wait directly when it fires, rather than
 * through a listener on its own signal, and listens to the caller's signal as an
 * `EventListener` object, so an attempt allocates no listener closures.
 */
class AttemptAbort {
  readonly controller = new AbortController();
  private rejectWait: ((error: unknown) => void) | undefined;
  private readonly linked: boolean;
  private readonly cancelTimer: () => void;

  constructor(
    private readonly ctx: CallContext,
    budget: number,
  ) {
    // On the real clock the adapter can rely on this signal for the same deadline instead of
    // arming its own (on a test clock its real-time deadline is the only one that passes).
    if (ctx.clock === systemClock) markDeadlineSignal(this.controller.signal, Date.now() + Math.max(0, budget));
    this.linked = callerMayAbort(ctx);
    if (this.linked) ctx.signal.addEventListener('abort', this, { once: true });
    this.cancelTimer = ctx.clock.setTimer(Math.max(0, budget), () =>
      this.abort(
        new EngineError('timeout', `engine "${ctx.engine}" did not answer within ${Math.max(0, Math.round(budget))} ms`, {
          provider: ctx.provider,
        }),
      ),
    );
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.abort(this.ctx.signal.reason);
  }

  private abort(reason: unknown): void {
    this.controller.abort(reason);
    const reject = this.rejectWait;
    this.rejectWait = undefined;
    reject?.(abortError(this.controller.signal, this.ctx.provider));
  }

  /** Resolves or rejects with `promise`, or rejects when this attempt is aborted first. */
  race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) return Promise.reject(abortError(signal, this.ctx.provider));
    return new Promise<T>((resolve, reject) => {
      this.rejectWait = reject;
      promise.then(
        (v) => {
          if (this.rejectWait === reject) this.rejectWait = undefined;
          resolve(v);
        },
        (e: unknown) => {
          if (this.rejectWait === reject) this.rejectWait = undefined;
          reject(e);
        },
      );
    });
  }

  cleanup(): void {
    this.cancelTimer();
    if (this.linked) this.ctx.signal.removeEventListener('abort', this);
  }
}

/**
 * Bounds each attempt by `timeout_ms` (and by the call's deadline): the attempt gets its own
 * AbortSignal, passed to the adapter, which fires with EngineError('timeout'). The caller's
 * signal is linked in. For a stream the timer runs until the stream ends.
 */
export function timeoutMiddleware(): Middleware {
  return withTraits(attemptTimeout, {
    // With only stages inside that never read the attempt's signal, an adapter that enforces
    // `timeoutMs` itself keeps the one deadline of the call: no second timer, signal or race.
    // With only built-in stages outside as well, the first attempt writes its budget into the router's copy of the request.
    specialize: (inner, outer) =>
      !inner.every((m) => traitsOf(m)?.signalBlind) ? attemptTimeout : outer.every((m) => traitsOf(m) !== undefined) ? adapterDeadlineInPlace : adapterDeadline,
    passesContext: true,
  });
}

/**
 * The timeout stage when the adapter enforces `request.timeoutMs` on its own (see
 * `EngineAdapter.enforcesTimeout`) and the call runs on the real clock: it hands the adapter the
 * attempt's budget and the caller's signal (already on the request), and the adapter's deadline
 * ends the call with EngineError('timeout'); otherwise it is the full stage.
 */
const deadlineStage = (mayWriteHopRequest: boolean): Middleware =>
  withTraits(
    (ctx, next: Terminal): Promise<CallResult> => {
      const budget = attemptBudget(ctx);
      if (ctx.adapter.enforcesTimeout !== true || ctx.clock !== systemClock || !(budget >= 1) || ctx.request.signal !== (callerMayAbort(ctx) ? ctx.signal : undefined)) {
        return attemptTimeout(ctx, next);
      }
      if (ctx.request.signal?.aborted) return Promise.reject(abortError(ctx.request.signal, ctx.provider));
      // A later attempt copies: the adapter may keep the request of the first.
      if (mayWriteHopRequest && ctx.attempt <= 1 && isHopRequest(ctx)) ctx.request.timeoutMs = Math.round(budget);
      else ctx.request = copyWith(ctx.request, 'timeoutMs', Math.round(budget));
      return next(ctx);
    },
    { passesContext: true },
  );
const adapterDeadline = deadlineStage(false);
/** {@link adapterDeadline} when every stage outside the timeout stage is built-in (see `isHopRequest`). */
const adapterDeadlineInPlace = deadlineStage(true);

/** An attempt's budget: `timeout_ms`, and no more than what is left before the call's deadline (the clock is not read when there is none). */
function attemptBudget(ctx: CallContext): number {
  const timeoutMs = ctx.policies.timeoutMs;
  return ctx.deadline === Number.POSITIVE_INFINITY ? timeoutMs : Math.min(timeoutMs, ctx.deadline - ctx.clock.now());
}

/** The full stage: each attempt gets its own signal and timer, and the wait is raced against them (its traits are timeoutMiddleware's). */
const attemptTimeout = async (ctx: CallContext, next: Terminal): Promise<CallResult> => {
  const budget = attemptBudget(ctx);
  if (callerMayAbort(ctx) && ctx.signal.aborted) throw abortError(ctx.signal, ctx.provider);
  const attempt = new AttemptAbort(ctx, budget);
  ctx.request = copyWith(ctx.request, 'signal', attempt.controller.signal);
  ctx.request.timeoutMs = Math.max(1, Math.round(budget));
  let result;
  try {
    result = await attempt.race(next(ctx));
  } catch (error) {
    attempt.cleanup();
    throw error;
  }
  if (result.kind === 'response') {
    attempt.cleanup();
    return result;
  }
  const events = result.events;
  return {
    ...result,
    events: (async function* () {
      const iterator = events[Symbol.asyncIterator]();
      let delivered = '';
      let started = false;
      try {
        for (;;) {
          let step: IteratorResult<(typeof result)['events'] extends AsyncIterable<infer E> ? E : never>;
          try {
            step = await attempt.race(iterator.next());
          } catch (error) {
            if (started && !(error instanceof StreamInterruptedError)) throw new StreamInterruptedError(ctx.engine, delivered, error);
            throw error;
          }
          if (step.done) return;
          if (isContentEvent(step.value)) started = true;
          if (step.value.type === 'text-delta') delivered += step.value.text;
          yield step.value;
        }
      } finally {
        attempt.cleanup();
        // Not awaited: an adapter that ignores the abort must not hang the consumer.
        void Promise.resolve(iterator.return?.()).catch(() => {});
      }
    })(),
  };
};
