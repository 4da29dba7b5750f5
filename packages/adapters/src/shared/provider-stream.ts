/**
 * The stream an SDK adapter returns from `stream()`: the provider SDK's event stream read into
 * neutral events by a synchronous reader, without an async generator of the adapter's own. An
 * async generator costs a promise and two microtask turns per event on top of the SDK's, and a
 * `yield*` per event into the reader's generators another object each; here a wire event costs
 * one promise reaction when iterated, and none of its own when drained ({@link drainStream}).
 */
import type { EngineError } from '../errors.js';
import type { StreamEvent } from '../types.js';

/**
 * The method of a stream that reads it to the end, handing each event to a listener, with no
 * promise per event of its own (see {@link drainStream}). A registered symbol, so that two copies
 * of this module in one process (built package and sources, as in the benchmarks) agree on it.
 */
export const DRAIN_STREAM: unique symbol = Symbol.for('@sdl/adapters:drain-stream') as never;

/**
 * The method of a stream that returns the text of the `text-delta` events it has read so far
 * (its response builder's text), or `undefined` when it keeps none; the chain reads it when a
 * started stream fails (StreamInterruptedError's `deliveredText`) instead of concatenating every
 * delta itself. Registered, as {@link DRAIN_STREAM} is.
 */
export const STREAM_TEXT: unique symbol = Symbol.for('@sdl/adapters:stream-text') as never;

/** A stream that can be drained ({@link DRAIN_STREAM}) as well as iterated. */
export interface DrainableStream<T> extends AsyncIterableIterator<T> {
  /**
   * Reads the rest of the stream, handing each event to `listener` in order. Resolves at the end,
   * rejects with the stream's failure; an error thrown by `listener` is rethrown as it is, and the
   * stream is left open for the caller to `return()` (as a `for await` leaving its body would).
   */
  [DRAIN_STREAM](listener: (event: T) => void): Promise<void>;
}

/**
 * Reads `events` to the end, handing each to `listener`: through {@link DRAIN_STREAM} when the
 * stream has it, with `for await` otherwise. A throwing listener stops the reading and closes the
 * stream, as leaving a `for await` body does.
 */
export async function drainStream<T>(events: AsyncIterable<T>, listener: (event: T) => void): Promise<void> {
  const drain = (events as Partial<DrainableStream<T>>)[DRAIN_STREAM];
  if (drain === undefined) {
    for await (const event of events) listener(event);
    return;
  }
  let failed: { error: unknown } | undefined;
  try {
    await drain.call(events, (event: T) => {
      try {
        listener(event);
      } catch (error) {
        failed = { error };
        throw error;
      }
    });
  } catch (error) {
    if (failed === undefined || failed.error !== error) throw error;
    // Closing errors are dropped: the listener's error is the one the caller sees (as with `for await`).
    await Promise.resolve((events as Partial<AsyncIterator<T>>).return?.()).catch(() => {});
    throw error;
  }
}

/** Where a reader puts the events it makes (an array will do). */
export interface EventSink {
  push(event: StreamEvent): void;
}

/** A provider's wire events -> neutral events, synchronously. */
export interface WireReader<Raw> {
  /** Appends the neutral events of one wire event to `out`; throws when the stream is malformed. */
  read(raw: Raw, out: EventSink): void;
  /** Appends the closing events (the last one `stop`) to `out`; throws when the stream was cut off. */
  finish(out: EventSink): void;
  /** The reply being built, when the reader adds to its text exactly what its `text-delta` events carry. */
  readonly builder?: { text(): string };
}

/**
 * The events read but not delivered yet. Most wire events make one event or none, so the first
 * waits in a field and only a second one starts an array (emptying an array by setting its
 * length is a call into the engine each time; a field costs nothing).
 */
class EventQueue implements EventSink {
  private first: StreamEvent | undefined;
  private rest: StreamEvent[] | undefined;
  private head = 0;

  push(event: StreamEvent): void {
    if (this.first === undefined && this.rest === undefined) this.first = event;
    else (this.rest ??= []).push(event);
  }

  get empty(): boolean {
    return this.first === undefined && this.rest === undefined;
  }

  /** The oldest event; only when not {@link empty}. */
  take(): StreamEvent {
    const first = this.first;
    if (first !== undefined) {
      this.first = undefined;
      return first;
    }
    const event = this.rest![this.head++]!;
    if (this.head === this.rest!.length) this.clear();
    return event;
  }

  clear(): void {
    this.first = this.rest = undefined;
    this.head = 0;
  }
}

/** One streaming request, sent: what {@link ProviderStream} reads and how it ends it. */
export interface OpenedCall<Raw> {
  /** The SDK's event stream. */
  readonly events: AsyncIterable<Raw>;
  readonly reader: WireReader<Raw>;
  /** The SDK's errors (and the reader's) as the adapter reports them. */
  toEngineError(err: unknown): EngineError;
  /** Called once when the call is over (the call's deadline timer, links to the caller's signal). */
  dispose(): void;
}

/**
 * Sends a streaming request under `deadline` (`send` resolves with the SDK's event stream) and
 * makes the {@link OpenedCall} that reads it; when sending fails (or throws), the deadline is
 * disposed and the failure translated by `toEngineError`. One reaction on `send`'s promise, not an
 * async frame awaiting it: an SDK's own promise subclass (Anthropic's `APIPromise`) would cost
 * the await a thenable job and a promise more per stream.
 */
