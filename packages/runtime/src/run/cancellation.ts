/**
 * Cancellation scopes for a run. A run has a tree of scopes (run → skill → for_each); aborting a
 * scope aborts its children. Scopes are linked with plain callbacks, and an `AbortSignal` is made
 * only when something needs one (an engine request, a host tool), because `EventTarget` listeners
 * and `AbortSignal.any` cost tens of microseconds each on Node 20 — more than the whole budget the
 * runtime has per model call.
 */
export class CancelScope {
  /**
   * False when nothing can ever abort this scope (no caller signal, no deadline, no stream, no
   * sibling to fail): then engine requests go without a signal, sparing the SDK its listeners.
   */
  readonly mayAbort: boolean;
  #aborted = false;
  #reason: unknown;
  #listeners: Set<(reason: unknown) => void> | undefined;
  #controller: AbortController | undefined;

  constructor(mayAbort = true) {
    this.mayAbort = mayAbort;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** An AbortSignal that fires with this scope (created on first use). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener(reason);
  }

  /** Calls `listener` once when the scope aborts; returns a function that unregisters it. */
  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.#aborted) {
      listener(this.#reason);
      return () => {};
    }
    (this.#listeners ??= new Set()).add(listener);
    return () => this.#listeners?.delete(listener);
  }

  /**
   * A scope aborted with this one (with the same reason); `dispose()` unlinks it when done.
   * `ownAbort` says whether the child itself will ever be aborted directly (e.g. a failing sibling).
   */
  child(ownAbort = true): { scope: CancelScope; dispose: () => void } {
    const scope = new CancelScope(this.mayAbort || ownAbort);
    const dispose = this.onAbort((reason) => scope.abort(reason));
    return { scope, dispose };
  }

  /** Throws the reason when aborted. */
  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }
}
