import type { Clock } from '../time/clock.js';
import { copyWith } from '../run/copy-with.js';
import { BREAKER_STATE_VALUE, type RuntimeMetrics } from '../observability/metrics.js';
import { admit, recordOutcome, type Admission, type BreakerOutcome, type BreakerRecord } from './circuit-breaker-state.js';
import type { BreakerStore } from './circuit-breaker-store.js';
import type { BreakerPolicy } from './policies.js';
import { engineErrorOf, tapStream, type StreamHooks } from './stream.js';
import { withTraits } from './stage-traits.js';
import type { BreakerStateName, CallContext, CallEvent, CallResult, Middleware, Terminal } from './types.js';

/** Refused without calling the engine: its breaker is open (or half-open with a probe in flight). */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly engine: string,
    readonly state: BreakerStateName,
    /** When a probe may go through again. */
    readonly retryInMs: number,
  ) {
    super(
      state === 'open'
        ? `engine "${engine}" is unavailable: its circuit breaker is open for another ${retryInMs} ms after repeated failures`
        : `engine "${engine}" is unavailable: its circuit breaker is half-open and a probe call is in flight`,
    );
  }
}

/** Error kinds that count against an engine's health; quota and client errors do not. */
export const BREAKER_FAILURE_KINDS: ReadonlySet<string> = new Set(['server', 'overloaded', 'timeout', 'network']);

/** How a failed call counts for its engine's breaker: `failure` for the kinds in {@link BREAKER_FAILURE_KINDS}, else `ignored`. */
export function breakerOutcome(error: unknown): BreakerOutcome {
  const engineError = engineErrorOf(error);
  return engineError && BREAKER_FAILURE_KINDS.has(engineError.kind) ? 'failure' : 'ignored';
}

type Listener = (event: Extract<CallEvent, { type: 'breaker-state' }>) => void;

type Change = { from: BreakerStateName; to: BreakerStateName };

/** The store updates every call under one policy makes: admitting it and, most often, recording its success (not a probe's). */
interface PolicyUpdates {
  admit: (record: BreakerRecord) => Admission;
  succeeded: (record: BreakerRecord) => Change;
}

/** The breakers of one runtime: one per engine, state in a BreakerStore (memory or Redis). */
export class CircuitBreakers {
  private readonly listeners = new Set<Listener>();
  private readonly seen = new Set<string>();
  /** The updates of each policy seen, made once instead of two closures per call (policies are resolved once per skill and engine). */
  private readonly updates = new WeakMap<BreakerPolicy, PolicyUpdates>();
  /** The clock as the transitions take it: read only when one needs the time (see BreakerNow). */
  private readonly now = (): number => this.clock.now();

  constructor(
    private readonly store: BreakerStore,
    private readonly clock: Clock,
    private readonly metrics?: RuntimeMetrics,
  ) {}

  /** The engine's current state (open turns half-open here once its reset time has passed). */
  async state(engine: string, policy?: BreakerPolicy): Promise<BreakerStateName> {
    const record = await this.store.read(engine);
    if (record.state === 'open' && policy && this.clock.now() - record.openedAt >= policy.resetMs) return 'half-open';
    return record.state;
  }

  /** Subscribes to state changes of every engine; returns the unsubscribe function. */
  onStateChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Asks the engine's breaker whether a call may go through (moving open to half-open when the reset time has passed).
   * @returns whether the call is allowed, whether it is a half-open probe, and the state transition
   */
  async admit(engine: string, policy: BreakerPolicy, emit?: (e: CallEvent) => void): Promise<Admission> {
    return this.admitted(engine, await this.store.update(engine, this.updatesOf(policy).admit), emit);
  }

  /** {@link admit} without a promise round, for a store that updates synchronously; undefined for one that does not. */
  admitNow(engine: string, policy: BreakerPolicy, emit?: (e: CallEvent) => void): Admission | undefined {
    if (!this.store.updateNow) return undefined;
    return this.admitted(engine, this.store.updateNow(engine, this.updatesOf(policy).admit), emit);
  }

