// The schema walk that checks a schema's first values (schema-interpreter.ts) must pass exactly
// the values ajv passes, with ajv's defaults (the runtime's ajv options), for every schema it
// accepts: random schemas of the keyword subset SDL skills use, random values, each compared with
// ajv. Whatever the walk does not pass, compileValidator checks again with ajv.
import type { JsonSchema } from '@sdl/adapters';
import { compileValidator, createAjv } from '@sdl/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret, interpretable } from '../../src/load/schema-interpreter.js';

const ajv = createAjv(false);
// A throw is an outcome too: ajv's deep equality (which the walk uses as well) calls an own
// `toString` member of an object it compares, so `{"toString": 0}` against an enum of objects
// throws (in ajv even after another keyword failed: it checks every keyword).
const outcome = (run: (copy: unknown) => boolean, value: unknown): { valid: boolean | 'throws'; value: unknown } => {
  const copy = structuredClone(value);
  try {
    return { valid: run(copy), value: copy };
  } catch {
    return { valid: 'throws', value: copy };
  }
};
const ajvVerdict = (schema: unknown, value: unknown) => {
  const validate = ajv.compile(schema as object);
  return outcome((copy) => validate(copy) as boolean, value);
};
const ourVerdict = (schema: unknown, value: unknown) => outcome((copy) => interpret(schema, copy), value);

// Property names include ones every object inherits (ajv reads `data[name]`).
const names = fc.constantFrom('a', 'b', 'c', 'toString');
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -4, max: 4 }),
  fc.double({ min: -4, max: 4, noNaN: true }),
  fc.constantFrom('', 'x', 'xy', 'x😀', '2026-11-16', '2026-02-30', '12:00:00Z', 'a@b.co', 'https://e.com/x', '[', '__proto__', 'toString', '_'),
);
const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(names, tie('value'), { maxKeys: 3, noNullPrototype: true })),
}));
const type = fc.constantFrom('object', 'array', 'string', 'number', 'integer', 'boolean', 'null');
const types = fc.oneof(type, fc.uniqueArray(type, { minLength: 1, maxLength: 3 }));
const bound = fc.integer({ min: -3, max: 3 });
const optional = <T>(record: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(record, { requiredKeys: [] });
// A few keywords per schema, grouped by the type they are about, so that values pass often.
const { schema } = fc.letrec<{ schema: unknown }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.boolean(),
    optional({
      type: fc.constant('object'),
      properties: fc.dictionary(names, tie('schema'), { maxKeys: 3, noNullPrototype: true }),
      required: fc.uniqueArray(names, { maxLength: 2 }),
      additionalProperties: tie('schema'),
      default: jsonValue,
      description: fc.constant('annotation'),
    }),
    optional({ type: fc.constant('array'), items: tie('schema'), minItems: fc.nat(2), maxItems: fc.nat(3), uniqueItems: fc.boolean(), default: jsonValue }),
    optional({
      type: fc.constantFrom('string', 'number', 'integer'),
      minimum: bound,
      maximum: bound,
      exclusiveMinimum: bound,
      exclusiveMaximum: bound,
      minLength: fc.nat(3),
      maxLength: fc.nat(3),
      pattern: fc.constantFrom('^x', 'y$', '^\\p{L}+$', '^.{2}$'),
      format: fc.constantFrom('date', 'time', 'date-time', 'email', 'uri', 'regex', 'int32', 'double', 'password'),
      default: jsonValue,
    }),
    optional({ type: types, enum: fc.array(jsonValue, { minLength: 1, maxLength: 3 }), const: jsonValue, anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 2 }), oneOf: fc.array(tie('schema'), { minLength: 1, maxLength: 2 }) }),
  ),
}));
// Schemas whose values are built from their own defaults and constants often, so valid values (and
// the defaults they get) are well covered, not only refusals.
const schemaAndValue = schema.chain((s) => {
  const seeds: unknown[] = [];
  const collect = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'default' || key === 'const') seeds.push(value);
      else if (key === 'enum') seeds.push(...(value as unknown[]));
      else collect(value);
    }
  };
  collect(s);
  const fromSchema = seeds.length === 0 ? jsonValue : fc.oneof(fc.constantFrom(...seeds), fc.dictionary(names, fc.constantFrom(...seeds), { maxKeys: 3, noNullPrototype: true }), fc.array(fc.constantFrom(...seeds), { maxLength: 3 }));
  return fc.tuple(fc.constant(s), fc.oneof(jsonValue, fromSchema, fc.constant({}), fc.constant([])));
});

