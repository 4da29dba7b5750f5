import { canonicalJson, sha256 } from '../deps/hash.js';
import type { IrDocument, IrSkill } from './ir-types.js';

/**
 * An IR file is its document's canonical JSON (spec/ir.md): the bytes that are hashed are the bytes
 * that are written, so each skill is serialized once and every bundle that holds it splices in the
 * same text. A skill is copied into the bundle of every skill that uses it (5–6 copies per skill in
 * a project of chains), which is why nothing here may cost more than a string concatenation per copy.
 */

/** Canonical text of each member of a skill, keyed by the member's value object (reused when re-pinning). */
interface MemberText {
  value: unknown;
  text: string;
}

/** A skill's canonical JSON including its `hash` member. */
const skillTexts = new WeakMap<IrSkill, string>();
const memberTexts = new WeakMap<IrSkill, Map<string, MemberText>>();

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

/** `canonicalJson(value)`, through native `JSON.stringify` when the value's keys are already in order. */
export function canonicalText(value: unknown): string {
  return stringifiesCanonically(value) ? JSON.stringify(value) : canonicalJson(value);
}

/**
 * A deep copy of a JSON value with every object's keys inserted in sorted order (members holding
 * `undefined` dropped), so that `canonicalText` takes its fast path. The emitter's IR goes through
 * this once; it is also the copy that detaches the IR from the parsed YAML values.
 */
export function sortedCopy<T>(value: T): T {
  return copySorted(value) as T;
}

/** Set by `copySorted` when it meets a key starting with a digit (which V8 may enumerate out of insertion order). */
let digitKeySeen = false;

function copySorted(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copySorted);
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] === undefined) continue;
    const first = key.charCodeAt(0);
    if (first >= 48 && first <= 57) digitKeySeen = true;
    out[key] = copySorted(obj[key]);
  }
  return out;
}

/**
 * `sortedCopy`, and whether the copy stringifies canonically as it is (no key starts with a
 * digit), so that hashing it need not check again.
 */
export function canonicalCopy<T>(value: T): { copy: T; canonical: boolean } {
  digitKeySeen = false;
  const copy = copySorted(value) as T;
  return { copy, canonical: !digitKeySeen };
}

/**
 * Sets `skill.hash` (SHA-256 of the canonical JSON without `hash`) and remembers the skill's
 * canonical text for every bundle that holds it. With `previous` (an earlier version of the same
 * skill), members holding the very same value object reuse its text: re-pinning a dependency's
 * hash re-serializes only `uses`. `canonical` says the skill came from `canonicalCopy` and
 * stringifies canonically as it is.
 */
export function hashSkill(skill: IrSkill, previous?: IrSkill, canonical = false): string {
  const record = skill as unknown as Record<string, unknown>;
  const old = previous ? memberTexts.get(previous) : undefined;
  const texts = new Map<string, MemberText>();
  const members = Object.keys(record).filter((k) => k !== 'hash' && record[k] !== undefined).sort();
  const parts: string[] = [];
  for (const k of members) {
    const value = record[k];
    const hit = old?.get(k);
    const text = hit && hit.value === value && typeof value === 'object' && value !== null ? hit.text : canonical ? JSON.stringify(value) : canonicalText(value);
    texts.set(k, { value, text });
    parts.push(`${JSON.stringify(k)}:${text}`);
  }
  skill.hash = `sha256:${sha256(`{${parts.join(',')}}`)}`;
  const at = members.findIndex((k) => k > 'hash');
  parts.splice(at < 0 ? parts.length : at, 0, `"hash":${JSON.stringify(skill.hash)}`);
  memberTexts.set(skill, texts);
  skillTexts.set(skill, `{${parts.join(',')}}`);
  return skill.hash;
}

/** The skill's canonical JSON (with its `hash`), hashing it first if nobody has. */
export function skillText(skill: IrSkill): string {
  let text = skillTexts.get(skill);
  if (text === undefined) {
    hashSkill(skill);
    text = skillTexts.get(skill)!;
  }
  return text;
}

/** What a bundle needs of an emitted skill: its dependency-table fields and its canonical text. */
export interface SkillEntry {
  id: string;
  name: string;
  version: string;
  /** Root-relative path of the source file. */
  file: string;
  /** SHA-256 of the source bytes. */
  sha256: string;
  /** The skill's IR content hash. */
  hash: string;
  /** The skill's canonical JSON (with `hash`). */
  text: string;
}

