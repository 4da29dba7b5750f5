import { EngineError } from '@sdl/adapters';
import { abortError, isContentEvent, StreamInterruptedError } from './stream.js';
import type { Middleware } from './types.js';

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
 * Bounds each attempt by `timeout_ms` (and by the call's deadline): the attempt gets its own
 * AbortSignal, passed to the adapter, which fires with EngineError('timeout'). The caller's
 * signal is linked in. For a stream the timer runs until the stream ends.
 */
export function timeoutMiddleware(): Middleware {
  return async (ctx, next) => {
    const budget = Math.min(ctx.policies.timeoutMs, ctx.deadline - ctx.clock.now());
    const controller = new AbortController();
    const onParentAbort = () => controller.abort(ctx.signal.reason);
    if (ctx.signal.aborted) throw abortError(ctx.signal, ctx.provider);
    ctx.signal.addEventListener('abort', onParentAbort, { once: true });
    const cancelTimer = ctx.clock.setTimer(Math.max(0, budget), () =>
      controller.abort(
        new EngineError('timeout', `engine "${ctx.engine}" did not answer within ${Math.max(0, Math.round(budget))} ms`, {
          provider: ctx.provider,
        }),
      ),
    );
    const cleanup = () => {
      cancelTimer();
      ctx.signal.removeEventListener('abort', onParentAbort);
    };
    ctx.request = { ...ctx.request, signal: controller.signal, timeoutMs: Math.max(1, Math.round(budget)) };
    let result;
    try {
      result = await raceAbort(next(), controller.signal, ctx.provider);
    } catch (error) {
      cleanup();
      throw error;
    }
    if (result.kind === 'response') {
      cleanup();
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
              step = await raceAbort(iterator.next(), controller.signal, ctx.provider);
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
          cleanup();
          // Not awaited: an adapter that ignores the abort must not hang the consumer.
          void Promise.resolve(iterator.return?.()).catch(() => {});
        }
      })(),
    };
  };
}
