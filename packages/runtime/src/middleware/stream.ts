import { EngineError, isEngineError, type EngineResponse, type StreamEvent } from '@sdl/adapters';

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
 * returned iterable replays the buffered events, then continues; later failures become
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
  return (async function* () {
    let delivered = '';
    let finished = done;
    try {
      for (const event of buffered) {
        if (event.type === 'text-delta') delivered += event.text;
        yield event;
      }
      while (!finished) {
        let step: IteratorResult<StreamEvent>;
        try {
          step = await iterator.next();
        } catch (error) {
          finished = true;
          throw new StreamInterruptedError(engine, delivered, error);
        }
        if (step.done) {
          finished = true;
          break;
        }
        if (step.value.type === 'text-delta') delivered += step.value.text;
        yield step.value;
      }
    } finally {
      // The consumer stopped early: let the adapter close its connection.
      if (!finished) await iterator.return?.();
    }
  })();
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

/** Wraps a stream so a middleware can observe its events and its end without buffering it. */
export function tapStream(events: AsyncIterable<StreamEvent>, hooks: StreamHooks): AsyncIterable<StreamEvent> {
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
