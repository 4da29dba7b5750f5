/**
 * How a skill's `policies:` and an engine's config `limits` combine into the settings one call
 * runs with. Rules (also in spec/middleware.md):
 * - Limits that bound resource use (attempts, delays, timeouts, budgets) take the stricter value
 *   when both the skill and the engine config set them.
 * - Rate limits are separate buckets: the engine config's `limits` bound the engine as a whole
 *   (every skill and tenant together); the skill's `rate_limit` bounds each tenant key.
 * - Anything neither sets comes from the runtime defaults below.
 */

/** `policies:` as written in a skill (snake_case, all optional). */
export interface SkillPolicies {
  retry?: { max_attempts?: number; base_ms?: number; max_ms?: number; jitter?: 'full' | 'decorrelated' | number; max_retry_after_ms?: number };
  rate_limit?: RateLimitSettings;
  timeout_ms?: number;
  circuit_breaker?: {
    mode?: 'consecutive' | 'failure_rate';
    failures?: number;
    failure_rate?: number;
    window_ms?: number;
    minimum_calls?: number;
    reset_ms?: number;
    half_open_calls?: number;
  };
  cache?: { ttl_s?: number };
  redact?: Array<string | { name: string; pattern: string }>;
  /** `max_cost_usd` is the same as `run_usd` (older spelling). */
  budget?: { run_usd?: number; session_usd?: number; max_cost_usd?: number };
}

/** Engine config `limits` (and skill `rate_limit`). */
export interface RateLimitSettings {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  /** Bucket size; defaults to the per-minute figure (a full minute of burst). */
  burst_requests?: number;
  burst_tokens?: number;
  max_queue?: number;
  queue_timeout_ms?: number;
  /** A wait for tokens longer than this is refused so the router can fail over. */
  max_wait_ms?: number;
}

/** The engine config block that the middleware reads. */
export interface EnginePolicyConfig {
  limits?: RateLimitSettings;
  timeout_ms?: number;
  retry?: SkillPolicies['retry'];
  circuit_breaker?: SkillPolicies['circuit_breaker'];
}

/** How retry delays are randomized: AWS-style `full` or `decorrelated` jitter, or `proportional` (the skill's `jitter: 0.2`). */
export type JitterMode = 'full' | 'decorrelated' | { proportional: number };

/** Retry with exponential backoff, resolved from the skill's `policies.retry` and the runtime defaults. */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  jitter: JitterMode;
  /** A server-requested wait above this fails the call (for failover) instead of waiting. */
  maxRetryAfterMs: number;
}

/** Rate limits of one bucket (an engine or a tenant), resolved: per-minute rates, concurrency, burst sizes and queue bounds. */
export interface LimitPolicy {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  burstRequests?: number;
  burstTokens?: number;
  maxQueue: number;
  queueTimeoutMs: number;
  maxWaitMs: number;
}

/** When an engine's circuit breaker opens and how it recovers, resolved from `policies.circuit_breaker` and the defaults. */
export interface BreakerPolicy {
  mode: 'consecutive' | 'failure_rate';
  /** Consecutive failures that open the breaker (consecutive mode). */
  failures: number;
  /** Failure ratio 0..1 over the window that opens it (failure_rate mode). */
  failureRate: number;
  windowMs: number;
  /** Calls the window must hold before the rate is judged. */
  minimumCalls: number;
  /** Time open before a half-open probe is let through. */
  resetMs: number;
  /** Probes allowed at once while half-open. */
  halfOpenCalls: number;
}

/** What the redaction stage scrubs from prompts: built-in kinds and the skill's own patterns. */
export interface RedactionRule {
  kinds: string[];
  custom: { name: string; pattern: string }[];
}

/** Every policy one engine call runs under, after combining the skill, the engine config and the defaults (see {@link resolvePolicies}). */
export interface ResolvedPolicies {
  retry: RetryPolicy;
  timeoutMs: number;
  engineLimits?: LimitPolicy;
  tenantLimits?: LimitPolicy;
  breaker: BreakerPolicy;
  cache?: { ttlMs: number };
  redact: RedactionRule;
  budget: { runUsd?: number; sessionUsd?: number };
}

/** The runtime's policies when neither the skill nor the engine config says otherwise (see spec/middleware.md). */
export const DEFAULT_POLICIES: ResolvedPolicies = {
  retry: { maxAttempts: 3, baseMs: 500, maxMs: 30_000, jitter: 'full', maxRetryAfterMs: 60_000 },
  timeoutMs: 60_000,
  breaker: {
    mode: 'consecutive',
    failures: 5,
    failureRate: 0.5,
    windowMs: 60_000,
    minimumCalls: 10,
    resetMs: 30_000,
    halfOpenCalls: 1,
  },
  redact: { kinds: [], custom: [] },
  budget: {},
};

const LIMIT_DEFAULTS = { maxQueue: 1000, queueTimeoutMs: 60_000, maxWaitMs: 60_000 };