  // The closures are made in functions of their own (updatesFor, recordingOf): a function that makes
  // a closure over its arguments allocates their context on every call, even when it returns early.
  private updatesOf(policy: BreakerPolicy): PolicyUpdates {
    let updates = this.updates.get(policy);
    if (updates === undefined) {
      updates = updatesFor(policy, this.now);
      this.updates.set(policy, updates);
    }
    return updates;
  }

  /** The store update that records `outcome`: the policy's own for a success that is not a probe's, else one made for it. */
  private recording(policy: BreakerPolicy, outcome: BreakerOutcome, probe: boolean): (record: BreakerRecord) => Change {
    return outcome === 'success' && !probe ? this.updatesOf(policy).succeeded : recordingOf(policy, this.now, outcome, probe);
  }

  private admitted(engine: string, admission: Admission, emit?: (e: CallEvent) => void): Admission {
    if (!this.seen.has(engine)) {
      // Export the gauge from the first call on, not only after a transition.
      this.seen.add(engine);
      this.metrics?.breakerState.set({ engine }, BREAKER_STATE_VALUE[admission.from]);
    }
    this.changed(engine, admission.from, admission.to, emit);
    return admission;
  }

  /** Records an admitted call's outcome; opens, closes or keeps the breaker, and reports any state change. */
  async record(engine: string, policy: BreakerPolicy, outcome: BreakerOutcome, probe: boolean, emit?: (e: CallEvent) => void) {
    const change = await this.store.update(engine, this.recording(policy, outcome, probe));
    this.changed(engine, change.from, change.to, emit);
  }

  /**
   * {@link record} without a promise round, for a store that updates synchronously.
   * @returns false (and records nothing) when the store has no synchronous update
   */
  recordNow(engine: string, policy: BreakerPolicy, outcome: BreakerOutcome, probe: boolean, emit?: (e: CallEvent) => void): boolean {
    if (!this.store.updateNow) return false;
    const change = this.store.updateNow(engine, this.recording(policy, outcome, probe));
    this.changed(engine, change.from, change.to, emit);
    return true;
  }

  private changed(engine: string, from: BreakerStateName, to: BreakerStateName, emit?: (e: CallEvent) => void) {
    if (from === to) return;
    this.metrics?.breakerState.set({ engine }, BREAKER_STATE_VALUE[to]);
    const event = { type: 'breaker-state' as const, engine, from, to };
    emit?.(event);
    for (const l of this.listeners) l(event);
  }
}

function updatesFor(policy: BreakerPolicy, now: () => number): PolicyUpdates {
  return {
    admit: (r) => admit(r, policy, now),
    succeeded: (r) => recordOutcome(r, policy, now, 'success', false),
  };
}

function recordingOf(policy: BreakerPolicy, now: () => number, outcome: BreakerOutcome, probe: boolean): (record: BreakerRecord) => Change {
  return (r) => recordOutcome(r, policy, now, outcome, probe);
}

/**
 * Fails fast while the engine's breaker is open, lets probes through when half-open, and feeds
 * each call's final outcome (after retries, since it sits outside retry) back to the breaker.
 */
export function circuitBreakerMiddleware(breakers: CircuitBreakers): Middleware {
  // Not async itself: an in-process store admits at once, and the call's outcome is settled in one
  // `then` (an async frame per call cost more than the stage's own work; see bench/README.md, http).
  return withTraits((ctx, next: Terminal) => {
    let admission: Admission | undefined;
    let pending: Promise<CallResult>;
    try {
      admission = breakers.admitNow(ctx.engine, ctx.policies.breaker, ctx.emit);
      if (admission === undefined) return admitLater(breakers, ctx, next);
      if (!admission.allowed) throw new CircuitOpenError(ctx.engine, admission.to, admission.retryInMs);
      pending = next(ctx);
    } catch (error) {
      return admission?.allowed ? failed(breakers, ctx, admission, error) : Promise.reject(error);
    }
    const admitted = admission;
    return pending.then(
      (result) => answered(breakers, ctx, admitted, result),
      (error: unknown) => failed(breakers, ctx, admitted, error),
    );
  }, { signalBlind: true, passesContext: true });
}

