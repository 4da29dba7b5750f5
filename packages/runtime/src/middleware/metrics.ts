import { tapStream, engineErrorOf } from './stream.js';
import type { RuntimeMetrics } from '../observability/metrics.js';
import { withTraits } from './stage-traits.js';
import type { CallContext, CallResult, Middleware, Terminal } from './types.js';

/**
 * Innermost built-in, one observation per attempt: duration by engine, model and outcome
 * (`ok` or the error kind), errors by kind, tokens in and out.
 */
export function metricsMiddleware(): Middleware {
  // Not async itself: without metrics the call passes straight through, without a promise of its own.
  return withTraits((ctx, next: Terminal) => (ctx.metrics ? observed(ctx.metrics, ctx, next) : next(ctx)), { signalBlind: true, passesContext: true });
}

async function observed(metrics: RuntimeMetrics, ctx: CallContext, next: Terminal): Promise<CallResult> {
  const started = ctx.clock.now();
  const observe = (outcome: string) =>
    metrics.callDuration.observe({ engine: ctx.engine, model: ctx.model, outcome }, (ctx.clock.now() - started) / 1000);
  const fail = (error: unknown) => {
    const kind = engineErrorOf(error)?.kind ?? 'other';
    metrics.errors.inc({ engine: ctx.engine, kind });
    observe(kind);
    ctx.logger.warn('engine call failed', { engine: ctx.engine, model: ctx.model, attempt: ctx.attempt, kind, error });
  };
  let result;
  try {
    result = await next(ctx);
  } catch (error) {
    fail(error);
    throw error;
  }
  if (result.kind === 'response') {
    tokens(ctx, result.response.usage);
    observe('ok');
    return result;
  }
  return {
    ...result,
    events: tapStream(result.events, {
      onComplete: (response) => {
        if (response) tokens(ctx, response.usage);
        observe('ok');
      },
      onError: fail,
    }),
  };
}

function tokens(ctx: CallContext, usage: { inputTokens: number; outputTokens: number }): void {
  ctx.metrics?.tokens.inc({ engine: ctx.engine, model: ctx.model, direction: 'in' }, usage.inputTokens);
  ctx.metrics?.tokens.inc({ engine: ctx.engine, model: ctx.model, direction: 'out' }, usage.outputTokens);
}
