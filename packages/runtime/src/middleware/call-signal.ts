import type { CallContext } from './types.js';

/**
 * Set (true) on a call context whose `signal` is a stand-in because the caller passed none. A
 * property of the context rather than a WeakSet entry: adding every short-lived
 * context to a WeakSet cost more than the stages that ask.
 */
export const IDLE_SIGNAL: unique symbol = Symbol('sdl.idleSignal');

/**
 * Records that nothing can abort `ctx.signal`: the caller passed no signal, and the context's
 * `signal` is a never-aborting stand-in made on first read. Creating an `AbortSignal` costs
 * several microseconds of CPU, so stages that would only link to it ask {@link callerMayAbort}
 * first and skip the work; those that need a signal (a retry's sleep, a rate-limit queue) read it.
 * (The router's `RoutedCallContext` sets {@link IDLE_SIGNAL} in its constructor instead, keeping its shape.)
 */
export function markIdleSignal(ctx: CallContext): void {
  (ctx as { [IDLE_SIGNAL]?: boolean })[IDLE_SIGNAL] = true;
}

/** False when nothing can abort the call's `ctx.signal` (the caller passed no signal). */
export function callerMayAbort(ctx: CallContext): boolean {
  return (ctx as { [IDLE_SIGNAL]?: boolean })[IDLE_SIGNAL] !== true;
}

/**
 * Set on a routed call's context to the request the router made for the hop: a copy that nothing
 * outside the chain holds, so a stage whose outer stages are all built-in (none keeps the request)
 * may write into it before its first attempt instead of copying it again.
 */
export const HOP_REQUEST: unique symbol = Symbol('sdl.hopRequest');

/** True when `ctx.request` is still the router's own copy for this hop (see {@link HOP_REQUEST}). */
export function isHopRequest(ctx: CallContext): boolean {
  return (ctx as { [HOP_REQUEST]?: unknown })[HOP_REQUEST] === ctx.request;
}