describe('the schema walk against ajv', () => {
  it('gives ajv’s verdict and ajv’s defaults for any schema of the subset and any value', () => {
    let valid = 0;
    fc.assert(
      fc.property(schemaAndValue, ([s, value]) => {
        expect(interpretable(s)).toBe(true);
        const expected = ajvVerdict(s, value);
        const ours = ourVerdict(s, value);
        // Only a pass is the walk's answer: for anything else compileValidator asks ajv again.
        expect(ours.valid === true).toBe(expected.valid === true);
        if (expected.valid === true) {
          valid++;
          expect(ours.value).toEqual(expected.value);
        }
      }),
      { numRuns: 300 },
    );
    // The comparison means something only if many values pass (about 1 in 5 does; 1 in 10 is a
    // bound no seed falls under in practice, so the check cannot flake).
    expect(valid).toBeGreaterThan(30);
  });

  it.each<[string, unknown, unknown[]]>([
    ['a required property every object inherits', { type: 'object', required: ['toString'] }, [{}, { toString: 1 }]],
    ['a default inside anyOf is not assigned; one beside it is', { type: 'object', properties: { a: { default: 1 } }, anyOf: [{ properties: { b: { default: 2 } } }] }, [{}, { a: 3 }]],
    ['const sees the value before its defaults', { type: 'object', properties: { a: { default: 1 } }, const: { a: 1 } }, [{}, { a: 1 }]],
    ['uniqueItems on strings and the index ajv keeps', { type: 'array', items: { type: 'string' }, uniqueItems: true }, [['__proto__', '__proto__'], ['x', 'x'], ['x', 'y']]],
    ['uniqueItems after the items got their defaults', { type: 'array', uniqueItems: true, items: { type: 'object', properties: { a: { default: 1 } } } }, [[{}, { a: 1 }], [{}, {}]]],
    ['number formats and code-point lengths', { type: ['number', 'string'], format: 'int32', maxLength: 1 }, [1, 2 ** 40, '😀', 'xy']],
  ])('%s', (_, s, values) => {
    for (const value of values) {
      const expected = ajvVerdict(s, value);
      const ours = ourVerdict(s, value);
      expect(ours.valid === true).toBe(expected.valid === true);
      if (expected.valid === true) expect(ours.value).toEqual(expected.value);
    }
  });

  it('leaves references, other keywords and a __proto__ property to ajv', () => {
    expect(interpretable({ $ref: '#/x' })).toBe(false);
    expect(interpretable({ type: 'object', patternProperties: { '^a': {} } })).toBe(false);
    expect(interpretable({ allOf: [{ type: 'string' }] })).toBe(false);
    expect(interpretable({ type: 'object', properties: { a: { not: {} } } })).toBe(false);
    expect(interpretable(JSON.parse('{"properties":{"__proto__":{"type":"string"}}}'))).toBe(false);
    expect(interpretable({ type: 'object', properties: { a: { type: 'string', minLength: 1, description: 'x' } }, required: ['a'] })).toBe(true);
  });
});

describe('compileValidator with the walk first', () => {
  it('gives the same results as ajv before and after it compiles the schema, problems from ajv', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 1 }, tags: { type: 'array', items: { type: 'string' }, default: [] } }, required: ['n'], description: `walk ${Math.random()}` } as JsonSchema;
    const reference = compileValidator(schema, createAjv());
    const ours = compileValidator(schema);
    const values: unknown[] = [{ n: 1 }, { n: 0 }, {}, { n: 2, tags: ['a'] }, { n: 2, tags: [1] }, 'no'];
    // Past the walk's share of validations (64), so both ways are compared.
    for (let round = 0; round < 15; round++) for (const value of values) expect(ours.validate(value)).toEqual(reference.validate(value));
  });

  it('never changes the caller’s value', () => {
    const schema = { type: 'object', properties: { a: { default: 1 } }, description: `walk ${Math.random()}` } as JsonSchema;
    const value = {};
    expect(compileValidator(schema).validate(value)).toEqual({ ok: true, value: { a: 1 } });
    expect(value).toEqual({});
  });
});
