import { resolveRef, throughUnions } from './navigate.js';
import { type SchemaNode, skillSchema } from './schema.js';

/**
 * The skill value with the schema's `default`s filled in where a mapping that has them exists
 * (e.g. `policies.retry.max_attempts: 3` when `retry:` is given without it). The input is not
 * modified: a mapping or list that gains a default beneath it is copied (its keys in their order,
 * then the defaults), everything else is the input's own value, shared (treat both as read-only).
 * Call it on a value that validated.
 */
export function normalizeSkill(value: unknown): unknown {
  const root = skillSchema();
  return fill(root, root, value);
}

/** What `fill` needs of one schema node, worked out once per node (the schema never changes). */
interface Plan {
  /** The node after following `$ref`s. */
  resolved: SchemaNode;
  /** Whether `resolved` is a union (`oneOf`/`anyOf`), whose branch depends on the value. */
  union: boolean;
  /** The shape of `resolved` when it is not a union. */
  shape: Shape | undefined;
}

/** What `fill` needs of the node that applies to a value (after `$ref`s and union branches). */
interface Shape {
  items: SchemaNode | undefined;
  properties: Record<string, SchemaNode>;
  additional: SchemaNode | undefined;
  /** The properties that have a `default`, in schema order. */
  defaults: [string, SchemaNode][];
}

const plans = new WeakMap<SchemaNode, Plan>();
const shapes = new WeakMap<SchemaNode, Shape>();

// Boolean schemas (`true`) cannot key a WeakMap: they get a fresh plan each time.
const cacheable = (node: SchemaNode) => typeof node === 'object' && node !== null;

function planOf(root: SchemaNode, node: SchemaNode): Plan {
  let plan = cacheable(node) ? plans.get(node) : undefined;
  if (!plan) {
    const resolved = resolveRef(root, { pointer: '', node }).node;
    const union = Array.isArray(resolved.oneOf) || Array.isArray(resolved.anyOf);
    plan = { resolved, union, shape: union ? undefined : shapeOf(resolved) };
    if (cacheable(node)) plans.set(node, plan);
  }
  return plan;
}

function shapeOf(node: SchemaNode): Shape {
  let shape = cacheable(node) ? shapes.get(node) : undefined;
  if (!shape) {
    const properties = (node.properties ?? {}) as Record<string, SchemaNode>;
    const additional = node.additionalProperties as SchemaNode | boolean | undefined;
    shape = {
      items: node.items as SchemaNode | undefined,
      properties,
      additional: typeof additional === 'object' ? additional : undefined,
      defaults: Object.entries(properties).filter(([, sub]) => Object.hasOwn(sub, 'default')),
    };
    if (cacheable(node)) shapes.set(node, shape);
  }
  return shape;
}

function fill(root: SchemaNode, schema: SchemaNode, value: unknown): unknown {
  const plan = planOf(root, schema);
  // Which branch a union means depends on the value (never on where the union sits).
  const shape = plan.shape ?? shapeOf(throughUnions(root, { pointer: '', node: plan.resolved }, value).node);
  if (Array.isArray(value)) {
    const items = shape.items;
    if (!items) return value;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const filled = fill(root, items, value[i]);
      if (out === undefined && filled !== value[i]) out = value.slice(0, i);
      out?.push(filled);
    }
    return out ?? value;
  }
  if (value === null || typeof value !== 'object') return value;
  const { properties, additional } = shape;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let out: Record<string, unknown> | undefined;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const sub = Object.hasOwn(properties, key) ? properties[key] : additional;
    const filled = sub ? fill(root, sub, source[key]) : source[key];
    if (out === undefined && filled !== source[key]) {
      out = {};
      for (let j = 0; j < k; j++) out[keys[j]!] = source[keys[j]!];
    }
    if (out !== undefined) out[key] = filled;
  }
  for (const [key, sub] of shape.defaults) {
    if (Object.hasOwn(source, key)) continue;
    out ??= { ...source };
    out[key] = structuredClone(sub.default);
  }
  return out ?? source;
}