export function openCall<Raw>(
  deadline: { dispose(): void },
  reader: WireReader<Raw>,
  toEngineError: (err: unknown) => EngineError,
  send: () => PromiseLike<AsyncIterable<Raw>>,
): Promise<OpenedCall<Raw>> {
  // Translated before the deadline is disposed: the deadline still knows whether it ended the call.
  const failed = (err: unknown): EngineError => {
    const error = toEngineError(err);
    deadline.dispose();
    return error;
  };
  let sent: PromiseLike<AsyncIterable<Raw>>;
  try {
    sent = send();
  } catch (err) {
    return Promise.reject(failed(err));
  }
  // `Promise.resolve` returns a native promise as it is; only another thenable's is wrapped.
  return Promise.resolve(
    sent.then(
      (events): OpenedCall<Raw> => ({ events, reader, toEngineError, dispose: () => deadline.dispose() }),
      (err: unknown) => {
        throw failed(err);
      },
    ),
  );
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * An adapter's stream: sends the request on the first read (`open`, which reports its own
 * failures as EngineErrors), then reads the SDK's events through the call's reader. It keeps what
 * the adapters' async generators did: events a wire event produced before the reader threw are
 * delivered before the error; a reader failure closes the SDK stream; `return()` closes it and
 * disposes the call; every failure goes through the call's `toEngineError`.
 */
export class ProviderStream<Raw> implements DrainableStream<StreamEvent> {
  private call: OpenedCall<Raw> | undefined;
  private source: AsyncIterator<Raw> | undefined;
  /** Events read but not delivered yet. */
  private readonly queue = new EventQueue();
  /** The failure to raise once the events queued before it are delivered, and the SDK stream's closing. */
  private failure: { error: unknown; closing: Promise<unknown> } | undefined;
  /** fresh: not sent; open: sending or reading; over: ended, failed or closed. */
  private phase: 'fresh' | 'open' | 'over' = 'fresh';
  /** The consumer closed the stream (`return()`); a read in flight is dropped. */
  private closed = false;
  /** The request being sent (the first read). */
  private opening: Promise<void> | undefined;

  constructor(private readonly open: () => Promise<OpenedCall<Raw>>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (!this.queue.empty) return Promise.resolve({ done: false, value: this.queue.take() });
    if (this.failure !== undefined) return this.raise();
    if (this.phase === 'over') return Promise.resolve(DONE);
    if (this.phase === 'fresh') this.opening = this.start();
    if (this.source === undefined) return this.opening!.then(() => this.next());
    return this.source.next().then(this.onStep, this.onSourceError);
  }

  async [DRAIN_STREAM](listener: (event: StreamEvent) => void): Promise<void> {
    for (;;) {
      while (!this.queue.empty) listener(this.queue.take());
      if (this.failure !== undefined) return this.raise();
      if (this.phase === 'over') return;
      if (this.phase === 'fresh') this.opening = this.start();
      if (this.source === undefined) {
        await this.opening;
        continue;
      }
      let step: IteratorResult<Raw>;
      try {
        step = await this.source.next();
      } catch (error) {
        this.onSourceError(error);
        return;
      }
      if (this.closed) return;
      this.accept(step);
    }
  }

  /** The text of the `text-delta` events read so far (see {@link STREAM_TEXT}). */
  [STREAM_TEXT](): string | undefined {
    return this.call?.reader.builder?.text();
  }

  /** The consumer stopped early: closes the SDK stream and disposes the call. */
  async return(): Promise<IteratorResult<StreamEvent>> {
    if (this.closed) return DONE;
    this.closed = true;
    this.queue.clear();
    if (this.phase === 'fresh' || this.phase === 'over') {
      this.phase = 'over';
      await this.failure?.closing;
      this.failure = undefined;
      return DONE;
    }
    this.phase = 'over';
    if (this.call === undefined) return DONE; // still opening: start() closes it once it is open
    this.call.dispose();
    await this.source!.return?.();
    return DONE;
  }

  private async start(): Promise<void> {
    this.phase = 'open';
    let call: OpenedCall<Raw>;
    try {
      call = await this.open();
    } catch (error) {
      this.phase = 'over';
      throw error;
    }
    this.call = call;
    this.source = call.events[Symbol.asyncIterator]();
    if (this.closed) {
      // return() came while the request was being sent.
      call.dispose();
      await this.source.return?.();
    }
  }

  private readonly onStep = (step: IteratorResult<Raw>): Promise<IteratorResult<StreamEvent>> | IteratorResult<StreamEvent> => {
    if (this.closed) return DONE;
    this.accept(step);
    // The usual case hands the event back as the reaction's value: returning next()'s promise here
    // would cost a thenable job and two more microtask turns per event.
    if (!this.queue.empty) return { done: false, value: this.queue.take() };
    return this.next();
  };

  /** The SDK's stream failed (it is over: nothing to close); a read the consumer gave up on by closing just ends. */
  private readonly onSourceError = (error: unknown): IteratorReturnResult<undefined> => {
    if (this.closed) return DONE;
    this.phase = 'over';
    this.call!.dispose();
    throw this.call!.toEngineError(error);
  };

  /** Reads one step of the SDK's stream into the queue: a wire event, or its end and the closing events. */
  private accept(step: IteratorResult<Raw>): void {
    const call = this.call!;
    try {
      if (step.done !== true) {
        call.reader.read(step.value, this.queue);
        return;
      }
      this.phase = 'over';
      call.reader.finish(this.queue);
    } catch (error) {
      // As when a `for await` body throws: the SDK stream is closed before the failure is raised.
      const closing = this.phase === 'over' ? Promise.resolve() : Promise.resolve(this.source!.return?.()).catch(() => {});
      this.phase = 'over';
      this.failure = { error: call.toEngineError(error), closing };
    }
    call.dispose();
  }

  private async raise(): Promise<never> {
    const { error, closing } = this.failure!;
    this.failure = undefined;
    await closing;
    throw error;
  }
}
