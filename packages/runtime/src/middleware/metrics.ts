import { tapStream, engineErrorOf } from './stream.js';
import type { CallContext, Middleware } from './types.js';

/**
 * Innermost built-in, one observation per attempt: duration by engine, model and outcome
 * (`ok` or the error kind), errors by kind, tokens in and out.
 */
export function metricsMiddleware(): Middleware {
  return async (ctx, next) => {
    const metrics = ctx.metrics;
    if (!metrics) return next();
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
      result = await next();
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
  };
}

function tokens(ctx: CallContext, usage: { inputTokens: number; outputTokens: number }): void {
  ctx.metrics?.tokens.inc({ engine: ctx.engine, model: ctx.model, direction: 'in' }, usage.inputTokens);
  ctx.metrics?.tokens.inc({ engine: ctx.engine, model: ctx.model, direction: 'out' }, usage.outputTokens);
}
