import { DRAIN_STREAM, drainStream, EngineError, isEngineError, STREAM_TEXT, type DrainableStream, type EngineResponse, type StreamEvent } from '@sdl/adapters';

/**
 * Raised to a stream's consumer when the engine fails after the first delta reached it. The
 * stream is not retried or failed over at that point (the caller already holds part of the
 * text); `cause` is the engine's EngineError.
 */
export class StreamInterruptedError extends Error {
  override readonly name = 'StreamInterruptedError';
  readonly engine: string;
  /** Text the consumer already received before the failure. */
  readonly deliveredText: string;

  constructor(engine: string, deliveredText: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`engine "${engine}" failed after the stream had started: ${detail}; the partial reply was not retried`, {
      cause,
    });
    this.engine = engine;
    this.deliveredText = deliveredText;
  }
}

/** Whether an event is content the caller can see (so a retry would duplicate it). */
export function isContentEvent(event: StreamEvent): boolean {
  return event.type === 'text-delta' || event.type.startsWith('tool-call');
}

/**
 * Pulls events until the first content event (or the end) so that every failure before any
 * content reaches the caller is thrown here, where retry and failover can still act. The
 * returned stream replays the buffered events, then continues; later failures become
 * StreamInterruptedError.
 */
export async function primeStream(engine: string, events: AsyncIterable<StreamEvent>): Promise<AsyncIterable<StreamEvent>> {
  const iterator = events[Symbol.asyncIterator]();
  const buffered: StreamEvent[] = [];
  let done = false;
  for (;;) {
    const step = await iterator.next();
    if (step.done) {
      done = true;
      break;
    }
    buffered.push(step.value);
    if (isContentEvent(step.value)) break;
  }
  return new PrimedStream(engine, iterator, buffered, done);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A primed stream and every stage's hooks on it, in one object: the stages that tap it
 * ({@link tapStream}) add their hooks here instead of wrapping it in an async generator each, so
 * a delta costs one promise reaction however many stages watch the stream ({@link forEachEvent}
 * drives it with no promise of its own per delta). The hooks run as nested generators would run
 * them: innermost stage (the first to tap) first; on completion each stage's `onComplete` then
 * `onFinally`, on failure `onError` then `onFinally`, when the consumer stops early `onFinally`.
 */
class PrimedStream implements AsyncIterableIterator<StreamEvent> {
  private readonly layers: StreamHooks[] = [];
  /** The layers with an `onEvent`, fixed at the first event (no stage taps after reading starts). */
  private watchers: StreamHooks[] | undefined;
  private next_ = 0;
  /**
   * The text delivered, kept here only when the source cannot tell it ({@link STREAM_TEXT}): an
   * adapter's stream builds the same text already, and a concatenation per delta is a string
   * object per delta kept alive to the stream's end, for a failure that rarely comes.
   */
  private delivered: string | undefined;
  private final: EngineResponse | undefined;
  /** fresh: nothing read yet (stages may still tap); reading; over: ended, failed or closed. */
  private phase: 'fresh' | 'reading' | 'over' = 'fresh';

  constructor(
    private readonly engine: string,
    private readonly source: AsyncIterator<StreamEvent>,
    private readonly buffered: StreamEvent[],
    private readonly sourceDone: boolean,
  ) {
    // After priming the source is open, so it can tell already whether it keeps the text.
    if (this.sourceText() === undefined) this.delivered = '';
  }

  /** Adds a stage's hooks; false once reading has started (the stage then wraps the stream instead). */
  tap(hooks: StreamHooks): boolean {
    if (this.phase !== 'fresh') return false;
    this.layers.push(hooks);
    return true;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.phase === 'over') return Promise.resolve(DONE);
    this.phase = 'reading';
    if (this.next_ < this.buffered.length) return this.accepted(this.buffered[this.next_++]!);
    if (this.sourceDone) return this.completed();
    return this.source.next().then(this.onStep, this.onFailure);
  }

  /** The consumer stopped early: closes the adapter's stream, then runs every stage's `onFinally`. */
  async return(): Promise<IteratorResult<StreamEvent>> {
    if (this.phase === 'over') return DONE;
    this.phase = 'over';
    let failure: { error: unknown } | undefined;
    try {
      if (!this.sourceDone) await this.source.return?.();
    } catch (error) {
      failure = { error };
    }
    for (const layer of this.layers) {
      try {
        await layer.onFinally?.();
      } catch (error) {
        failure = { error };
      }
    }
    if (failure) throw failure.error;
    return DONE;
  }

  /**
   * Reads the whole stream, handing each event to `listener` (the loop awaits the adapter's
   * promises only); resolves once every stage's completion hooks ran.
   */
  async drain(listener: (event: StreamEvent) => void): Promise<void> {
    if (this.phase !== 'fresh') {
      for await (const event of this) listener(event);
      return;
    }
    this.phase = 'reading';
    try {
      while (this.next_ < this.buffered.length) listener(this.see(this.buffered[this.next_++]!));
      const drainSource = this.sourceDone ? undefined : (this.source as Partial<DrainableStream<StreamEvent>>)[DRAIN_STREAM];
      if (drainSource !== undefined) {
        // The adapter's stream hands its events over without a promise per event.
        let failed: { error: unknown } | undefined;
        try {
          await drainSource.call(this.source, (event) => {
            try {
              listener(this.see(event));
            } catch (error) {
              failed = { error };
              throw error;
            }
          });
        } catch (error) {
          if (failed !== undefined && failed.error === error) throw error;
          await this.failed(error);
          return;
        }
      } else if (!this.sourceDone) {
        for (;;) {
          let step: IteratorResult<StreamEvent>;
          try {
            step = await this.source.next();
          } catch (error) {
            await this.failed(error);
            return;
          }
          if (step.done) break;
          listener(this.see(step.value));
        }
      }
    } catch (error) {
      // The listener or a stage's onEvent threw: stop reading, as a consumer leaving a for-await would.
      if ((this.phase as string) !== 'over') await this.return().catch(() => {});
      throw error;
    }
    await this.finish();
  }

  private see(event: StreamEvent): StreamEvent {
    if (event.type === 'text-delta') {
      if (this.delivered !== undefined) this.delivered += event.text;
    } else if (event.type === 'stop') this.final = event.response;
    // Only the stages that watch events (none of the default chain's) are called per event.
    const watchers = (this.watchers ??= this.layers.filter((layer) => layer.onEvent !== undefined));
    for (let i = 0; i < watchers.length; i++) watchers[i]!.onEvent!(event);
    return event;
  }

  private accepted(event: StreamEvent): Promise<IteratorResult<StreamEvent>> {
    try {
      return Promise.resolve({ done: false, value: this.see(event) });
    } catch (error) {
      return this.return().then(() => Promise.reject(error));
    }
  }

  private readonly onStep = (step: IteratorResult<StreamEvent>): Promise<IteratorResult<StreamEvent>> | IteratorResult<StreamEvent> => {
    if (step.done) return this.finish();
    try {
      return { done: false, value: this.see(step.value) };
    } catch (error) {
      return this.return().then(() => Promise.reject(error));
    }
  };

  private readonly onFailure = (error: unknown): Promise<never> => this.failed(error);

  /**
   * The adapter's stream ended: each stage's onComplete (an onError if that throws), then onFinally;
   * synchronous (throwing a stage's failure) when no hook returns a promise.
   */
  private finish(): IteratorReturnResult<undefined> | Promise<IteratorReturnResult<undefined>> {
    this.phase = 'over';
    const settled = settleLayers(this.layers, 0, undefined, this.final);
    if (isPromise(settled)) return settled.then(endOf);
    if (settled !== undefined) throw settled.error;
    return DONE;
  }

  /** {@link finish} as a promise. */
  private completed(): Promise<IteratorReturnResult<undefined>> {
    try {
      return Promise.resolve(this.finish());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * What the consumer was given: the source's text, read when needed. The source fails only once
   * every event it read has been delivered (an adapter's stream delivers what it queued before
   * raising; the buffered events go first), so the two are the same text.
   */
  private deliveredText(): string {
    return this.delivered ?? this.sourceText() ?? '';
  }

  /** The text the source read so far, when it tells it ({@link STREAM_TEXT}). */
  private sourceText(): string | undefined {
    return (this.source as Partial<Record<typeof STREAM_TEXT, () => string | undefined>>)[STREAM_TEXT]?.call(this.source);
  }

  /** The adapter's stream failed after priming: StreamInterruptedError through each stage's onError and onFinally. */
  private failed(error: unknown): Promise<never> {
    this.phase = 'over';
    const settled = settleLayers(this.layers, 0, { error: new StreamInterruptedError(this.engine, this.deliveredText(), error) }, this.final);
    return isPromise(settled) ? settled.then((failure) => Promise.reject(failure!.error)) : Promise.reject(settled!.error);
  }
}

/** A failure passed outward through the stages' end hooks. */
type Failure = { error: unknown };

const isPromise = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

const endOf = (failure: Failure | undefined): IteratorReturnResult<undefined> | Promise<never> => (failure === undefined ? DONE : Promise.reject(failure.error));

/**
 * Every stage's end of a stream from `layers[from]` on, in order, as {@link tapStream}'s generators
 * ran them (see {@link settleLayer}); returns the failure passed outward, if any. Synchronous while
 * no hook returns a promise: an `await` of each hook's `undefined` cost a promise and a microtask
 * turn per hook, three hooks per stage, on every stream.
 */
function settleLayers(layers: readonly StreamHooks[], from: number, failure: Failure | undefined, final: EngineResponse | undefined): Failure | undefined | Promise<Failure | undefined> {
  for (let i = from; i < layers.length; i++) {
    const settled = settleLayer(layers[i]!, failure, final);
    if (isPromise(settled)) return settled.then((next) => settleLayers(layers, i + 1, next, final));
    failure = settled;
  }
  return failure;
}

/** One stage's end: `onComplete` when nothing failed, `onError` when something did (or onComplete threw), then `onFinally`. */
function settleLayer(layer: StreamHooks, failure: Failure | undefined, final: EngineResponse | undefined): Failure | undefined | Promise<Failure | undefined> {
  if (failure === undefined && layer.onComplete !== undefined) {
    let pending: void | Promise<void>;
    try {
      pending = layer.onComplete(final);
    } catch (error) {
      return afterComplete(layer, { error });
    }
    if (isPromise(pending)) return Promise.resolve(pending).then(() => afterComplete(layer, undefined), (error: unknown) => afterComplete(layer, { error }));
  }
  return afterComplete(layer, failure);
}

function afterComplete(layer: StreamHooks, failure: Failure | undefined): Failure | undefined | Promise<Failure | undefined> {
  if (failure !== undefined && layer.onError !== undefined) {
    let pending: void | Promise<void>;
    try {
      pending = layer.onError(failure.error);
    } catch (error) {
      return runFinally(layer, { error });
    }
    if (isPromise(pending)) {
      const passed = failure;
      return Promise.resolve(pending).then(() => runFinally(layer, passed), (error: unknown) => runFinally(layer, { error }));
    }
  }
  return runFinally(layer, failure);
}

function runFinally(layer: StreamHooks, failure: Failure | undefined): Failure | undefined | Promise<Failure | undefined> {
  if (layer.onFinally === undefined) return failure;
  let pending: void | Promise<void>;
  try {
    pending = layer.onFinally();
  } catch (error) {
    return { error };
  }
  return isPromise(pending) ? Promise.resolve(pending).then(() => failure, (error: unknown) => ({ error })) : failure;
}

/**
 * Reads `events` to the end, handing each to `listener`: without a promise per delta of its own
 * when the stream is the chain's primed stream or an adapter's drainable stream, with `for await` otherwise.
 */
export function forEachEvent(events: AsyncIterable<StreamEvent>, listener: (event: StreamEvent) => void): Promise<void> {
  if (events instanceof PrimedStream) return events.drain(listener);
  return drainStream(events, listener);
}

/** Callbacks of {@link tapStream}; each is optional. */
export interface StreamHooks {
  /** Sees every event as it passes through, unchanged. */
  onEvent?(event: StreamEvent): void;
  /** The stream ended with its `stop` event. */
  onComplete?(response: EngineResponse | undefined): void | Promise<void>;
  /** The stream failed (the error is rethrown to the consumer after this hook). */
  onError?(error: unknown): void | Promise<void>;
  /** Always runs once: completion, failure, or the consumer stopping early. */
  onFinally?(): void | Promise<void>;
}

/**
 * Lets a middleware observe a stream's events and its end without buffering it. On the chain's
 * own primed stream the hooks join the stream (no wrapper); any other stream is wrapped.
 */
export function tapStream(events: AsyncIterable<StreamEvent>, hooks: StreamHooks): AsyncIterable<StreamEvent> {
  if (events instanceof PrimedStream && events.tap(hooks)) return events;
  return (async function* () {
    let final: EngineResponse | undefined;
    try {
      for await (const event of events) {
        if (event.type === 'stop') final = event.response;
        hooks.onEvent?.(event);
        yield event;
      }
      await hooks.onComplete?.(final);
    } catch (error) {
      await hooks.onError?.(error);
      throw error;
    } finally {
      await hooks.onFinally?.();
    }
  })();
}

/** Replays a finished response as a stream (used by the cache). */
export async function* replayResponse(response: EngineResponse): AsyncIterable<StreamEvent> {
  if (response.text) yield { type: 'text-delta', text: response.text };
  for (const call of response.toolCalls) {
    yield { type: 'tool-call-start', id: call.id, name: call.name };
    yield { type: 'tool-call-delta', id: call.id, argumentsDelta: JSON.stringify(call.arguments) };
    yield { type: 'tool-call-end', call };
  }
  yield { type: 'usage', usage: response.usage };
  yield { type: 'stop', response };
}

/** The EngineError behind an error, looking through StreamInterruptedError. */
export function engineErrorOf(error: unknown): EngineError | undefined {
  if (isEngineError(error)) return error;
  if (error instanceof StreamInterruptedError && isEngineError(error.cause)) return error.cause;
  return undefined;
}

/** Turns an abort into the taxonomy: the caller's cancellation or an attempt timeout. */
export function abortError(signal: AbortSignal, provider: string): EngineError {
  const reason: unknown = signal.reason;
  if (isEngineError(reason)) return reason;
  return new EngineError('cancelled', 'the call was cancelled by the caller', { provider, cause: reason });
}
