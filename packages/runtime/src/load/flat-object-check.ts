/**
 * The passing verdict for the commonest input schema, an object of scalar properties (`type`,
 * `properties` each with one scalar `type`, `required`, `additionalProperties` true or false, and
 * annotations), as one loop over the property names: ajv's generated code and its result objects
 * are more code and data for a run to touch, which among HTTP calls is what costs (issue 14). It
 * only ever says "passes": a value it does not pass is checked again by validators.ts's path (the
 * walk or ajv), which gives the verdict and ajv's messages. Its reads are ajv's (schema-interpreter.ts):
 * `data[name]` (inherited properties count), other keys by for-in.
 */
import { ANNOTATIONS, hasType } from './schema-interpreter.js';

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);

/** A property schema with one scalar `type` and annotations only: its type, else undefined. */
function scalarType(schema: unknown): string | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  let type: string | undefined;
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'type' && typeof value === 'string' && SCALAR_TYPES.has(value)) type = value;
    else if (!ANNOTATIONS.has(keyword)) return undefined;
  }
  return type;
}

/** The check for `schema` when it has the flat shape above, else undefined. `schema` has passed the meta-schema. */
export function flatObjectCheck(schema: unknown): ((data: unknown) => boolean) | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const s = schema as { [keyword: string]: unknown };
  if (s.type !== 'object') return undefined;
  const properties = (s.properties ?? {}) as { [name: string]: unknown };
  // ajv leaves a property named __proto__ out of `properties` but not out of its own lookups.
  if (properties === null || typeof properties !== 'object' || Object.hasOwn(properties, '__proto__')) return undefined;
  const names = Object.keys(properties);
  const types: string[] = [];
  for (const name of names) {
    const type = scalarType(properties[name]);
    if (type === undefined) return undefined;
    types.push(type);
  }
  const required = s.required ?? [];
  if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) return undefined;
  if (s.additionalProperties !== undefined && typeof s.additionalProperties !== 'boolean') return undefined;
  const closed = s.additionalProperties === false;
  for (const keyword of Object.keys(s)) {
    if (keyword !== 'type' && keyword !== 'properties' && keyword !== 'required' && keyword !== 'additionalProperties' && !ANNOTATIONS.has(keyword)) return undefined;
  }
  const requiredNames = required as string[];
  return (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
    const d = data as { [key: string]: unknown };
    for (let i = 0; i < requiredNames.length; i++) if (d[requiredNames[i]!] === undefined) return false;
    if (closed) for (const key in d) if (!Object.hasOwn(properties, key)) return false;
    for (let i = 0; i < names.length; i++) {
      const value = d[names[i]!];
      if (value !== undefined && !hasType(types[i], value)) return false;
    }
    return true;
  };
}
