// The one-loop check of flat object schemas (flat-object-check.ts) must give ajv's verdict (the
// runtime's ajv options) for every schema it takes: random flat schemas and random values, each
// compared with ajv; compileValidator's answers, problems included, stay ajv's.
import { compileValidator, createAjv } from '@sdl/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flatObjectCheck } from '../../src/load/flat-object-check.js';

const ajv = createAjv(false);
// Names include ones every object inherits (ajv reads `data[name]`).
const names = fc.constantFrom('a', 'b', 'c', 'toString', 'constructor');
const scalarType = fc.constantFrom('string', 'number', 'integer', 'boolean', 'null');
const flatSchema = fc.record(
  {
    type: fc.constant('object'),
    properties: fc.dictionary(names, fc.record({ type: scalarType, description: fc.constant('d') }, { requiredKeys: ['type'] }), { maxKeys: 4, noNullPrototype: true }),
    required: fc.uniqueArray(names, { maxLength: 3 }),
    additionalProperties: fc.boolean(),
    title: fc.constant('t'),
  },
  { requiredKeys: ['type'] },
);
const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.double({ min: -3, max: 3 }), fc.constantFrom('', 'x', '1'), fc.constant(undefined));
const value = fc.oneof(
  fc.dictionary(names, scalar, { maxKeys: 4 }),
  fc.dictionary(fc.constantFrom('a', 'b', 'zz'), scalar, { maxKeys: 3 }).map((own) => Object.assign(Object.create({ c: 'inherited', d: 1 }) as object, own)),
  scalar,
  fc.array(scalar, { maxLength: 2 }),
  fc.dictionary(names, fc.array(scalar, { maxLength: 1 }), { maxKeys: 2 }),
);

describe('flat object check', () => {
  it('gives ajv’s verdict for any flat schema and any value', () => {
    fc.assert(
      fc.property(flatSchema, fc.array(value, { minLength: 1, maxLength: 6 }), (schema, values) => {
        const flat = flatObjectCheck(schema);
        expect(flat).toBeTypeOf('function');
        const validate = ajv.compile(schema);
        for (const v of values) expect(flat!(v), JSON.stringify({ schema, v })).toBe(validate(v));
      }),
      { numRuns: 400 },
    );
  });

  it('takes only the flat shape', () => {
    for (const other of [
      { type: 'object', properties: { a: { type: 'string', minLength: 1 } } },
      { type: 'object', properties: { a: { type: ['string', 'null'] } } },
      { type: 'object', properties: { a: { type: 'string', default: 'x' } } },
      { type: 'object', properties: { a: { type: 'object' } } },
      { type: 'object', properties: { a: { enum: ['x'] } } },
      { type: 'object', additionalProperties: { type: 'string' } },
      { type: 'object', minProperties: 1 },
      { properties: { a: { type: 'string' } } },
      JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}'),
      true,
    ])
      expect(flatObjectCheck(other), JSON.stringify(other)).toBeUndefined();
    expect(flatObjectCheck({ type: 'object', required: ['question'], properties: { question: { type: 'string' } } })).toBeTypeOf('function');
  });

  it('leaves the problems of a value it does not pass to ajv', () => {
    const schema = { type: 'object', required: ['question'], properties: { question: { type: 'string' }, n: { type: 'integer' } }, additionalProperties: false } as const;
    const validator = compileValidator(schema);
    const check = ajv.compile(schema);
    for (const v of [{ question: 'q' }, { question: 'q', n: 2 }, { question: 1 }, {}, { question: 'q', n: 1.5, x: true }, [], 'q']) {
      const result = validator.validate(v);
      expect(result.ok, JSON.stringify(v)).toBe(check(v));
      if (result.ok) expect(result.value).toBe(v);
      else expect(result.problems.length).toBe(check.errors!.length);
    }
    expect(validator.validate({ question: 1, x: 2 })).toEqual({
      ok: false,
      problems: [
        { path: '/x', message: 'unknown property `x` is not allowed' },
        { path: '/question', message: 'must be string' },
      ],
    });
  });
});
