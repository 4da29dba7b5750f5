/**
 * JSON Schema validation for inputs, structured outputs and tool arguments. Validators are compiled
 * once (per skill at load, per tool at registration) and reused for every run.
 */
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema, JsonValue } from '@sdl/adapters';
import type { ValueProblem } from '../run/errors.js';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;

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
  // ajv and ajv-formats (CommonJS) are required on first use: importing the runtime does not load
  // them, and a host whose skills declare no schemas never does.
  const require = createRequire(import.meta.url);
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as { default?: FormatsPlugin } & FormatsPlugin;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, validateFormats: true });
  (formats.default ?? formats)(ajv);
  return ajv;
}

let sharedAjv: Ajv2020 | undefined;
/**
 * The shared instance's validators by schema text. Compiled bundles carry a copy of every
 * dependency, so the same schema arrives as many objects (ajv caches by object); compiling each
 * text once keeps loading a project's skills from compiling the same schema several times.
 */
const compiledByText = new Map<string, ValidateFunction>();

/** Compiles a schema into a reusable validator (throws on a schema ajv cannot compile). */
export function compileValidator(schema: JsonSchema, ajv?: Ajv2020): SchemaValidator {
  const text = JSON.stringify(schema);
  let check = ajv === undefined ? compiledByText.get(text) : undefined;
  if (check === undefined) {
    check = (ajv ?? (sharedAjv ??= createAjv())).compile(schema as object | boolean);
    if (ajv === undefined) compiledByText.set(text, check);
  }
  const mayApplyDefaults = text.includes('"default"');
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
