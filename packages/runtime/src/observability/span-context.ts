/**
 * The contexts that parent the runtime's spans. `trace.setSpan(parent, span)` gives a `BaseContext`,
 * which copies the parent's whole map and makes three closures for every context; a traced call
 * makes three of them (run, step, chat). {@link withSpan} gives a context that holds the one value
 * it adds and reads every other key through to its parent: the same `Context` interface, the same
 * values for every key (`trace.getSpan` finds the span, baggage and any other value set above it
 * stay visible), and `setValue`/`deleteValue` return new contexts as the API asks.
 */
import type { Context, Span } from '@opentelemetry/api';

/** The key `trace.setSpan`/`trace.getSpan` use (`createContextKey` is `Symbol.for`, shared by every copy of the API). */
export const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/** `parent` with `key` set to `value` (undefined: as if deleted); every other key is read from `parent`. */
export class ChildContext implements Context {
  constructor(
    private readonly parent: Context,
    private readonly key: symbol,
    private readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    return key === this.key ? this.value : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return new ChildContext(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return new ChildContext(this, key, undefined);
  }
}

/** What `trace.setSpan(parent, span)` returns, as a {@link ChildContext}. */
export function withSpan(parent: Context, span: Span): Context {
  return new ChildContext(parent, SPAN_KEY, span);
}

/**
 * An observation that is itself the OTel context of its span (a step's scope, a model call): it
 * reads {@link SPAN_KEY} as its own span and every other key through to `parent`, so the
 * observation, its scope and its context are one object.
 */
export abstract class SpanHoldingContext implements Context {
  /** The enclosing context. */
  protected abstract readonly parent: Context;
  /** The span this context holds; undefined when spans are not recorded. */
  protected abstract readonly span: Span | undefined;

  /** The OTel context of what runs inside: this one when it holds a span, else the enclosing one. */
  get otel(): Context {
    return this.span === undefined ? this.parent : this;
  }

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.span : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return new ChildContext(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return new ChildContext(this, key, undefined);
  }
}
