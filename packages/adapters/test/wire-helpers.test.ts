import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FaultSpecError,
  fromNeutralToolCallId,
  parseDurationMs,
  parseFaultSpec,
  retryAfterMsFrom,
  toNeutralToolCallId,
  toWireToolCallId,
} from '@sdl/adapters';

const headers = (record: Record<string, string>) => ({ get: (name: string) => record[name.toLowerCase()] ?? null });
const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('retryAfterMsFrom', () => {
  it.each([
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '1.5' }, 1500],
    [{ 'retry-after': 'Sat, 21 Nov 2026 12:00:05 GMT' }, 5000],
    [{ 'retry-after': 'Sat, 21 Nov 2026 11:00:00 GMT' }, 0],
    [{ 'anthropic-ratelimit-requests-reset': '2026-11-21T12:00:30Z', 'anthropic-ratelimit-tokens-reset': '2026-11-21T12:00:10Z' }, 10_000],
    [{ 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-reset-tokens': '20ms' }, 20],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('%j -> %s', (h, expected) => {
    expect(retryAfterMsFrom(headers(h), NOW)).toBe(expected);
  });

  it('ignores reset headers when asked (overload is not a rate-limit window)', () => {
    expect(retryAfterMsFrom(headers({ 'x-ratelimit-reset-requests': '1s' }), NOW, { resetHeaders: false })).toBeUndefined();
  });

  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['7', 7000],
    ['abc', undefined],
    ['1s junk', undefined],
  ])('duration %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
});

describe('tool-call ids', () => {
  it('normalizes provider ids and keeps them recoverable', () => {
    expect(toNeutralToolCallId('toolu_01A')).toBe('call_toolu_01A');
    expect(toNeutralToolCallId('call_abc')).toBe('call_abc');
    expect(fromNeutralToolCallId('call_toolu_01A', 'toolu_')).toBe('toolu_01A');
  });

  it('wire ids always match the strictest provider pattern (property)', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        const wire = toWireToolCallId(toNeutralToolCallId(id));
        expect(wire).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(wire.length).toBeLessThanOrEqual(64);
        // Idempotent: a conversation moved twice keeps the same ids.
        expect(toWireToolCallId(toNeutralToolCallId(wire))).toBe(wire);
      }),
    );
  });
});

describe('fault specs', () => {
  it('parses names, parameters and rates', () => {
    expect(parseFaultSpec('429:0.1,reset:0.05,slow@800:0.2,stall')).toEqual([
      { name: '429', rate: 0.1 },
      { name: 'reset', rate: 0.05 },
      { name: 'slow', param: 800, rate: 0.2 },
      { name: 'stall', rate: 1 },
    ]);
    expect(parseFaultSpec('')).toEqual([]);
  });

  it.each(['teapot', '429:2', '429:x', 'slow@', 'slow@-1', '429@1@2'])('rejects %s', (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
  });
});