/** The stage on a store that admits asynchronously (Redis). */
async function admitLater(breakers: CircuitBreakers, ctx: CallContext, next: Terminal): Promise<CallResult> {
  const admission = await breakers.admit(ctx.engine, ctx.policies.breaker, ctx.emit);
  if (!admission.allowed) throw new CircuitOpenError(ctx.engine, admission.to, admission.retryInMs);
  let result;
  try {
    result = await next(ctx);
  } catch (error) {
    return failed(breakers, ctx, admission, error);
  }
  return answered(breakers, ctx, admission, result);
}

/** An admitted call failed: the failure counts for the breaker, then is thrown on. */
async function failed(breakers: CircuitBreakers, ctx: CallContext, admission: Admission, error: unknown): Promise<never> {
  await settle(breakers, ctx, admission.probe, ctx.emit, breakerOutcome(error));
  throw error;
}

/** An admitted call answered: a response settles now, a stream on the first of its outcomes. */
function answered(breakers: CircuitBreakers, ctx: CallContext, admission: Admission, result: CallResult): CallResult | Promise<CallResult> {
  if (result.kind === 'stream') return answeredStream(breakers, ctx, admission, result);
  // An in-process store records the success at once; the others (Redis) are awaited.
  return recordedNow(breakers, ctx, admission.probe, ctx.emit, 'success') ? result : settledThen(breakers, ctx, admission.probe, result);
}

/** {@link settle}s a success, then resolves with `result`. */
function settledThen(breakers: CircuitBreakers, ctx: CallContext, probe: boolean, result: CallResult): Promise<CallResult> {
  return settle(breakers, ctx, probe, ctx.emit, 'success').then(() => result);
}

/** A stream's outcome: the stage's hooks on it ({@link BreakerStreamHooks}). */
function answeredStream(breakers: CircuitBreakers, ctx: CallContext, admission: Admission, result: Extract<CallResult, { kind: 'stream' }>): CallResult {
  return copyWith(result, 'events', tapStream(result.events, new BreakerStreamHooks(breakers, ctx, admission.probe)));
}

/**
 * Settles a stream once, on the first of its outcomes; an in-process store at once, as a response
 * does (the stream's end then passes through no promise of this stage's). One object with methods,
 * not a hooks literal of closures over a shared context: this is made on every stream.
 */
class BreakerStreamHooks implements StreamHooks {
  private settled = false;

  constructor(
    private readonly breakers: CircuitBreakers,
    private readonly ctx: CallContext,
    private readonly probe: boolean,
  ) {}

  onComplete(): void | Promise<void> {
    return this.settle('success');
  }

  onError(error: unknown): void | Promise<void> {
    return this.settle(breakerOutcome(error));
  }

  onFinally(): void | Promise<void> {
    return this.settle('ignored');
  }

  private settle(outcome: BreakerOutcome): void | Promise<void> {
    if (this.settled) return;
    this.settled = true;
    const { breakers, ctx, probe } = this;
    return recordedNow(breakers, ctx, probe, ctx.emit, outcome) ? undefined : settle(breakers, ctx, probe, ctx.emit, outcome);
  }
}

/**
 * Records a call's outcome at once when the breaker's store is in process (a failure there is logged,
 * not thrown, and counts as done); false when the store must be awaited ({@link settle}).
 */
function recordedNow(breakers: CircuitBreakers, ctx: CallContext, probe: boolean, emit: (e: CallEvent) => void, outcome: BreakerOutcome): boolean {
  try {
    return breakers.recordNow(ctx.engine, ctx.policies.breaker, outcome, probe, emit);
  } catch (error) {
    ctx.logger.warn('circuit breaker update failed', { engine: ctx.engine, error });
    return true;
  }
}

/**
 * Records a call's outcome on its engine's breaker; a store failure is logged, not thrown. A
 * module-level function (not a closure per call): a call that answers needs none of it.
 */
async function settle(breakers: CircuitBreakers, ctx: CallContext, probe: boolean, emit: (e: CallEvent) => void, outcome: BreakerOutcome): Promise<void> {
  await breakers.record(ctx.engine, ctx.policies.breaker, outcome, probe, emit).catch((error: unknown) =>
    ctx.logger.warn('circuit breaker update failed', { engine: ctx.engine, error }),
  );
}
