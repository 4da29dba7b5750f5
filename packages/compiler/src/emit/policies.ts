import { isRecord } from '../check/context.js';
import type { Json } from './ir-types.js';

const or = <T>(v: unknown, fallback: T): T | Json => (v === undefined ? fallback : (v as Json));

/**
 * `policies:` in the IR's normalized form (spec/ir.md "Policies"): all seven members present,
 * `null` for what the skill did not set, a set mapping with its own defaults filled in.
 */
export function normalizePolicies(value: unknown): Record<string, Json> {
  const p = isRecord(value) ? value : {};
  const sub = (key: string): Record<string, unknown> | undefined => (isRecord(p[key]) ? p[key] : undefined);
  const retry = sub('retry');
  const rate = sub('rate_limit');
  const breaker = sub('circuit_breaker');
  const cache = sub('cache');
  const budget = sub('budget');
  // Members in sorted order, as the IR's canonical JSON orders them (the emitter then keeps the object as it is).
  return {
    budget: budget ? { max_cost_usd: or(budget.max_cost_usd, null), max_tokens: or(budget.max_tokens, null) } : null,
    cache: cache ? { ttl_s: or(cache.ttl_s, null) } : null,
    circuit_breaker: breaker ? { failures: or(breaker.failures, 5), reset_ms: or(breaker.reset_ms, 30000) } : null,
    rate_limit: rate ? { concurrency: or(rate.concurrency, null), rpm: or(rate.rpm, null), tpm: or(rate.tpm, null) } : null,
    redact: (Array.isArray(p.redact) ? p.redact : []).map((r): Json =>
      typeof r === 'string' ? { kind: 'builtin', name: r } : { kind: 'pattern', name: String((r as Record<string, unknown>).name), pattern: String((r as Record<string, unknown>).pattern) }),
    retry: retry ? { base_ms: or(retry.base_ms, 500), jitter: or(retry.jitter, 0.2), max_attempts: or(retry.max_attempts, 3), max_ms: or(retry.max_ms, 30000) } : null,
    timeout_ms: or(p.timeout_ms, null),
  };
}