/** The entry of an emitted skill (hashing it first if nobody has). */
export function skillEntry(skill: IrSkill): SkillEntry {
  const text = skillText(skill);
  return { id: skill.id, name: skill.name, version: skill.version, file: skill.file, sha256: skill.sha256, hash: skill.hash, text };
}

/** A document's members other than `skills` and `hash`, and its skills' hashes and texts by id. */
interface DocumentContent {
  ir_version: string;
  generator: string;
  entry: string;
  dependencies: unknown[];
  /** Skill ids, sorted. */
  ids: readonly string[];
  hashOf(id: string): string;
  textOf(id: string): string;
}

/**
 * The document's canonical JSON split around its `hash` member: `head` runs up to and including the
 * comma after `generator`, `tail` holds `ir_version` and `skills`. The file is
 * `head + "hash":… , + tail`.
 */
function documentParts(doc: DocumentContent): { head: string; tail: string[] } {
  const head = `{"dependencies":${canonicalText(doc.dependencies)},"entry":${JSON.stringify(doc.entry)},"generator":${JSON.stringify(doc.generator)},`;
  const tail = [`"ir_version":${JSON.stringify(doc.ir_version)},"skills":{`];
  // Key and text stay separate parts: each bundle then holds the one shared text of a skill.
  doc.ids.forEach((id, i) => tail.push(`${i > 0 ? ',' : ''}${JSON.stringify(id)}:`, doc.textOf(id)));
  tail.push('}}');
  return { head, tail };
}

/**
 * The document hash (spec/ir.md): SHA-256 of the canonical JSON of the document without `hash`
 * in which each skill stands as its own `hash`. Each skill hash covers that skill's content, so
 * this covers everything, and is computed without reading the skills' text again.
 */
function documentHashOf(doc: DocumentContent, head: string): string {
  let skills = '';
  doc.ids.forEach((id, i) => (skills += `${i > 0 ? ',' : ''}${JSON.stringify(id)}:${JSON.stringify(doc.hashOf(id))}`));
  return `sha256:${sha256(`${head}"ir_version":${JSON.stringify(doc.ir_version)},"skills":{${skills}}}`)}`;
}

const contentOf = (doc: IrDocument): DocumentContent => ({
  ...doc,
  ids: Object.keys(doc.skills).sort(),
  hashOf: (id) => {
    skillText(doc.skills[id]!);
    return doc.skills[id]!.hash;
  },
  textOf: (id) => skillText(doc.skills[id]!),
});

/** The document's hash (spec/ir.md), from its skills' hashes. */
export function hashDocument(doc: IrDocument): string {
  const content = contentOf(doc);
  return documentHashOf(content, documentParts({ ...content, ids: [] }).head);
}

/** Hashes a document's content and makes its file text (equal to `serializeIr` of the document). */
export function seal(doc: DocumentContent): { hash: string; text: string } {
  const { head, tail } = documentParts(doc);
  const hash = documentHashOf(doc, head);
  // Concatenated, not joined: the engine keeps the shared skill texts by reference until the file is written.
  let text = `${head}"hash":${JSON.stringify(hash)},`;
  for (const part of tail) text += part;
  return { hash, text: `${text}\n` };
}

/** Sets the document's hash and returns its file text (kept for `documentText`). */
export function sealDocument(doc: IrDocument): string {
  const { hash, text } = seal(contentOf(doc));
  doc.hash = hash;
  documentTexts.set(doc, { hash, text });
  return text;
}

const documentTexts = new WeakMap<IrDocument, { hash: string; text: string }>();

/**
 * The document's file text (equal to `serializeIr(doc)`; the hash must be set): the text
 * `sealDocument` made, or one built from the skills' cached text.
 */
export function documentText(doc: IrDocument): string {
  const sealed = documentTexts.get(doc);
  if (sealed !== undefined && sealed.hash === doc.hash) return sealed.text;
  const { head, tail } = documentParts(contentOf(doc));
  return `${head}"hash":${JSON.stringify(doc.hash)},${tail.join('')}\n`;
}
