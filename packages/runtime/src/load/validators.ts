/**
 * JSON Schema validation for inputs, structured outputs and tool arguments. Validators are compiled
 * once (per skill at load, per tool at registration) and reused for every run.
 */
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { loadStandaloneValidators, requireOneFileCopy, type StandaloneValidator } from '@sdl/compiler/core';
import type { JsonSchema, JsonValue } from '@sdl/adapters';
import type { ValueProblem } from '../run/errors.js';
import { flatObjectCheck } from './flat-object-check.js';
import { interpret, interpretable } from './schema-interpreter.js';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;

/** A value that passed a schema (with defaults applied), or the problems (JSON Pointer path and message) that failed it. */
export type ValidationResult = { ok: true; value: JsonValue } | { ok: false; problems: ValueProblem[] };

/** A compiled schema check. `validate` never mutates its argument; defaults land in the returned value. */
export interface SchemaValidator {
  readonly schema: JsonSchema;
  /** Checks `value` against `schema`; never mutates it, defaults land in the returned copy. */
  validate(value: unknown): ValidationResult;
}

/**
 * An ajv instance configured the way SDL reads schemas (2020-12, all errors, defaults, formats).
 * @param checksSchemas - false for an instance that trusts its caller to have checked each schema against the meta-schema
 */
export function createAjv(checksSchemas = true): Ajv2020 {
  const { Ajv2020: Ajv, addFormats: formats } = ajvModules();
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, validateFormats: true, ...(checksSchemas ? {} : { validateSchema: false }) });
  (formats.default ?? formats)(ajv);
  return ajv;
}

type AjvModules = { Ajv2020: typeof import('ajv/dist/2020.js').Ajv2020; addFormats: { default?: FormatsPlugin } & FormatsPlugin };

/**
 * ajv and ajv-formats (CommonJS), required on first use: importing the runtime does not load them,
 * and a host whose skills declare no schemas never does. Read from the build's one-file copy
 * (package root: src/load and dist/bundle sit at the same depth).
 */
function ajvModules(): AjvModules {
  return requireOneFileCopy(new URL('../../generated/ajv.cjs', import.meta.url), 'ajv', () => {
    const require = createRequire(import.meta.url);
    return { Ajv2020: (require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020, addFormats: require('ajv-formats') as AjvModules['addFormats'] };
  });
}

// Written by scripts/build-validators.mjs at build time (package root: src/load and dist/load sit at the same depth).
const GENERATED_META_VALIDATOR = new URL('../../generated/json-schema-meta.cjs', import.meta.url);
let metaValidator: StandaloneValidator | null | undefined;

/**
 * The JSON Schema 2020-12 meta-schema check generated at build time from the installed ajv's copy,
 * or null (an unbuilt checkout, another ajv version): then schemas are compiled by an instance that
 * checks them itself. Compiling the meta-schema is most of the cost of ajv's first compile.
 */
function generatedMetaValidator(): StandaloneValidator | null {
  if (metaValidator === undefined) {
    const { version } = createRequire(import.meta.url)('ajv/package.json') as { version: string };
    metaValidator = loadStandaloneValidators(GENERATED_META_VALIDATOR, `ajv@${version} https://json-schema.org/draft/2020-12/schema`)?.validate ?? null;
  }
  return metaValidator;
}

/** ajv's `errorsText()` (data path and message, comma-separated), without loading ajv. */
function errorsText(errors: readonly ErrorObject[]): string {
  return errors.map((e) => `data${e.instancePath} ${e.message ?? ''}`).join(', ');
}

/**
 * The instance for schemas already checked against the generated meta-schema validator: it holds no
 * meta-schema of its own (`meta: false`, adding them is most of creating an instance) and skips
 * ajv's optimising passes over the generated code (`code.optimize: 0`), which cost about as much
 * as generating it and change no verdict: a cold start compiles a schema to use it a few times.
 */
function createTrustingAjv(): Ajv2020 {
  const { Ajv2020: Ajv, addFormats: formats } = ajvModules();
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, validateFormats: true, validateSchema: false, meta: false, code: { optimize: 0 } });
  (formats.default ?? formats)(ajv);
  return ajv;
}

let checkingAjv: Ajv2020 | undefined;
let trustingAjv: Ajv2020 | undefined;

/**
 * Compiles with the shared instances: a schema that names no other meta-schema is checked against
 * the generated meta-schema validator (the error is ajv's own: `schema is invalid: ...`) and then
 * compiled without ajv checking it again.
 */
function compileShared(schema: JsonSchema): ValidateFunction {
  const meta = generatedMetaValidator();
  const namesMeta = schema !== null && typeof schema === 'object' && '$schema' in schema;
  if (meta === null || namesMeta) return (checkingAjv ??= createAjv()).compile(schema as object | boolean);
  if (!meta(schema)) throw new Error(`schema is invalid: ${errorsText((meta.errors ?? []) as ErrorObject[])}`);
  return (trustingAjv ??= createTrustingAjv()).compile(schema as object | boolean);
}

/**
 * The shared instance's validators by schema text. Compiled bundles carry a copy of every
 * dependency, so the same schema arrives as many objects (ajv caches by object); compiling each
 * text once keeps loading a project's skills from compiling the same schema several times.
 */
const compiledByText = new Map<string, ValidateFunction>();

/**
 * Schema texts compilesForSure accepted, each with whether the walk can check it: the same schema
 * arrives from several skills, tools and bundles, and its meta-schema check is done once.
 */
const sureByText = new Map<string, boolean>();

