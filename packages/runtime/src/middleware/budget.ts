import type { CostTracker } from '../observability/cost.js';
import { tapStream } from './stream.js';
import { withTraits } from './stage-traits.js';
import type { CallContext, Middleware } from './types.js';

/**
 * Refuses a call whose estimated cost would take its run or session over budget (before
 * anything is sent), then records the real usage and cost of the call.
 */
export function budgetMiddleware(costs: CostTracker): Middleware {
  return withTraits(async (ctx, next) => {
    const { budget } = ctx.policies;
    const scope: { runId?: string; sessionId?: string } = {};
    if (ctx.runId !== undefined) scope.runId = ctx.runId;
    if (ctx.sessionId !== undefined) scope.sessionId = ctx.sessionId;
    if (budget.runUsd !== undefined || budget.sessionUsd !== undefined) {
      costs.check(scope, budget, costs.estimate(ctx.provider, ctx.request));
    }
    const result = await next();
    if (result.cached) return result;
    if (result.kind === 'response') {
      record(ctx, costs, scope, result.response.usage);
      return result;
    }
    return {
      ...result,
      events: tapStream(result.events, { onComplete: (r) => (r ? record(ctx, costs, scope, r.usage) : undefined) }),
    };
  }, { signalBlind: true });
}

function record(
  ctx: CallContext,
  costs: CostTracker,
  scope: { runId?: string; sessionId?: string },
  usage: { inputTokens: number; outputTokens: number },
): void {
  const usd = costs.record({ ...scope, engine: ctx.engine, provider: ctx.provider, model: ctx.model, usage });
  if (usd !== undefined) ctx.metrics?.cost.inc({ engine: ctx.engine, model: ctx.model }, usd);
}
