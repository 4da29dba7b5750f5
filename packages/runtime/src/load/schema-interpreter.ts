/**
 * Checks a value against a JSON Schema by walking the schema, without generating code: what a
 * process uses for a schema's first validations, so a cold start does not pay ajv's load and code
 * generation for the one or two values it checks (validators.ts compiles with ajv later, and
 * always when a value fails, for ajv's own error messages). It gives ajv's verdict and applies
 * ajv's defaults (the options of validators.ts: 2020-12, `useDefaults`, `strict: false`, formats
 * of ajv-formats) for the keywords it knows, which are those SDL skills may use (spec/sdl-1.md,
 * "JSON Schemas") plus annotations; {@link interpretable} says whether a schema has only those.
 * The format checks, deep equality and string length are ajv's and ajv-formats' own functions.
 * test/load/schema-interpreter.test.ts compares verdicts and defaults with ajv on random schemas.
 */
import { createRequire } from 'node:module';

type Schema = boolean | { [keyword: string]: unknown };
type FormatDefinition = true | RegExp | ((data: string) => boolean) | { type?: 'string' | 'number'; validate: RegExp | ((data: never) => boolean) };

/** Keywords that only annotate (ajv ignores them when validating). */
export const ANNOTATIONS: ReadonlySet<string> = new Set(['description', 'title', 'examples', '$comment', 'deprecated', 'readOnly', 'writeOnly', 'contentMediaType', 'contentEncoding']);
/** Keywords the walk below checks. */
const CHECKED = new Set([
  'type', 'enum', 'const', 'anyOf', 'oneOf', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength',
  'pattern', 'format', 'minItems', 'maxItems', 'uniqueItems', 'items', 'required', 'properties', 'additionalProperties', 'default',
]);
/** The keywords whose value is a subschema, a list of them, or a map of them. */
const SUBSCHEMA = new Set(['items', 'additionalProperties']);
const SUBSCHEMA_LIST = new Set(['anyOf', 'oneOf']);

let helpers: { equal: (a: unknown, b: unknown) => boolean; ucs2length: (s: string) => number; formats: Record<string, FormatDefinition> } | undefined;

/** The functions ajv's generated code calls (a few small files, no ajv), required on first use. */
function ajvHelpers(): NonNullable<typeof helpers> {
  if (helpers === undefined) {
    const require = createRequire(import.meta.url);
    const equal = require('ajv/dist/runtime/equal.js') as { default: (a: unknown, b: unknown) => boolean };
    const ucs2length = require('ajv/dist/runtime/ucs2length.js') as { default: (s: string) => number };
    const { fullFormats } = require('ajv-formats/dist/formats.js') as { fullFormats: Record<string, FormatDefinition> };
    helpers = { equal: equal.default, ucs2length: ucs2length.default, formats: fullFormats };
  }
  return helpers;
}

/**
 * Whether every keyword of `schema`, at every level, is one this walk checks or an annotation
 * (else the schema is left to ajv). The schema must already have passed the meta-schema and
 * validators.ts's compilesForSure (no references, valid patterns, known formats).
 */
export function interpretable(schema: unknown): boolean {
  if (typeof schema === 'boolean') return true;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return false;
  for (const [keyword, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (!CHECKED.has(keyword)) return false;
    if (SUBSCHEMA.has(keyword) && !interpretable(value)) return false;
    if (SUBSCHEMA_LIST.has(keyword) && !(Array.isArray(value) && value.every(interpretable))) return false;
    if (keyword === 'properties') {
      if (value === null || typeof value !== 'object') return false;
      // ajv leaves a property named __proto__ out of `properties` but not out of its own lookups.
      if (Object.hasOwn(value, '__proto__')) return false;
      if (!Object.values(value).every(interpretable)) return false;
    }
  }
  return true;
}

/**
 * ajv's verdict for `data` (its options in validators.ts), assigning defaults into `data` where ajv
 * would (only when the answer is true is `data` meaningful afterwards). `schema` must be
 * {@link interpretable}.
 */
export function interpret(schema: unknown, data: unknown): boolean {
  return check(schema as Schema, data, false);
}

/** ajv's type test for one JSON type (`strict: false`: any number is a number). */
export function hasType(type: unknown, data: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof data === 'object' && data !== null && !Array.isArray(data);
    case 'array':
      return Array.isArray(data);
    case 'integer':
      return typeof data === 'number' && !(data % 1) && !Number.isNaN(data);
    case 'null':
      return data === null;
    default:
      return typeof data === type;
  }
}

/** ajv's enum/const test: deep equality for object values, `===` for the others. */
function same(data: unknown, value: unknown): boolean {
  return value !== null && typeof value === 'object' ? ajvHelpers().equal(data, value) : data === value;
}

/**
 * One schema against one value, in ajv's order: the keywords of any type first (type, enum, const,
 * anyOf, oneOf), then those of the value's own type; for objects the defaults are assigned before
 * them and `required` comes before the properties' subschemas (which may assign defaults below),
 * for arrays `items` comes before uniqueItems. Inside anyOf/oneOf (`composite`) no default is
 * assigned, as in ajv.
 */
