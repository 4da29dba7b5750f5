/**
 * JSON Schema validation for inputs, structured outputs and tool arguments. Validators are compiled
 * once (per skill at load, per tool at registration) and reused for every run.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import type { JsonSchema, JsonValue } from '@sdl/adapters';
import type { ValueProblem } from '../run/errors.js';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
// ajv-formats is CommonJS with an `exports.default`; NodeNext sees the module object.
const addFormats: FormatsPlugin =
  (formatsModule as unknown as { default?: FormatsPlugin }).default ?? (formatsModule as unknown as FormatsPlugin);

/** A value that passed a schema (with defaults applied), or the problems (JSON Pointer path and message) that failed it. */
export type ValidationResult = { ok: true; value: JsonValue } | { ok: false; problems: ValueProblem[] };

/** A compiled schema check. `validate` never mutates its argument; defaults land in the returned value. */
export interface SchemaValidator {
  readonly schema: JsonSchema;
  /** Checks `value` against `schema`; never mutates it, defaults land in the returned copy. */
  validate(value: unknown): ValidationResult;
}

/** An ajv instance configured the way SDL reads schemas (2020-12, all errors, defaults, formats). */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

let sharedAjv: Ajv2020 | undefined;

/** Compiles a schema into a reusable validator (throws on a schema ajv cannot compile). */
export function compileValidator(schema: JsonSchema, ajv: Ajv2020 = (sharedAjv ??= createAjv())): SchemaValidator {
  const check: ValidateFunction = ajv.compile(schema as object | boolean);
  const mayApplyDefaults = JSON.stringify(schema).includes('"default"');
  return {
    schema,
    validate(value: unknown): ValidationResult {
      // Defaults are written into the value by ajv, so work on a copy when the schema has any.
      const subject = mayApplyDefaults && value !== null && typeof value === 'object' ? structuredClone(value) : value;
      if (check(subject)) return { ok: true, value: subject as JsonValue };
      return { ok: false, problems: describeErrors(check.errors ?? []) };
    },
  };
}

/** Turns ajv errors into one problem per error with a JSON Pointer path and a plain-English message. */
export function describeErrors(errors: readonly ErrorObject[]): ValueProblem[] {
  const problems: ValueProblem[] = [];
  for (const error of errors) {
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required':
        problems.push({
          path: `${error.instancePath}/${String(params.missingProperty)}`,
          message: `required property \`${String(params.missingProperty)}\` is missing`,
        });
        break;
      case 'additionalProperties':
        problems.push({
          path: `${error.instancePath}/${String(params.additionalProperty)}`,
          message: `unknown property \`${String(params.additionalProperty)}\` is not allowed`,
        });
        break;
      case 'enum':
        problems.push({
          path: error.instancePath,
          message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        });
        break;
      case 'const':
        problems.push({ path: error.instancePath, message: `must be ${JSON.stringify(params.allowedValue)}` });
        break;
      default:
        problems.push({ path: error.instancePath, message: error.message ?? `fails \`${error.keyword}\`` });
    }
  }
  return problems;
}
