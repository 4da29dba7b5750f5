import type { ResolvedPolicies } from './policies.js';
import type { Middleware } from './types.js';

/**
 * What the chain may know about a built-in stage when it composes (host middleware has none, so
 * it always runs and is assumed to read everything):
 * - `idle`: the stage has nothing to do for calls under these policies, so the chain composed for
 *   them leaves it out instead of calling through it.
 * - `signalBlind`: the stage never reads `ctx.signal` or `ctx.request.signal`.
 * - `specialize`: given the stages composed inside it (and those outside it, outermost first), a
 *   cheaper equivalent of the stage.
 * - `passesContext`: the stage calls `next` only as `next(ctx)` with its own `ctx`, so the chain
 *   hands it the composition inside it as `next` instead of a closure over `ctx` made per call.
 */
export interface StageTraits {
  idle?(policies: ResolvedPolicies): boolean;
  signalBlind?: boolean;
  specialize?(inner: readonly Middleware[], outer: readonly Middleware[]): Middleware;
  passesContext?: boolean;
}

const traits = new WeakMap<Middleware, StageTraits>();

/** Declares `middleware`'s traits; returns it. */
export function withTraits(middleware: Middleware, stageTraits: StageTraits): Middleware {
  traits.set(middleware, stageTraits);
  return middleware;
}

/** The traits declared for `middleware` (none for host middleware). */
export function traitsOf(middleware: Middleware): StageTraits | undefined {
  return traits.get(middleware);
}
