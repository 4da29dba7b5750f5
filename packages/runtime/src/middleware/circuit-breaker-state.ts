import type { BreakerPolicy } from './policies.js';
import type { BreakerStateName } from './types.js';

/**
 * A breaker's state as plain data, so the same transition functions run in memory and against
 * Redis (where the record is read, changed and written back in one optimistic transaction).
 */
export interface BreakerRecord {
  state: BreakerStateName;
  consecutiveFailures: number;
  openedAt: number;
  halfOpenInFlight: number;
  /** Outcome counts in time buckets (a tenth of the window each), oldest first. */
  buckets: { start: number; ok: number; failed: number }[];
}

/** How one call counts for a breaker; `ignored` errors (quota, bad request) neither open nor close it. */
export type BreakerOutcome = 'success' | 'failure' | 'ignored';

/** The record of a fresh breaker: closed, no failures, no history. */
export function closedRecord(): BreakerRecord {
  return { state: 'closed', consecutiveFailures: 0, openedAt: 0, halfOpenInFlight: 0, buckets: [] };
}

/** The breaker's answer to one call: allowed or refused, and the state change it caused. */
export interface Admission {
  allowed: boolean;
  /** This call is a half-open probe; its result decides the next state. */
  probe: boolean;
  from: BreakerStateName;
  to: BreakerStateName;
  /** When refused: how long until a probe may go through. */
  retryInMs: number;
}

/** A closed breaker's admission and a closed breaker kept closed: the common answers, one object each instead of one per call. */
const ADMITTED_CLOSED: Admission = Object.freeze({ allowed: true, probe: false, from: 'closed', to: 'closed', retryInMs: 0 });
const KEPT_CLOSED = Object.freeze({ from: 'closed', to: 'closed' } as const);

/**
 * The time (epoch ms) for a transition: given as a number, or as a function read only when a
 * transition needs it (a closed breaker's admission and a success on it in consecutive mode do not,
 * so the middleware then reads no clock and boxes no number per call).
 */
export type BreakerNow = number | (() => number);

const timeOf = (now: BreakerNow): number => (typeof now === 'number' ? now : now());

/** Open -> half-open after the reset time; admits half-open probes up to the limit. */
export function admit(record: BreakerRecord, policy: BreakerPolicy, now: BreakerNow): Admission {
  const from = record.state;
  if (record.state === 'open') {
    const time = timeOf(now);
    if (time - record.openedAt < policy.resetMs) return { allowed: false, probe: false, from, to: 'open', retryInMs: record.openedAt + policy.resetMs - time };
    record.state = 'half-open';
    record.halfOpenInFlight = 0;
  }
  if (record.state === 'half-open') {
    if (record.halfOpenInFlight >= policy.halfOpenCalls) return { allowed: false, probe: false, from, to: 'half-open', retryInMs: 0 };
    record.halfOpenInFlight++;
    return { allowed: true, probe: true, from, to: 'half-open', retryInMs: 0 };
  }
  return from === 'closed' ? ADMITTED_CLOSED : { allowed: true, probe: false, from, to: 'closed', retryInMs: 0 };
}

function prune(record: BreakerRecord, policy: BreakerPolicy, now: number): void {
  record.buckets = record.buckets.filter((b) => b.start > now - policy.windowMs);
}

function trip(record: BreakerRecord, now: number): void {
  record.state = 'open';
  record.openedAt = now;
  record.halfOpenInFlight = 0;
}

/** Applies one call's outcome; returns the state before and after. */
export function recordOutcome(
  record: BreakerRecord,
  policy: BreakerPolicy,
  now: BreakerNow,
  outcome: BreakerOutcome,
  probe: boolean,
): { from: BreakerStateName; to: BreakerStateName } {
  const from = record.state;
  // Read once in failure-rate mode (the window needs it); otherwise only when the breaker trips.
  const windowTime = policy.mode === 'failure_rate' && outcome !== 'ignored' ? timeOf(now) : undefined;
  if (probe && record.state === 'half-open') record.halfOpenInFlight = Math.max(0, record.halfOpenInFlight - 1);
  if (outcome === 'ignored') return { from, to: record.state };
  // The window is kept only in failure-rate mode: in consecutive mode a success on a healthy
  // breaker then changes nothing, so a shared (Redis) store need not write.
  if (windowTime !== undefined) {
    prune(record, policy, windowTime);
    const bucketMs = Math.max(1, Math.floor(policy.windowMs / 10));
    const start = windowTime - (windowTime % bucketMs);
    let bucket = record.buckets[record.buckets.length - 1];
    if (!bucket || bucket.start !== start) {
      bucket = { start, ok: 0, failed: 0 };
      record.buckets.push(bucket);
    }
    if (outcome === 'success') bucket.ok++;
    else bucket.failed++;
  }

  if (record.state === 'half-open') {
    if (!probe) return { from, to: record.state };
    if (outcome === 'success') {
      Object.assign(record, closedRecord());
    } else trip(record, windowTime ?? timeOf(now));
    return { from, to: record.state };
  }
  if (record.state === 'open') return { from, to: 'open' };
  if (outcome === 'success') {
    if (record.consecutiveFailures !== 0) record.consecutiveFailures = 0;
    return from === 'closed' ? KEPT_CLOSED : { from, to: 'closed' };
  }
  record.consecutiveFailures++;
  if (policy.mode === 'consecutive') {
    if (record.consecutiveFailures >= policy.failures) trip(record, timeOf(now));
  } else {
    let ok = 0;
    let failed = 0;
    for (const b of record.buckets) {
      ok += b.ok;
      failed += b.failed;
    }
    if (ok + failed >= policy.minimumCalls && failed / (ok + failed) >= policy.failureRate) trip(record, windowTime ?? timeOf(now));
  }
  return { from, to: record.state };
}
