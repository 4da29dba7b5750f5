import { watchSends } from '@sdl/adapters';
import { estimateInputTokens, estimateOutputTokens } from '../observability/cost.js';
import type { LimitPolicy } from './policies.js';
import type { RateLimiter, RateLimitLease } from './rate-limiter.js';
import { tapStream } from './stream.js';
import { withTraits } from './stage-traits.js';
import type { CallContext, CallResult, Middleware, Next } from './types.js';

/**
 * Takes a slot from the engine-wide limiter (engine config `limits`) and then from the tenant's
 * (skill `rate_limit`, keyed by tenant and engine) before the call goes on; estimates tokens
 * from the request up front and reconciles with the reported usage afterwards. Slots are held
 * until a stream ends. The adapter is warmed up (its SDK loaded, one request rehearsed on a loopback
 * server) before a slot is taken, so that a granted call goes out at once: otherwise every call granted
 * while the first import ran reached the provider in one clump, above the limit (bench and
 * test/batch-e2e.test.ts measured 98–109 requests in the first second against 90 allowed). A lease
 * that asks to hear of the send (`sent`: a grant from the full bucket, whose refill clock waits for it)
 * is told when the call's first HTTP request is written to its socket ({@link watchSends}).
 */
export function rateLimitMiddleware(limiter: RateLimiter): Middleware {
  // Not async itself: a call without limits passes straight through, without a promise of its own.
  const middleware: Middleware = (ctx, next) => (ctx.policies.engineLimits || ctx.policies.tenantLimits ? limited(limiter, ctx, next) : next());
  // It reads the caller's signal (a queue wait), never the attempt's.
  return withTraits(middleware, { idle: (p) => !p.engineLimits && !p.tenantLimits, signalBlind: true });
}

async function limited(limiter: RateLimiter, ctx: CallContext, next: Next): Promise<CallResult> {
  const { engineLimits, tenantLimits } = ctx.policies;
  const estimate = estimateInputTokens(ctx.request) + estimateOutputTokens(ctx.request);
  const warming = ctx.adapter.warmUp?.();
  if (warming !== undefined) await warming;
  const leases: RateLimitLease[] = [];
  const releaseAll = async () => {
    await Promise.all(leases.map((l) => l.release()));
  };
  try {
    if (engineLimits) leases.push(await take(ctx, limiter, 'engine', `engine:${ctx.engine}`, engineLimits, estimate));
    if (tenantLimits) leases.push(await take(ctx, limiter, 'tenant', `tenant:${ctx.tenant}:${ctx.engine}`, tenantLimits, estimate));
  } catch (error) {
    await releaseAll();
    throw error;
  }
  let result;
  try {
    result = await (leases.some((l) => l.sent) ? watchSends(onceSent(leases), next) : next());
  } catch (error) {
    await releaseAll();
    throw error;
  }
  const settle = async (usage: { inputTokens: number; outputTokens: number } | undefined) => {
    if (usage) await Promise.all(leases.map((l) => l.reconcile(usage.inputTokens + usage.outputTokens)));
  };
  if (result.kind === 'response') {
    await settle(result.response.usage).finally(releaseAll);
    return result;
  }
  return {
    ...result,
    events: tapStream(result.events, { onComplete: (r) => settle(r?.usage), onFinally: releaseAll }),
  };
}

/** Tells the leases that wait for it when the call's first request went out (retries behind the limiter send again). */
function onceSent(leases: readonly RateLimitLease[]): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const lease of leases) lease.sent?.();
  };
}

async function take(
  ctx: CallContext,
  limiter: RateLimiter,
  scope: 'engine' | 'tenant',
  key: string,
  limits: LimitPolicy,
  tokens: number,
): Promise<RateLimitLease> {
  const gauge = ctx.metrics?.limiterQueueDepth.labels({ engine: ctx.engine, scope });
  let queued = false;
  try {
    return await limiter.acquire({
      key,
      limits,
      tokens,
      signal: ctx.signal,
      onQueued: (depth) => {
        queued = true;
        gauge?.inc();
        ctx.emit({ type: 'rate-limit-wait', engine: ctx.engine, scope, key, queued: depth });
      },
    });
  } finally {
    if (queued) gauge?.dec();
  }
}
