import type { CostTracker } from '../observability/cost.js';
import { budgetMiddleware } from './budget.js';
import { cacheMiddleware, type ResponseCache } from './cache.js';
import { MiddlewareChain, type NamedMiddleware } from './chain.js';
import { circuitBreakerMiddleware, type CircuitBreakers } from './circuit-breaker.js';
import { metricsMiddleware } from './metrics.js';
import { rateLimitMiddleware } from './rate-limit.js';
import type { RateLimiter } from './rate-limiter.js';
import { redactionMiddleware } from './redaction.js';
import { retryMiddleware } from './retry.js';
import { timeoutMiddleware } from './timeout.js';

/** What {@link createDefaultChain} wires into the built-in stages (shared across the runtime's calls). */
export interface DefaultChainDeps {
  breakers: CircuitBreakers;
  limiter: RateLimiter;
  /** Without a cache store the cache stage is left out. */
  cache?: ResponseCache;
  /** Without a cost tracker the budget stage is left out. */
  costs?: CostTracker;
  /** Source of randomness for retry jitter (tests pass a fixed one); default `Math.random`. */
  random?: () => number;
}

/**
 * The documented default order: redaction -> cache -> budget -> rate limit -> circuit breaker ->
 * retry -> timeout -> metrics -> adapter (see spec/middleware.md).
 */
export function createDefaultChain(deps: DefaultChainDeps): MiddlewareChain {
  const stages: NamedMiddleware[] = [{ name: 'redaction', middleware: redactionMiddleware() }];
  if (deps.cache) stages.push({ name: 'cache', middleware: cacheMiddleware(deps.cache) });
  if (deps.costs) stages.push({ name: 'budget', middleware: budgetMiddleware(deps.costs) });
  stages.push(
    { name: 'rate-limit', middleware: rateLimitMiddleware(deps.limiter) },
    { name: 'circuit-breaker', middleware: circuitBreakerMiddleware(deps.breakers) },
    { name: 'retry', middleware: retryMiddleware(deps.random ? { random: deps.random } : {}) },
    { name: 'timeout', middleware: timeoutMiddleware() },
    { name: 'metrics', middleware: metricsMiddleware() },
  );
  return new MiddlewareChain(stages);
}
