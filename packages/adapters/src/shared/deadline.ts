import { EngineError } from '../errors.js';

/**
 * One abort signal per call that fires on the caller's signal or on the call's own deadline. The SDKs'
 * timeouts only cover the wait for response headers; this one also covers a stream that stalls.
 */
export class CallDeadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  private readonly onAbort: () => void;

  constructor(
    private readonly provider: string,
    readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    this.onAbort = () => this.controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) this.controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this.onAbort, { once: true });
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.controller.abort(new Error('deadline exceeded'));
      }, timeoutMs);
    }
  }

  /** The error to throw when this call was ended by its deadline or its caller, else undefined. */
  abortError(cause?: unknown): EngineError | undefined {
    if (this.timedOut) {
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

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onAbort);
  }
}
