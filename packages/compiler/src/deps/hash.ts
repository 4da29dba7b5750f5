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

/** `sha256:<hex>` of the canonical JSON of `value` without its top-level `hash` member (IR hashes). */
export function contentHash(value: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = value;
  return `sha256:${sha256(canonicalJson(rest))}`;
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
  return `sha256:${sha256(canonicalJson({ ...rest, skills: hashes }))}`;
}
