import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertSafePattern,
  luhnValid,
  MiddlewareChain,
  redactionMiddleware,
  Redactor,
  UnsafePatternError,
} from '@sdl/runtime';
import { FakeAdapter, makeContext, policies } from '../middleware/support.js';

const all = new Redactor();

describe('Redactor (built-in patterns)', () => {
  it.each([
    ['email', 'write to jane.doe+x@example.co.uk today', 'write to [REDACTED:email] today'],
    ['email after punctuation', 'mailto:bob@example.com,(ann@corp.io)', 'mailto:[REDACTED:email],([REDACTED:email])'],
    ['visa, spaced', 'card 4111 1111 1111 1111 ok', 'card [REDACTED:credit_card] ok'],
    ['amex, dashed', 'card 3782-822463-10005', 'card [REDACTED:credit_card]'],
    ['ssn', 'ssn 123-45-6789.', 'ssn [REDACTED:ssn].'],
    ['us phone', 'call (415) 555-2671 now', 'call [REDACTED:phone] now'],
    ['intl phone', 'call +44 20 7946 0958 now', 'call [REDACTED:phone] now'],
    ['openai key', 'key sk-proj-abcdefghijklmnop1234567890', 'key [REDACTED:api_key]'],
    ['anthropic key', 'key sk-ant-api03-abcdefghijklmnopqrstu_vwxyz', 'key [REDACTED:api_key]'],
    ['aws key', 'AKIAIOSFODNN7EXAMPLE is it', '[REDACTED:api_key] is it'],
    ['bearer', 'Authorization: Bearer abc.def-ghi_jkl123456', 'Authorization: [REDACTED:api_key]'],
    ['hex secret', 'token 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'token [REDACTED:api_key]'],
    ['base64 secret', 'secret dGhpcyBpcyBhIHZlcnkgc2VjcmV0IHZhbHVlIDEyMzQ1Njc4OTA=', 'secret [REDACTED:api_key]'],
  ])('%s', (_name, input, expected) => {
    expect(all.redact(input)).toBe(expected);
  });

  it.each([
    ['a number failing Luhn', 'order 4111 1111 1111 1112'],
    ['an invalid SSN area', 'id 000-12-3456'],
    ['a date', 'on 2026-11-21'],
    ['plain words', 'the quick brown fox'],
    ['a short number', 'room 1234'],
  ])('leaves %s alone', (_name, input) => {
    expect(all.redact(input)).toBe(input);
  });

  it('Luhn accepts valid card numbers and rejects one-digit changes', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111121')).toBe(false);
  });

  it('applies only the kinds the policy names', () => {
    const emailOnly = new Redactor({ kinds: ['email'] });
    expect(emailOnly.redact('a@b.io 123-45-6789')).toBe('[REDACTED:email] 123-45-6789');
  });

  it('applies custom patterns from the policy', () => {
    const r = new Redactor({ kinds: [], custom: [{ name: 'employee_id', pattern: 'EMP-[0-9]{6}' }] });
    expect(r.redact('ask EMP-123456 about it')).toBe('ask [REDACTED:employee_id] about it');
  });

  it.each([
    ['nested quantifier', '(a+)+$'],
    ['quantified alternation', '(a|aa)*b'],
    ['backreference', '(a)\\1'],
    ['lookahead', 'a(?=b)'],
    ['invalid', '([a-z'],
  ])('refuses an unsafe custom pattern: %s', (_name, pattern) => {
    expect(() => assertSafePattern('p', pattern)).toThrow(UnsafePatternError);
  });

  it('redacted output never contains a planted email, card or key (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (before, after) => {
        const planted = `${before} mail bob@example.com card 4111111111111111 key sk-abcdefghijklmnopqrstuv123 ${after}`;
        const out = all.redact(planted);
        return !out.includes('bob@example.com') && !out.includes('4111111111111111') && !out.includes('sk-abcdefghijklmnopqrstuv123');
      }),
      { numRuns: 200 },
    );
  });

  // Adversarial inputs for every pattern: long runs that almost match. Backtracking blow-ups take
  // seconds to minutes on 100 KB; linear patterns take milliseconds.
  it.each([
    ['letters', 'a'.repeat(100_000)],
    ['digits', '1'.repeat(100_000)],
    ['digits and spaces', '1 '.repeat(50_000)],
    ['dotted local part', 'a.'.repeat(50_000) + '@'],
    ['at signs', 'a@'.repeat(50_000)],
    ['hex run', 'ab12'.repeat(25_000)],
    ['base64-ish run', 'Ab1+'.repeat(25_000) + '!'],
    ['phone-like', '+1 '.repeat(33_000)],
    ['dashes', '123-'.repeat(25_000)],
    ['bearer spam', 'Bearer '.repeat(14_000)],
    ['digits and dashes', '1-'.repeat(50_000)],
    ['email-like chain', 'a@b.'.repeat(25_000)],
  ])('stays linear on 100 KB of %s', (_name, input) => {
    const started = performance.now();
    all.redact(input);
    // Linear patterns take 5-150 ms here on a loaded machine; a backtracking blow-up takes minutes.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('redaction middleware', () => {
  it('redacts system, messages, tool arguments and tool results before the adapter sees them', async () => {
    const adapter = new FakeAdapter([{ reply: 'ok' }]);
    const chain = new MiddlewareChain([{ name: 'redaction', middleware: redactionMiddleware() }]);
    const { ctx } = makeContext(adapter, { policies: policies({ redact: { kinds: ['email', 'credit_card'], custom: [] } }) });
    ctx.request = {
      model: 'm',
      system: 'owner: ann@corp.com',
      messages: [
        { role: 'user', content: 'my card is 4111-1111-1111-1111' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: { email: 'ann@corp.com' } }] },
        { role: 'tool', toolCallId: 'call_1', name: 'lookup', content: '{"email":"ann@corp.com"}' },
      ],
    };
    await chain.run(ctx);
    const sent = JSON.stringify(adapter.requests[0]);
    expect(sent).not.toContain('ann@corp.com');
    expect(sent).not.toContain('4111-1111-1111-1111');
    expect(sent).toContain('[REDACTED:email]');
    expect(sent).toContain('[REDACTED:credit_card]');
  });
});
