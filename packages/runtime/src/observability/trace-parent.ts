/**
 * W3C `traceparent` values for work handed to another process (batch jobs), through
 * `@opentelemetry/api` only: no propagator needs to be registered. Job data is untrusted, so a
 * value is parsed strictly and anything else is ignored.
 */
import { context, isSpanContextValid, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The `traceparent` of the active span (e.g. the span around `runtime.batch`), or undefined when there is none. */
export function activeTraceParent(): string | undefined {
  const span = trace.getSpanContext(context.active());
  if (span === undefined || !isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A context whose (remote) parent span is the one `traceparent` names; undefined for anything not a valid version-00 value. */
export function contextFromTraceParent(traceparent: unknown): Context | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (match === null) return undefined;
  const spanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : undefined;
}