function check(schema: Schema, data: unknown, composite: boolean): boolean {
  if (typeof schema === 'boolean') return schema;
  const s = schema as { [keyword: string]: any };
  if (s.type !== undefined && !(Array.isArray(s.type) ? s.type.some((t: unknown) => hasType(t, data)) : hasType(s.type, data))) return false;
  if (s.enum !== undefined && !(s.enum as unknown[]).some((value) => same(data, value))) return false;
  if ('const' in s && !same(data, s.const)) return false;
  if (s.anyOf !== undefined && !(s.anyOf as Schema[]).some((branch) => check(branch, data, true))) return false;
  if (s.oneOf !== undefined && (s.oneOf as Schema[]).filter((branch) => check(branch, data, true)).length !== 1) return false;
  if (typeof data === 'number') return checkNumber(s, data);
  if (typeof data === 'string') return checkString(s, data);
  if (Array.isArray(data)) return checkArray(s, data, composite);
  if (data !== null && typeof data === 'object') return checkObject(s, data as { [key: string]: unknown }, composite);
  return true;
}

function checkFormat(name: unknown, data: string | number): boolean {
  if (typeof name !== 'string') return true;
  const definition = ajvHelpers().formats[name];
  if (definition === undefined || definition === true) return true;
  const [type, test] = typeof definition === 'object' && !(definition instanceof RegExp) ? [definition.type ?? 'string', definition.validate] : ['string', definition];
  if (typeof data !== type) return true;
  return typeof test === 'function' ? (test as (d: unknown) => boolean)(data) : test.test(data as string);
}

function checkNumber(s: { [keyword: string]: any }, data: number): boolean {
  if (s.maximum !== undefined && (data > s.maximum || Number.isNaN(data))) return false;
  if (s.minimum !== undefined && (data < s.minimum || Number.isNaN(data))) return false;
  if (s.exclusiveMaximum !== undefined && (data >= s.exclusiveMaximum || Number.isNaN(data))) return false;
  if (s.exclusiveMinimum !== undefined && (data <= s.exclusiveMinimum || Number.isNaN(data))) return false;
  return s.format === undefined || checkFormat(s.format, data);
}

function checkString(s: { [keyword: string]: any }, data: string): boolean {
  if (s.maxLength !== undefined && ajvHelpers().ucs2length(data) > s.maxLength) return false;
  if (s.minLength !== undefined && ajvHelpers().ucs2length(data) < s.minLength) return false;
  if (s.pattern !== undefined && !patternOf(s.pattern as string).test(data)) return false;
  return s.format === undefined || checkFormat(s.format, data);
}

const patterns = new Map<string, RegExp>();
/** ajv's regular expression for a `pattern` (`u` flag), made once per pattern. */
function patternOf(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern, 'u');
    patterns.set(pattern, regex);
  }
  return regex;
}

function checkArray(s: { [keyword: string]: any }, data: unknown[], composite: boolean): boolean {
  if (s.maxItems !== undefined && data.length > s.maxItems) return false;
  if (s.minItems !== undefined && data.length < s.minItems) return false;
  // ajv runs `items` ahead of uniqueItems (its definition says `before: "uniqueItems"`), so the items' defaults count.
  if (s.items !== undefined) for (const item of data) if (!check(s.items as Schema, item, composite)) return false;
  return s.uniqueItems !== true || unique(data, s.items);
}

function checkObject(s: { [keyword: string]: any }, data: { [key: string]: unknown }, composite: boolean): boolean {
  const properties = (s.properties ?? {}) as { [name: string]: Schema };
  if (!composite) {
    for (const [name, property] of Object.entries(properties)) {
      // ajv: a property that is `undefined` (absent, or set to undefined) gets a fresh copy of the default.
      if (typeof property === 'object' && property.default !== undefined && data[name] === undefined) data[name] = structuredClone(property.default);
    }
  }
  // ajv reads properties as `data[name]` (inherited ones count) and walks the others with for-in.
  if (s.required !== undefined) for (const name of s.required as string[]) if (data[name] === undefined) return false;
  if (s.additionalProperties !== undefined) {
    for (const key in data) {
      if (Object.hasOwn(properties, key)) continue;
      if (!check(s.additionalProperties as Schema, data[key], composite)) return false;
    }
  }
  for (const [name, property] of Object.entries(properties)) {
    if (data[name] !== undefined && !check(property, data[name], composite)) return false;
  }
  return true;
}

/**
 * ajv's uniqueItems, both of its ways: when the items' schema names only scalar types, an index
 * by value (items of another type skipped, strings marked when there are several types, and a
 * plain object as the index, so its inherited keys behave as in ajv); otherwise deep equality
 * between every pair.
 */
function unique(data: unknown[], items: unknown): boolean {
  const declared = items !== null && typeof items === 'object' ? (items as { type?: unknown }).type : undefined;
  const types = declared === undefined ? [] : Array.isArray(declared) ? declared : [declared];
  if (types.length > 0 && !types.some((t) => t === 'object' || t === 'array')) {
    const indices: { [key: string]: unknown } = {};
    for (let i = data.length; i--; ) {
      let item = data[i];
      if (!types.some((t) => hasType(t, item))) continue;
      if (types.length > 1 && typeof item === 'string') item += '_';
      if (typeof indices[item as string] === 'number') return false;
      indices[item as string] = i;
    }
    return true;
  }
  const { equal } = ajvHelpers();
  for (let i = data.length; i--; ) for (let j = i; j--; ) if (equal(data[i], data[j])) return false;
  return true;
}
