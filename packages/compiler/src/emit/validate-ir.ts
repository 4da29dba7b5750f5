import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const IR_SCHEMA_URL = new URL('../../../../spec/ir.schema.json', import.meta.url);
let validator: ValidateFunction | undefined;

/** The compiled validator of spec/ir.schema.json, built once per process. */
export function irValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    validator = ajv.compile(JSON.parse(readFileSync(IR_SCHEMA_URL, 'utf8')) as object);
  }
  return validator;
}

/**
 * Checks an IR document against spec/ir.schema.json. Returns the schema errors as short
 * `<pointer> <message>` lines (empty when valid). A failure is a compiler bug, never user error.
 */
export function validateIr(doc: unknown): string[] {
  const validate = irValidator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}
