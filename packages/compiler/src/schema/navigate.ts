import type { SchemaNode } from './schema.js';

/** A schema node and its JSON Pointer inside the skill schema (what `subSchemaValidator` takes). */
export interface SchemaLocation {
  pointer: string;
  node: SchemaNode;
}

/** How a union (`oneOf`/`anyOf`) applies to a value: the branch it means, or why none fits. */
export type UnionChoice =
  | { kind: 'branch'; branch: SchemaLocation }
  | { kind: 'type'; expected: string[] }
  | { kind: 'no-key'; keys: string[] }
  | { kind: 'many-keys'; keys: string[] };

function escape(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Follows local `$ref`s until a node without one. */
export function resolveRef(root: SchemaNode, location: SchemaLocation): SchemaLocation {
  let current = location;
  for (let hops = 0; typeof current.node.$ref === 'string' && hops < 32; hops++) {
    const pointer = (current.node.$ref as string).replace(/^#/, '');
    current = { pointer, node: atPointer(root, pointer) };
  }
  return current;
}

/** `atPointer` results per schema root: the skill schema is never modified, and `$ref`s repeat. */
const pointerCache = new WeakMap<SchemaNode, Map<string, SchemaNode>>();

function atPointer(root: SchemaNode, pointer: string): SchemaNode {
  let cache = pointerCache.get(root);
  if (!cache) pointerCache.set(root, (cache = new Map()));
  let node = cache.get(pointer);
  if (node === undefined && !cache.has(pointer)) {
    node = walkPointer(root, pointer);
    cache.set(pointer, node);
  }
  return node as SchemaNode;
}

function walkPointer(root: SchemaNode, pointer: string): SchemaNode {
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Record<string, unknown>)[key];
  }
  return node as SchemaNode;
}

/** The JSON type name of a plain value, as JSON Schema names it (`integer` for whole numbers). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

function typesOf(node: SchemaNode): string[] | undefined {
  if (typeof node.type === 'string') return [node.type];
  if (Array.isArray(node.type)) return node.type as string[];
  return undefined;
}

function typeMatches(types: string[] | undefined, value: unknown): boolean {
  if (!types) return true;
  const actual = jsonTypeOf(value);
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
}

/** `unionBranches` results by root, union node and pointer (the schema never changes; callers only read them). */
const branchCache = new WeakMap<SchemaNode, WeakMap<SchemaNode, Map<string, SchemaLocation[]>>>();

/** The branches of a union (`oneOf`/`anyOf`) with `$ref`s resolved; undefined when the node is not a union. Do not modify the result. */
function unionBranches(root: SchemaNode, location: SchemaLocation): SchemaLocation[] | undefined {
  const keyword = Array.isArray(location.node.oneOf) ? 'oneOf' : Array.isArray(location.node.anyOf) ? 'anyOf' : undefined;
  if (!keyword) return undefined;
  let byNode = branchCache.get(root);
  if (!byNode) branchCache.set(root, (byNode = new WeakMap()));
  let byPointer = byNode.get(location.node);
  if (!byPointer) byNode.set(location.node, (byPointer = new Map()));
  let branches = byPointer.get(location.pointer);
  if (!branches) {
    branches = (location.node[keyword] as SchemaNode[]).map((node, i) => resolveRef(root, { pointer: `${location.pointer}/${keyword}/${i}`, node }));
    byPointer.set(location.pointer, branches);
  }
  return branches;
}

/**
 * Decides which branch of a union a value was meant for: first by JSON type, then, for objects,
 * by the required keys only one branch has (a step with `prompt:` is a prompt step). This is what
 * lets one root cause give one diagnostic instead of every branch's errors.
 */
export function chooseBranch(root: SchemaNode, location: SchemaLocation, value: unknown): UnionChoice {
  const branches = unionBranches(root, location) ?? [];
  const candidates = branches.filter((b) => typeMatches(typesOf(b.node), value));
  if (candidates.length === 0) {
    const expected = [...new Set(branches.flatMap((b) => typesOf(b.node) ?? []))];
    return { kind: 'type', expected };
  }
  if (candidates.length === 1) return { kind: 'branch', branch: candidates[0]! };
  if (jsonTypeOf(value) === 'object') {
    const requiredOf = (b: SchemaLocation) => (Array.isArray(b.node.required) ? (b.node.required as string[]) : []);
    const distinct = candidates.map((b) => requiredOf(b).filter((k) => candidates.every((o) => o === b || !requiredOf(o).includes(k))));
    const present = Object.keys(value as object);
    const matching = candidates.filter((_, i) => distinct[i]!.some((k) => present.includes(k)));
    if (matching.length === 1) return { kind: 'branch', branch: matching[0]! };
    const keys = distinct.flat();
    if (matching.length > 1) return { kind: 'many-keys', keys: keys.filter((k) => present.includes(k)) };
    if (keys.length > 0) return { kind: 'no-key', keys };
  }
  return { kind: 'branch', branch: candidates[0]! };
}

/**
 * The schema that applies to the value at `path` below `start`, choosing union branches by the
 * data as it goes. Undefined when the path leaves the schema (an unknown key).
 */
export function schemaAt(root: SchemaNode, start: SchemaLocation, data: unknown, path: readonly (string | number)[]): SchemaLocation | undefined {
  let location = resolveRef(root, start);
  let value = data;
  for (const segment of path) {
    location = throughUnions(root, location, value);
    const node = location.node;
    let next: SchemaLocation | undefined;
    const properties = node.properties as Record<string, SchemaNode> | undefined;
    if (typeof segment === 'string' && properties && Object.hasOwn(properties, segment)) {
      next = { pointer: `${location.pointer}/properties/${escape(segment)}`, node: properties[segment]! };
    } else if (typeof segment === 'number' && node.items && typeof node.items === 'object') {
      next = { pointer: `${location.pointer}/items`, node: node.items as SchemaNode };
    } else if (typeof segment === 'string' && node.additionalProperties && typeof node.additionalProperties === 'object') {
      next = { pointer: `${location.pointer}/additionalProperties`, node: node.additionalProperties as SchemaNode };
    }
    if (!next) return undefined;
    location = resolveRef(root, next);
    value = value === null || typeof value !== 'object' ? undefined : (value as Record<string | number, unknown>)[segment];
  }
  return location;
}

/** Steps into the chosen branch of nested unions so keyword lookups see the real object schema. */
export function throughUnions(root: SchemaNode, location: SchemaLocation, value: unknown): SchemaLocation {
  let current = location;
  for (let depth = 0; depth < 8; depth++) {
    if (!unionBranches(root, current)) return current;
    const choice = chooseBranch(root, current, value);
    if (choice.kind !== 'branch') return current;
    current = choice.branch;
  }
  return current;
}
