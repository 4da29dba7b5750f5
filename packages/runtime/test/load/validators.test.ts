// compileValidator without an ajv of the caller's: schemas are checked against the meta-schema
// generated at build time, compiled by an instance that does not check them again, and compiled on
// first use when nothing else can fail. Each row must behave exactly as ajv compiling the schema
// with its own checks (createAjv()) does: the same error at the same moment (compileValidator's
// call), the same verdicts and defaults.
import { createRequire } from 'node:module';
import type { JsonSchema } from '@sdl/adapters';
import { compileValidator, createAjv } from '@sdl/runtime';
import { loadStandaloneValidators } from '@sdl/compiler/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const ajvError = (schema: JsonSchema): string | undefined => {
  try {
    createAjv().compile(schema as object);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};
const ourError = (schema: JsonSchema): string | undefined => {
  try {
    compileValidator(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

// Distinct texts per test run (the shared instance caches by text), so each row is compiled here.
let n = 0;
const fresh = (schema: Record<string, unknown>): JsonSchema => ({ ...schema, description: `row ${n++} ${Math.random()}` }) as JsonSchema;

describe('compileValidator against ajv compiling with its own schema checks', () => {
  it('the generated meta-schema validator is current for the installed ajv', () => {
    const { version } = createRequire(import.meta.url)('ajv/package.json') as { version: string };
    const generated = loadStandaloneValidators(
      new URL('../../generated/json-schema-meta.cjs', import.meta.url),
      `ajv@${version} https://json-schema.org/draft/2020-12/schema`,
    );
    expect(generated, 'packages/runtime/generated/json-schema-meta.cjs is missing or stale: run `npm run build`').toBeDefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown type', { type: 'nonsense' }],
    ['a negative bound', { type: 'object', properties: { a: { type: 'string', minLength: -1 } } }],
    ['required as a string', { type: 'object', required: 'a' }],
    ['a nested bad type under $defs', { $defs: { x: { type: 'strin' } } }],
    ['items as a number', { type: 'array', items: 3 }],
    ['a pattern that is not a u regex', { type: 'string', pattern: '\\p{Nope}' }],
    ['a patternProperties key that is not a u regex', { type: 'object', patternProperties: { '(': { type: 'string' } } }],
    ['a $ref to nothing', { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } }],
    ['a remote $ref', { $ref: 'https://example.com/nowhere.json' }],
    ['another meta-schema', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' }],
    ['an unknown $schema', { $schema: 'https://example.com/meta', type: 'string' }],
  ])('%s fails at compileValidator with ajv’s message', (_, schema) => {
    const row = fresh(schema);
    const expected = ajvError(row);
    expect(expected).toBeDefined();
    expect(ourError(row)).toBe(expected);
  });

  const valid: [string, Record<string, unknown>, unknown[]][] = [
    ['an object with defaults', { type: 'object', properties: { a: { type: 'string', default: 'x' }, b: { type: 'integer', minimum: 1 } }, required: ['b'] }, [{ b: 2 }, { b: 0 }, {}, { a: 1, b: 3 }, 'no']],
    ['formats and patterns', { type: 'object', properties: { d: { type: 'string', format: 'date' }, p: { type: 'string', pattern: '^[a-z]+$' } } }, [{ d: '2026-12-02' }, { d: 'yesterday' }, { p: 'abc' }, { p: 'A1' }]],
    ['a local $ref (compiled at once)', { $defs: { n: { type: 'number' } }, type: 'array', items: { $ref: '#/$defs/n' } }, [[1, 2], [1, 'x'], 'no']],
    ['an unknown format (compiled at once; ajv warns)', { type: 'string', format: 'not-a-format' }, ['x']],
    ['enum, const, oneOf', { oneOf: [{ enum: ['a', 'b'] }, { const: 3 }] }, ['a', 3, 'c', 4]],
  ];
  it.each(valid)('%s: same verdicts, problems and defaults', (_, schema, values) => {
    const row = fresh(schema);
    const reference = compileValidator(row, createAjv());
    const ours = compileValidator(row);
    for (const value of values) expect(ours.validate(value)).toEqual(reference.validate(value));
  });

  it('a schema compiled on first use gives the same verdicts as one compiled at once, for any value', () => {
    const schema = fresh({ type: 'object', properties: { name: { type: 'string', minLength: 2 }, tags: { type: 'array', items: { type: 'string' }, default: [] } }, required: ['name'] });
    const reference = compileValidator(schema, createAjv());
    const ours = compileValidator(schema);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(ours.validate(value)).toEqual(reference.validate(value));
      }),
      { numRuns: 300 },
    );
  });
});