function stricter(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function limitPolicy(settings: RateLimitSettings | undefined): LimitPolicy | undefined {
  if (!settings) return undefined;
  const policy: LimitPolicy = {
    maxQueue: settings.max_queue ?? LIMIT_DEFAULTS.maxQueue,
    queueTimeoutMs: settings.queue_timeout_ms ?? LIMIT_DEFAULTS.queueTimeoutMs,
    maxWaitMs: settings.max_wait_ms ?? LIMIT_DEFAULTS.maxWaitMs,
  };
  if (settings.rpm !== undefined) policy.rpm = settings.rpm;
  if (settings.tpm !== undefined) policy.tpm = settings.tpm;
  if (settings.concurrency !== undefined) policy.concurrency = settings.concurrency;
  if (settings.burst_requests !== undefined) policy.burstRequests = settings.burst_requests;
  if (settings.burst_tokens !== undefined) policy.burstTokens = settings.burst_tokens;
  if (policy.rpm === undefined && policy.tpm === undefined && policy.concurrency === undefined) return undefined;
  return policy;
}

function jitterOf(value: 'full' | 'decorrelated' | number | undefined, fallback: JitterMode): JitterMode {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return { proportional: Math.min(1, Math.max(0, value)) };
  return value;
}

/** A skill's `policies.redact` added to the default rule: built-in kinds once each, custom patterns after the defaults'. */
export function redactionRule(skill: SkillPolicies | undefined, defaults: RedactionRule = DEFAULT_POLICIES.redact): RedactionRule {
  const kinds: string[] = [...defaults.kinds];
  const custom = [...defaults.custom];
  for (const entry of skill?.redact ?? []) {
    if (typeof entry === 'string') {
      if (!kinds.includes(entry)) kinds.push(entry);
    } else custom.push({ name: entry.name, pattern: entry.pattern });
  }
  return { kinds, custom };
}

/** Combines a skill's policies with the engine config and the runtime defaults. */
export function resolvePolicies(
  skill: SkillPolicies | undefined,
  engine: EnginePolicyConfig | undefined,
  defaults: ResolvedPolicies = DEFAULT_POLICIES,
): ResolvedPolicies {
  const sr = skill?.retry ?? {};
  const er = engine?.retry ?? {};
  const retry: RetryPolicy = {
    maxAttempts: stricter(sr.max_attempts, er.max_attempts) ?? defaults.retry.maxAttempts,
    baseMs: sr.base_ms ?? er.base_ms ?? defaults.retry.baseMs,
    maxMs: stricter(sr.max_ms, er.max_ms) ?? defaults.retry.maxMs,
    jitter: jitterOf(sr.jitter ?? er.jitter, defaults.retry.jitter),
    maxRetryAfterMs: stricter(sr.max_retry_after_ms, er.max_retry_after_ms) ?? defaults.retry.maxRetryAfterMs,
  };
  const sb = skill?.circuit_breaker ?? {};
  const eb = engine?.circuit_breaker ?? {};
  const breaker: BreakerPolicy = {
    mode: sb.mode ?? eb.mode ?? defaults.breaker.mode,
    failures: stricter(sb.failures, eb.failures) ?? defaults.breaker.failures,
    failureRate: stricter(sb.failure_rate, eb.failure_rate) ?? defaults.breaker.failureRate,
    windowMs: sb.window_ms ?? eb.window_ms ?? defaults.breaker.windowMs,
    minimumCalls: sb.minimum_calls ?? eb.minimum_calls ?? defaults.breaker.minimumCalls,
    resetMs: sb.reset_ms ?? eb.reset_ms ?? defaults.breaker.resetMs,
    halfOpenCalls: sb.half_open_calls ?? eb.half_open_calls ?? defaults.breaker.halfOpenCalls,
  };
  const resolved: ResolvedPolicies = {
    retry,
    timeoutMs: stricter(skill?.timeout_ms, engine?.timeout_ms) ?? defaults.timeoutMs,
    breaker,
    redact: redactionRule(skill, defaults.redact),
    budget: { ...defaults.budget },
  };
  const engineLimits = limitPolicy(engine?.limits) ?? defaults.engineLimits;
  if (engineLimits) resolved.engineLimits = engineLimits;
  const tenantLimits = limitPolicy(skill?.rate_limit) ?? defaults.tenantLimits;
  if (tenantLimits) resolved.tenantLimits = tenantLimits;
  if (skill?.cache?.ttl_s !== undefined) resolved.cache = { ttlMs: skill.cache.ttl_s * 1000 };
  else if (defaults.cache) resolved.cache = defaults.cache;
  const runUsd = skill?.budget?.run_usd ?? skill?.budget?.max_cost_usd;
  if (runUsd !== undefined) resolved.budget.runUsd = stricter(runUsd, defaults.budget.runUsd);
  if (skill?.budget?.session_usd !== undefined)
    resolved.budget.sessionUsd = stricter(skill.budget.session_usd, defaults.budget.sessionUsd);
  return resolved;
}
