import { createHash } from 'node:crypto';
import { canonicalJson, sha256 } from '../deps/hash.js';
import type { IrDocument, IrSkill } from './ir-types.js';
import { serializeIr } from './serialize.js';

/** A skill's two serializations, computed once: every bundle that holds the skill reuses them. */
interface SkillText {
  /** Canonical JSON (spec/ir.md) of the skill including its `hash` member. */
  canonical: string;
  /** The pretty form (sorted keys, two-space indent) as it appears inside a document, indented by four. */
  nested: string;
}

const cache = new WeakMap<IrSkill, SkillText>();
/** Per member of a skill: its canonical and pretty (indented by two) JSON, keyed by the member's value object. */
const memberTexts = new WeakMap<IrSkill, Map<string, { value: unknown; canonical: string; pretty: string }>>();

/**
 * Sets `skill.hash` (canonical JSON without `hash`, SHA-256) and remembers the skill's canonical
 * and pretty text, so a skill bundled into many documents is serialized and hashed once. With
 * `previous` (an earlier version of the same skill), members holding the very same value object
 * reuse its text: re-pinning a dependency's hash re-serializes only `uses`.
 */
export function hashSkill(skill: IrSkill, previous?: IrSkill): string {
  const record = skill as unknown as Record<string, unknown>;
  const old = previous ? memberTexts.get(previous) : undefined;
  const texts = new Map<string, { value: unknown; canonical: string; pretty: string }>();
  const members = Object.keys(record).filter((k) => k !== 'hash' && record[k] !== undefined).sort();
  for (const k of members) {
    const value = record[k];
    const hit = old?.get(k);
    if (hit && hit.value === value && typeof value === 'object' && value !== null) texts.set(k, hit);
    else texts.set(k, { value, canonical: canonicalJson(value), pretty: JSON.stringify(sortKeysDeep(value), null, 2).replace(/\n/g, '\n  ') });
  }
  const canonicalParts = members.map((k) => `${JSON.stringify(k)}:${texts.get(k)!.canonical}`);
  skill.hash = `sha256:${sha256(`{${canonicalParts.join(',')}}`)}`;
  const at = members.findIndex((k) => k > 'hash');
  const insertAt = at < 0 ? members.length : at;
  canonicalParts.splice(insertAt, 0, `"hash":${JSON.stringify(skill.hash)}`);
  const prettyParts = members.map((k) => `  ${JSON.stringify(k)}: ${texts.get(k)!.pretty}`);
  prettyParts.splice(insertAt, 0, `  "hash": ${JSON.stringify(skill.hash)}`);
  memberTexts.set(skill, texts);
  cache.set(skill, { canonical: `{${canonicalParts.join(',')}}`, nested: `{\n${prettyParts.join(',\n')}\n}`.replace(/\n/g, '\n    ') });
  return skill.hash;
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) if (obj[key] !== undefined) out[key] = sortKeysDeep(obj[key]);
  return out;
}

function textOf(skill: IrSkill): SkillText {
  let text = cache.get(skill);
  if (!text) {
    hashSkill(skill);
    text = cache.get(skill)!;
  }
  return text;
}

/** The document's content hash from the skills' cached canonical text (equal to `contentHash(doc)`). */
export function hashDocument(doc: IrDocument): string {
  const h = createHash('sha256');
  h.update(`{"dependencies":${canonicalJson(doc.dependencies)},"entry":${JSON.stringify(doc.entry)},"generator":${JSON.stringify(doc.generator)},"ir_version":${JSON.stringify(doc.ir_version)},"skills":{`);
  Object.keys(doc.skills).sort().forEach((id, i) => h.update(`${i > 0 ? ',' : ''}${JSON.stringify(id)}:${textOf(doc.skills[id]!).canonical}`));
  h.update('}}');
  return `sha256:${h.digest('hex')}`;
}

/** The document's file text from the skills' cached pretty text (equal to `serializeIr(doc)`). */
export function documentText(doc: IrDocument): string {
  const deps = doc.dependencies.length === 0 ? '[]' : serializeIr(doc.dependencies).slice(0, -1).replace(/\n/g, '\n  ');
  const ids = Object.keys(doc.skills).sort();
  const skills = ids.map((id) => `    ${JSON.stringify(id)}: ${textOf(doc.skills[id]!).nested}`).join(',\n');
  return `{\n  "dependencies": ${deps},\n  "entry": ${JSON.stringify(doc.entry)},\n  "generator": ${JSON.stringify(doc.generator)},\n  "hash": ${JSON.stringify(doc.hash)},\n  "ir_version": ${JSON.stringify(doc.ir_version)},\n  "skills": {\n${skills}\n  }\n}\n`;
}
