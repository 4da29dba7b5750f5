/**
 * A tracer provider whose spans record (so the runtime does all its tracing work) and do nothing
 * else: a contender with it measures SDL's own share of tracing, without the OTel SDK's.
 * Shared by tracing.ts and tracing-share.ts.
 */
import type { Span, SpanContext, Tracer, TracerProvider } from '@opentelemetry/api';

const NULL_CONTEXT: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

class DoNothingSpan {
  spanContext(): SpanContext {
    return NULL_CONTEXT;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return true;
  }
}

const doNothingTracer = { startSpan: () => new DoNothingSpan() as unknown as Span } as unknown as Tracer;
export const doNothing: TracerProvider = { getTracer: () => doNothingTracer };
