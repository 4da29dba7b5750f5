import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { loadStandaloneValidators } from './standalone.js';

/** A JSON Schema node as plain data (the subset this module navigates). */
export type SchemaNode = { [keyword: string]: unknown };

// Shipped in the package (`schemas/`); src/schema and dist/schema sit at the same depth, so it is found from either.
const SCHEMA_URL = new URL('../../schemas/sdl.schema.json', import.meta.url);
// Written by scripts/build-validators.mjs at build time (package root, like `schemas/`).
const GENERATED_URL = new URL('../../generated/sdl-schema.cjs', import.meta.url);

let cached: { schema: SchemaNode; validate: ValidateFunction; at: (pointer: string) => ValidateFunction | undefined } | undefined;
const subValidators = new Map<string, ValidateFunction>();

function load(): NonNullable<typeof cached> {
  if (cached) return cached;
  const text = readFileSync(SCHEMA_URL, 'utf8');
  const schema = JSON.parse(text) as SchemaNode;
  const generated = loadStandaloneValidators(GENERATED_URL, text);
  const id = String(schema.$id);
  let compiler: Ajv2020 | undefined;
  const compiled = (): Ajv2020 => (compiler ??= compilingAjv(schema));
  const at = (pointer: string): ValidateFunction | undefined =>
    (generated?.at(pointer) as ValidateFunction | undefined) ?? compiled().getSchema(`${id}#${pointer}`);
  cached = { schema, validate: (generated?.validate as ValidateFunction | undefined) ?? compiled().getSchema(id)!, at };
  return cached;
}

/**
 * An ajv instance holding the schema, for a checkout that was not built (or a schema changed since
 * the build), with the options scripts/build-validators.mjs uses. ajv is CommonJS and required only
 * here, so a built package does not load ajv's compiler.
 */
function compilingAjv(schema: SchemaNode): Ajv2020 {
  const require = createRequire(import.meta.url);
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as { default?: (a: Ajv2020) => void } & ((a: Ajv2020) => void);
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  (formats.default ?? formats)(ajv);
  ajv.addSchema(schema);
  return ajv;
}

/** The SDL skill-file JSON Schema (`schemas/sdl.schema.json` of this package), loaded once per process. */
export function skillSchema(): SchemaNode {
  return load().schema;
}

/** The ajv validator of the whole skill file, compiled once per process. */
export function skillValidator(): ValidateFunction {
  return load().validate;
}

/** A validator for the sub-schema at a JSON Pointer into the skill schema (e.g. `/$defs/prompt_step`), cached. */
export function subSchemaValidator(pointer: string): ValidateFunction {
  let validate = subValidators.get(pointer);
  if (!validate) {
    validate = load().at(pointer);
    if (!validate) throw new Error(`no sub-schema at ${pointer}`);
    subValidators.set(pointer, validate);
  }
  return validate;
}
