import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** A JSON Schema node as plain data (the subset this module navigates). */
export type SchemaNode = { [keyword: string]: unknown };

// Shipped in the package (`schemas/`); src/schema and dist/schema sit at the same depth, so it is found from either.
const SCHEMA_URL = new URL('../../schemas/sdl.schema.json', import.meta.url);

let cached: { schema: SchemaNode; ajv: Ajv2020; validate: ValidateFunction; id: string } | undefined;
const subValidators = new Map<string, ValidateFunction>();

function load(): NonNullable<typeof cached> {
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as SchemaNode;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  // ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  const validate = ajv.compile(schema);
  cached = { schema, ajv, validate, id: String(schema.$id) };
  return cached;
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
    const { ajv, id } = load();
    validate = ajv.getSchema(`${id}#${pointer}`);
    if (!validate) throw new Error(`no sub-schema at ${pointer}`);
    subValidators.set(pointer, validate);
  }
  return validate;
}
