/**
 * Graceful shutdown: counts the runs in flight, refuses new ones once closing (503), and waits for
 * the running ones to finish; past the grace period it cancels them (their callers get
 * `cancelled`), then waits for them to wind down.
 */
import { RunCancelledError } from '@sdl/runtime';

/** One run in flight: its cancellation signal and the call that ends it. */
export interface Ticket {
  /** Fires when the server gives up waiting at shutdown. */
  readonly signal: AbortSignal;
  /** Call exactly once when the run's answer is complete. */
  done(): void;
}

/** In-flight bookkeeping for shutdown. */
export class Drain {
  #closing = false;
  readonly #running = new Set<AbortController>();
  #idle: (() => void) | undefined;

  /** True once {@link close} was called: new runs are refused. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Runs in flight now. */
  get inFlight(): number {
    return this.#running.size;
  }

  /** Registers a run; undefined when closing (answer 503). */
  start(): Ticket | undefined {
    if (this.#closing) return undefined;
    const controller = new AbortController();
    this.#running.add(controller);
    let ended = false;
    return {
      signal: controller.signal,
      done: () => {
        if (ended) return;
        ended = true;
        this.#running.delete(controller);
        if (this.#running.size === 0) this.#idle?.();
      },
    };
  }

  /**
   * Stops taking runs and resolves when none is in flight; after `graceMs` the remaining ones are
   * cancelled. `setTimer` is the clock (tests pass a fake one).
   */
  async close(graceMs: number, setTimer: (ms: number, fn: () => void) => () => void): Promise<void> {
    this.#closing = true;
    if (this.#running.size === 0) return;
    const idle = new Promise<void>((resolve) => (this.#idle = resolve));
    const cancel = setTimer(graceMs, () => {
      for (const controller of this.#running) controller.abort(new RunCancelledError('the server is shutting down'));
    });
    await idle;
    cancel();
  }
}
