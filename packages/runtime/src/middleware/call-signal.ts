import type { CallContext } from './types.js';

/** Calls whose `signal` is a stand-in because the caller passed none. */
const idleSignalCalls = new WeakSet<object>();

/**
 * Records that nothing can abort `ctx.signal`: the caller passed no signal, and the context's
 * `signal` is a never-aborting stand-in made on first read. Creating an `AbortSignal` costs
 * several microseconds of CPU, so stages that would only link to it ask {@link callerMayAbort}
 * first and skip the work; those that need a signal (a retry's sleep, a rate-limit queue) read it.
 */
export function markIdleSignal(ctx: CallContext): void {
  idleSignalCalls.add(ctx);
}

/** False when nothing can abort the call's `ctx.signal` (the caller passed no signal). */
export function callerMayAbort(ctx: CallContext): boolean {
  return !idleSignalCalls.has(ctx);
}
