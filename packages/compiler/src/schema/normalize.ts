import { resolveRef, type SchemaLocation, throughUnions } from './navigate.js';
import { type SchemaNode, skillSchema } from './schema.js';

/**
 * The skill value with the schema's `default`s filled in where a mapping that has them exists
 * (e.g. `policies.retry.max_attempts: 3` when `retry:` is given without it). Returns a new value
 * with keys in a stable order; the input is not modified. Call it on a value that validated.
 */
export function normalizeSkill(value: unknown): unknown {
  const root = skillSchema();
  return fill(root, { pointer: '', node: root }, value);
}

function fill(root: SchemaNode, start: SchemaLocation, value: unknown): unknown {
  const location = throughUnions(root, resolveRef(root, start), value);
  const node = location.node;
  if (Array.isArray(value)) {
    const items = node.items as SchemaNode | undefined;
    return items ? value.map((v) => fill(root, { pointer: `${location.pointer}/items`, node: items }, v)) : structuredClone(value);
  }
  if (value === null || typeof value !== 'object') return value;
  const properties = (node.properties ?? {}) as Record<string, SchemaNode>;
  const additional = node.additionalProperties as SchemaNode | boolean | undefined;
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const sub = Object.hasOwn(properties, key) ? properties[key] : typeof additional === 'object' ? additional : undefined;
    out[key] = sub ? fill(root, { pointer: '', node: sub }, source[key]) : structuredClone(source[key]);
  }
  for (const [key, sub] of Object.entries(properties)) {
    if (!Object.hasOwn(out, key) && Object.hasOwn(sub, 'default')) out[key] = structuredClone(sub.default);
  }
  return out;
}
