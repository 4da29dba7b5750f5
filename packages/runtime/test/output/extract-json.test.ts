import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileValidator, extractJson, parseStructuredReply, repairRequest } from '@sdl/runtime';

describe('extractJson', () => {
  it.each([
    ['bare object', '{"a":1}', { a: 1 }, 'whole'],
    ['bare array with spaces', '  [1, 2]\n', [1, 2], 'whole'],
    ['json fence', 'Result:\n```json\n{"a": 1}\n```', { a: 1 }, 'fence'],
    ['untagged fence', '```\n[true]\n```', [true], 'fence'],
    ['json fence preferred over another', '```text\n{not json}\n```\n```json\n{"b":2}\n```', { b: 2 }, 'fence'],
    ['object in prose', 'Sure, here it is: {"a": "x}y"} — enjoy!', { a: 'x}y' }, 'embedded'],
    ['skips a non-JSON brace first', 'Use {braces} like {"k": [1, {"n": null}]} ok', { k: [1, { n: null }] }, 'embedded'],
    ['escaped quotes inside strings', 'x {"q": "say \\"hi\\" {"} y', { q: 'say "hi" {' }, 'embedded'],
  ])('%s', (_, reply, value, from) => {
    expect(extractJson(reply)).toEqual({ ok: true, value, from });
  });

  it.each([
    ['empty', '   ', 'the reply is empty'],
    ['prose only', 'I cannot do that.', 'no JSON value found in the reply (expected a JSON object or array)'],
    ['broken fence', '```json\n{"a": }\n```', 'the fenced code block is not valid JSON'],
  ])('fails on %s with a reason', (_, reply, reason) => {
    const result = extractJson(reply);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('finds any JSON object or array embedded in prose without braces (property)', () => {
    const prose = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.', ':', '\n', 'é', '"') });
    const json = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()));
    fc.assert(
      fc.property(prose, json, prose, fc.boolean(), (before, value, after, fenced) => {
        const body = JSON.stringify(value, null, fenced ? 2 : undefined);
        const reply = fenced ? `${before}\n\`\`\`json\n${body}\n\`\`\`\n${after}` : `${before} ${body} ${after}`;
        const result = extractJson(reply);
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value).toEqual(JSON.parse(body));
      }),
      { numRuns: 300 },
    );
  });

  it('bounds its work on long replies full of unmatched braces', () => {
    const reply = '{'.repeat(200_000);
    const started = performance.now();
    expect(extractJson(reply).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('parseStructuredReply / repairRequest', () => {
  const schema = { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } };
  const validator = compileValidator(schema);

  it('validates the extracted value', () => {
    expect(parseStructuredReply('```json\n{"n": 3}\n```', validator)).toEqual({ ok: true, value: { n: 3 } });
    expect(parseStructuredReply('{"n": 3.5}', validator)).toEqual({ ok: false, problems: [{ path: '/n', message: 'must be integer' }] });
  });

  it('words the repair request with each problem and the schema', () => {
    expect(repairRequest([{ path: '/n', message: 'must be integer' }], schema)).toBe(
      'Your previous reply could not be used because it is not a JSON value matching the required schema:\n' +
        '- /n: must be integer\n\n' +
        'Reply again with only the corrected JSON value (no prose, no code fences). The schema is:\n' +
        JSON.stringify(schema),
    );
  });
});
