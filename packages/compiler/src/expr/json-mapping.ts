import { INT64_MAX, INT64_MIN, intValue } from './values.js';

/**
 * The spec's JSON-to-CEL mapping rules shared by the eager (`fromJson`) and the lazy
 * (`fromJsonLazy`) conversion: which schema applies below a value, and what a JSON number becomes.
 */
export type Schema = Record<string, unknown> | boolean | undefined;

/** Values nested deeper than this are refused (also cyclic objects). */
export const MAX_JSON_DEPTH = 200;

export function schemaType(schema: Schema): string | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const t = schema['type'];
  return typeof t === 'string' ? t : undefined;
}

export function subSchema(schema: Schema, key: string): Schema {
  if (!schema || typeof schema !== 'object') return undefined;
  const v = schema[key];
  return v !== null && (typeof v === 'object' || typeof v === 'boolean') ? (v as Schema) : undefined;
}

export function propertySchema(schema: Schema, name: string): Schema {
  const props = subSchema(schema, 'properties');
  if (props && typeof props === 'object' && Object.hasOwn(props, name)) return props[name] as Schema;
  return subSchema(schema, 'additionalProperties');
}

/** A JSON number as CEL: int when integral, within int64 and not typed `number` by the schema; else double. */
export function numberValue(json: number, schema: Schema): bigint | number {
  if (Number.isInteger(json) && (schema === undefined || schemaType(schema) !== 'number')) {
    // Safe integers are always within int64; larger ones take the exact check.
    if (Number.isSafeInteger(json)) return intValue(json);
    const big = BigInt(json);
    if (big >= INT64_MIN && big <= INT64_MAX) return big;
  }
  return json;
}
