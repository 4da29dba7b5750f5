import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of a file's bytes (the lockfile and IR content hash). */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Canonical JSON as spec/ir.md defines it: `JSON.stringify` with object keys sorted (UTF-16 code
 * unit order) at every level and no whitespace. Members whose value is `undefined` are dropped,
 * as `JSON.stringify` drops them.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * True when `JSON.stringify(value)` already is its canonical JSON: every object's keys are in
 * ascending UTF-16 order and none starts with a digit (V8 enumerates integer-like keys first,
 * whatever the insertion order, so those take the slow path).
 */
function stringifiesCanonically(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!stringifiesCanonically(item)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    const first = key.charCodeAt(0);
    if (first >= 48 && first <= 57) return false;
    if (!stringifiesCanonically((value as Record<string, unknown>)[key])) return false;
    previous = key;
  }
  return true;
}

/**
 * `canonicalJson(value)`, through native `JSON.stringify` when the value's keys are already in
 * order (as in a JSON value parsed from canonical JSON: an IR file read back).
 */
export function canonicalText(value: unknown): string {
  return stringifiesCanonically(value) ? JSON.stringify(value) : canonicalJson(value);
}

/** `sha256:<hex>` of the canonical JSON of `value` without its top-level `hash` member (IR hashes). */
export function contentHash(value: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = value;
  return `sha256:${sha256(canonicalText(rest))}`;
}

/**
 * `sha256:<hex>` of an IR document (spec/ir.md): the canonical JSON of the document without its
 * top-level `hash`, in which each skill stands as that skill's own `hash` (the skill hashes cover
 * the skills' content, so the document hash covers everything: a Merkle tree).
 */
export function documentHash(doc: Record<string, unknown>): string {
  const { hash: _ignored, skills, ...rest } = doc;
  const hashes: Record<string, unknown> = {};
  for (const [id, skill] of Object.entries((skills ?? {}) as Record<string, { hash?: unknown }>)) hashes[id] = skill?.hash;
  return `sha256:${sha256(canonicalText({ ...rest, skills: hashes }))}`;
}
