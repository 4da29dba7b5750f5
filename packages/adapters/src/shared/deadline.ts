import { EngineError } from '../errors.js';
import { DeadlineQueue, type QueuedDeadline } from './deadline-queue.js';

/** Every call deadline of this module copy, under one timer. */
const queue = new DeadlineQueue();

/**
 * Signals that abort by a known time (epoch ms), declared with {@link markDeadlineSignal}. Kept on
 * `globalThis` under a registered symbol so that two copies of this module in one process (the
 * built package and its sources, as in the benchmarks) share it.
 */
const signalDeadlines: WeakMap<AbortSignal, number> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('@sdl/adapters:signal-deadlines')
] ??= new WeakMap<AbortSignal, number>()) as WeakMap<AbortSignal, number>;

/**
 * Declares that `signal` aborts by `expiresAt` (epoch ms, `Date.now()` time) at the latest,
 * for a caller that already runs a timer for the request (the runtime's timeout middleware). An
 * adapter given this signal with a deadline no earlier than that uses it as it is, instead of
 * arming a second timer and signal for the same deadline.
 */
export function markDeadlineSignal(signal: AbortSignal, expiresAt: number): void {
  signalDeadlines.set(signal, expiresAt);
}

/**
 * The deadline (and abort signal) of one call: the call ends on the caller's signal or on its own
 * deadline. The SDKs' timeouts only cover the wait for response headers; this one also covers a
 * body or a stream that stalls.
 *
 * Creating an `AbortSignal` and handing it to an SDK (which links its own per-request controller to
 * it with a listener and a finalization-registry entry) costs more CPU than the rest of the
 * adapter's per-call work, so the deadline avoids making one where it can:
 * - With no finite deadline, or a caller signal declared with {@link markDeadlineSignal} to fire by
 *   this call's deadline, the call has no deadline of its own and the caller's signal is used as it is
 *   (handed to the SDK, or with `linkCaller` linked here as below).
 * - With `sdkController` the SDK lends the deadline its own per-request `AbortController`
 *   ({@link CallDeadline.attach}, called from the client's `fetchWithTimeout`): the deadline's timer aborts
 *   that controller, and the caller's signal goes to the SDK as it is (the SDK links it itself), or
 *   with `linkCaller` aborts that controller through the deadline's own listener. No signal of the
 *   deadline's own is made.
 * - Otherwise it makes one `AbortController` and listens to the caller's signal as an `EventListener`
 *   object, so a call allocates no closures.
 * A deadline of its own is not a Node timer: it waits in the {@link DeadlineQueue} of every call
 * in flight, which runs one timer for the earliest.
 */
export class CallDeadline implements QueuedDeadline {
  /** What to hand to the SDK; undefined when nothing but the deadline's timer (if any) can end the call early. */
  readonly signal: AbortSignal | undefined;
  private readonly controller: AbortController | undefined;
  /** When the deadline passes (`performance.now()` time); NaN when the call has no deadline of its own (not queued). */
  dueAt = Number.NaN;
  prev: QueuedDeadline | undefined = undefined;
  next: QueuedDeadline | undefined = undefined;
  queued = false;
  /** The SDK's per-request controller (`sdkController` mode), once the request reaches the transport. */
  private attached: AbortController | undefined;
  /** The caller's signal, when it is linked to the SDK's controller here (`linkCaller`). */
  private readonly linked: AbortSignal | undefined;
  private timedOut = false;

  /**
   * @param provider - names the provider in error messages
   * @param timeoutMs - the call's budget; not finite or not positive means no deadline of its own
   * @param callerSignal - the caller's cancellation signal
   * @param sdkController - the SDK will hand its per-request controller to {@link CallDeadline.attach}
   * @param linkCaller - (with `sdkController`) the caller's signal aborts that controller too, and
   *   is not handed to the SDK; only for calls whose response is read before {@link CallDeadline.dispose}
   */
  constructor(
    private readonly provider: string,
    readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
    sdkController = false,
    linkCaller = false,
  ) {
    const finite = Number.isFinite(timeoutMs) && timeoutMs > 0;
    const callerExpiresAt = finite && callerSignal !== undefined ? signalDeadlines.get(callerSignal) : undefined;
    // Without a finite budget, or when the caller's signal fires by this call's deadline anyway (and
    // its owner reports the timeout), the call has no deadline of its own.
    const ownDeadline = finite && !(callerExpiresAt !== undefined && callerExpiresAt <= Date.now() + timeoutMs);
    if (sdkController && linkCaller) {
      // The caller's signal aborts the SDK's controller through this object (an EventListener), so
      // the SDK is handed no signal: its own link costs a closure, a WeakMap entry and a
      // FinalizationRegistry entry per request. This holds for a caller signal that is the call's
      // only deadline too (the timeout middleware's, on every call through the default chain).
      this.signal = undefined;
      this.linked = callerSignal;
      if (callerSignal !== undefined && !callerSignal.aborted) callerSignal.addEventListener('abort', this, { once: true });
    } else if (sdkController || !ownDeadline) {
      // The SDK links the caller's signal to its own controller; a timer of ours aborts that controller.
      this.signal = callerSignal;
    } else {
      const controller = new AbortController();
      this.controller = controller;
      this.signal = controller.signal;
      if (callerSignal?.aborted) controller.abort(callerSignal.reason);
      else callerSignal?.addEventListener('abort', this, { once: true });
    }
    if (!ownDeadline) return;
    this.dueAt = performance.now() + timeoutMs;
    queue.add(this);
  }

  /**
   * The SDK's own controller for this call's HTTP request (`sdkController` mode): the deadline
   * aborts it when it passes (at once if it already has).
   */
  attach(controller: AbortController): void {
    this.attached = controller;
    if (this.timedOut || this.linked?.aborted === true) controller.abort();
  }

  /** The caller's signal fired: end the call with its reason. */
  handleEvent(): void {
    this.controller?.abort(this.callerSignal?.reason);
    this.attached?.abort();
  }

  /** The deadline passed: end the call. */
  expire(): void {
    this.timedOut = true;
    this.controller?.abort(new Error('deadline exceeded'));
    // Without a reason, as the SDK's own timeout aborts it: the SDK reports an abort as a timeout.
    this.attached?.abort();
  }

  /** The error to throw when this call was ended by its deadline or its caller, else undefined. */
  abortError(cause?: unknown): EngineError | undefined {
    // Past the deadline is a timeout even when the queue's timer has not fired yet: an SDK's own timer
    // for the same budget (Cohere's `timeoutInSeconds`, Anthropic's `timeout`) may fire first and
    // report the abort its own way (Cohere: a transport error).
    if (this.timedOut || this.dueAt <= performance.now()) {
      return new EngineError('timeout', `${this.provider}: no complete response within ${this.timeoutMs} ms`, {
        provider: this.provider,
        cause,
      });
    }
    if (this.callerSignal?.aborted) {
      return new EngineError('cancelled', `${this.provider}: the call was cancelled`, { provider: this.provider, cause });
    }
    return undefined;
  }

  /** The call is over: leaves the queue and unlinks the caller's signal. */
  dispose(): void {
    this.attached = undefined;
    if (this.controller !== undefined || this.linked !== undefined) this.callerSignal?.removeEventListener('abort', this);
    if (Number.isNaN(this.dueAt)) return;
    queue.remove(this);
    // Over: its budget passing later is no timeout of this call's.
    this.dueAt = Number.NaN;
  }
}
