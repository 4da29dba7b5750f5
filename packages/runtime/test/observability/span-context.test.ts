import { createContextKey, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ChildContext, SPAN_KEY, withSpan } from '../../src/observability/span-context.js';

const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
const other = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319d', spanId: 'b7ad6b7169203332', traceFlags: 1 });
const BAGGAGE = createContextKey('test baggage');
const parent = ROOT_CONTEXT.setValue(BAGGAGE, 'kept').setValue(SPAN_KEY, other);

describe('withSpan: the same values as trace.setSpan for every key', () => {
  const cases: Array<{ name: string; make: (c: Context) => Context; key: symbol; expected: unknown }> = [
    { name: 'the span, found by trace.getSpan', make: (c) => c, key: SPAN_KEY, expected: span },
    { name: "the parent's other values", make: (c) => c, key: BAGGAGE, expected: 'kept' },
    { name: 'a value set on it', make: (c) => c.setValue(BAGGAGE, 'new'), key: BAGGAGE, expected: 'new' },
    { name: 'a value deleted from it', make: (c) => c.deleteValue(BAGGAGE), key: BAGGAGE, expected: undefined },
    { name: 'the span deleted (trace.deleteSpan)', make: (c) => trace.deleteSpan(c), key: SPAN_KEY, expected: undefined },
    { name: 'a span set over it', make: (c) => trace.setSpan(c, other), key: SPAN_KEY, expected: other },
  ];
  it.each(cases)('$name', ({ make, key, expected }) => {
    const ours = make(withSpan(parent, span));
    const api = make(trace.setSpan(parent, span));
    expect(ours.getValue(key)).toBe(expected);
    expect(api.getValue(key)).toBe(expected);
  });

  it('is the key the API stores spans under, and leaves its parent unchanged', () => {
    const child = withSpan(parent, span);
    expect(child).toBeInstanceOf(ChildContext);
    expect(trace.getSpan(child)).toBe(span);
    child.setValue(BAGGAGE, 'changed');
    expect(child.getValue(BAGGAGE)).toBe('kept');
    expect(trace.getSpan(parent)).toBe(other);
  });
});