/** The formats ajv-formats 3 defines (`fullFormats`); a schema using another is compiled at once (ajv warns about it). */
const KNOWN_FORMATS = new Set([
  'date', 'time', 'date-time', 'iso-time', 'iso-date-time', 'duration', 'uri', 'uri-reference', 'uri-template', 'url', 'email',
  'hostname', 'ipv4', 'ipv6', 'regex', 'uuid', 'json-pointer', 'json-pointer-uri-fragment', 'relative-json-pointer', 'byte',
  'int32', 'int64', 'float', 'double', 'password', 'binary',
]);

/** Keys that make ajv resolve or register something at compile time (references, ids, another meta-schema). */
const RESOLVING_KEYS = new Set(['$ref', '$dynamicRef', '$recursiveRef', '$id', '$anchor', '$dynamicAnchor', '$recursiveAnchor', '$schema']);

/**
 * True when compiling `schema` cannot fail (so it may wait for its first use), false when only
 * compiling can tell; throws ajv's own error when the schema fails the meta-schema. Besides the
 * meta-schema, ajv (strict off) fails a compile on references it cannot resolve, ids it already
 * holds and patterns that are not valid `u` regular expressions: a schema with any reference or
 * id, or a pattern that does not compile, or an unknown format (ajv warns at compile), returns
 * false. Conservative: a property merely named like a keyword also counts.
 */
function compilesForSure(schema: JsonSchema): boolean {
  const meta = generatedMetaValidator();
  if (meta === null || (schema !== null && typeof schema === 'object' && '$schema' in schema)) return false;
  if (!meta(schema)) throw new Error(`schema is invalid: ${errorsText((meta.errors ?? []) as ErrorObject[])}`);
  const sound = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.every(sound);
    if (node === null || typeof node !== 'object') return true;
    for (const [key, value] of Object.entries(node)) {
      if (RESOLVING_KEYS.has(key)) return false;
      if (key === 'pattern' && typeof value === 'string' && !compilesAsPattern(value)) return false;
      if (key === 'patternProperties' && value !== null && typeof value === 'object' && !Object.keys(value).every(compilesAsPattern)) return false;
      if (key === 'format' && typeof value === 'string' && !KNOWN_FORMATS.has(value)) return false;
      if (!sound(value)) return false;
    }
    return true;
  };
  return sound(schema);
}

/** Whether ajv (`unicodeRegExp` on, its default) accepts `pattern`. */
function compilesAsPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** The shared instances' validator for a schema text, compiled once. */
function sharedValidator(text: string, schema: JsonSchema): ValidateFunction {
  let check = compiledByText.get(text);
  if (check === undefined) {
    check = compileShared(schema);
    compiledByText.set(text, check);
  }
  return check;
}

/**
 * How many values a schema that `interpretable` accepts is checked by walking it before it
 * is compiled with ajv: a cold start checks one or two (and pays neither ajv's load nor its code
 * generation), a busy process soon runs ajv's generated code.
 */
const INTERPRETED_VALIDATIONS = 64;

/**
 * Compiles a schema into a reusable validator (throws on a schema ajv cannot compile). Without
 * `ajv`, a schema that is sure to compile (it passes the meta-schema and makes ajv resolve
 * nothing, see compilesForSure) is compiled on its first use: a project's skills and tools declare
 * many schemas a given process never validates against, and ajv's compile is most of loading them.
 * Such a schema with only the keywords SDL skills use is not compiled for its first
 * 64 values: they are checked by schema-interpreter.ts, which gives
 * ajv's verdicts and defaults; a value it refuses is checked again by ajv, for ajv's messages.
 * The errors stay those of loading either way.
 */
export function compileValidator(schema: JsonSchema, ajv?: Ajv2020): SchemaValidator {
  const text = JSON.stringify(schema);
  let check: ValidateFunction | undefined;
  let interpretations = 0;
  if (ajv !== undefined) check = ajv.compile(schema as object | boolean);
  else if (!compiledByText.has(text)) {
    let walkable = sureByText.get(text);
    if (walkable === undefined) {
      if (!compilesForSure(schema)) check = sharedValidator(text, schema);
      else sureByText.set(text, (walkable = interpretable(schema)));
    }
    if (walkable === true) interpretations = INTERPRETED_VALIDATIONS;
  }
  const mayApplyDefaults = text.includes('"default"');
  // Defaults are written into the value (by ajv or the walk), so work on a copy when the schema has any.
  const copy = (value: unknown) => (mayApplyDefaults && value !== null && typeof value === 'object' ? structuredClone(value) : value);
  // An object of scalar properties passes by one loop (flat-object-check.ts); what it does not pass goes on below.
  const flat = ajv === undefined ? flatObjectCheck(schema) : undefined;
  return {
    schema,
    validate(value: unknown): ValidationResult {
      let subject = copy(value);
      if (flat !== undefined && flat(subject)) return { ok: true, value: subject as JsonValue };
      if (check === undefined && interpretations > 0) {
        interpretations--;
        if (passes(schema, subject)) return { ok: true, value: subject as JsonValue };
        subject = copy(value);
      }
      check ??= sharedValidator(text, schema);
      if (check(subject)) return { ok: true, value: subject as JsonValue };
      return { ok: false, problems: describeErrors(check.errors ?? []) };
    },
  };
}

/** Whether the walk passes `value`; a walk that throws (as ajv's deep equality can) leaves the answer to ajv. */
function passes(schema: JsonSchema, value: unknown): boolean {
  try {
    return interpret(schema, value);
  } catch {
    return false;
  }
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
