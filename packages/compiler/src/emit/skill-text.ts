import { canonicalText, sha256 } from '../deps/hash.js';
import type { IrSkill } from './ir-types.js';

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

/** Set by `copySorted` when it meets a key starting with a digit (which V8 may enumerate out of insertion order). */
let digitKeySeen = false;

/**
 * A JSON value with every object's keys inserted in sorted order (members holding `undefined`
 * dropped): a subtree that already is so (its keys ascending, no `undefined` member) is returned as
 * it is, not copied, so only the objects out of order are allocated again.
 */
function copySorted(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const copy = copySorted(item);
      if (out === undefined && copy !== item) out = value.slice(0, i);
      if (out !== undefined) out.push(copy);
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let keysInOrder = true;
  for (let i = 0; i < keys.length; i++) {
    const first = keys[i]!.charCodeAt(0);
    if (first >= 48 && first <= 57) digitKeySeen = true;
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) keysInOrder = false;
  }
  let out: Record<string, unknown> | undefined;
  if (keysInOrder) {
    // Copied only from the first member that differs (a changed child or an `undefined` to drop).
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = obj[key];
      const copy = copySorted(item);
      if (out === undefined && (copy !== item || item === undefined)) {
        out = {};
        for (let j = 0; j < i; j++) put(out, keys[j]!, obj[keys[j]!]);
      }
      if (out !== undefined && copy !== undefined) put(out, key, copy);
    }
    return out ?? obj;
  }
  out = {};
  for (const key of keysInCodeUnitOrder(keys)) {
    const copy = copySorted(obj[key]);
    if (copy !== undefined) put(out, key, copy);
  }
  return out;
}

/**
 * `keys.sort()` (UTF-16 code unit order, what `<` compares) by insertion for the short key lists of
 * IR objects: `Array#sort` cost more in its set-up than in comparing (~5 % of emission).
 */
function keysInCodeUnitOrder(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function put(out: Record<string, unknown>, key: string, value: unknown): void {
  // `__proto__` is an ordinary key in JSON: define it, since assigning it would set the prototype.
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/**
 * A deep copy of a JSON value with every object's keys in sorted order, so that `canonicalText`
 * takes its fast path, and whether it stringifies canonically as it is (no key starts with a digit),
 * so that hashing it need not check again. The emitter's IR goes through this once; it is also the
 * copy that detaches the IR from the parsed YAML values.
 */
export function canonicalCopy<T>(value: T): { copy: T; canonical: boolean } {
  digitKeySeen = false;
  const copy = copySorted(value) as T;
  return { copy, canonical: !digitKeySeen };
}

/**
 * Builds a value in canonical member order from parts, for `hashSkill(value, undefined, true)`:
 * the caller makes its own objects with their members in sorted order (and takes the expression
 * ASTs as the parser built them, in sorted order too: see ast.ts) and passes through here only
 * what may be out of order, the JSON values of the YAML and objects keyed by the author's names.
 * Only those are walked, and copied where out of order; `canonical` then says what
 * `canonicalCopy(...).canonical` would of the whole value.
 */
export class CanonicalParts {
  private digitKey = false;

  /** False when a key starting with a digit was met (then `JSON.stringify` may not order it canonically). */
  get canonical(): boolean {
    return !this.digitKey;
  }

  /** A JSON value from the skill's YAML in canonical member order: copied only where out of order, `undefined` members dropped. */
  value<T>(v: T): T {
    digitKeySeen = false;
    const copy = copySorted(v) as T;
    if (digitKeySeen) this.digitKey = true;
    return copy;
  }

  /**
   * An object the caller made, keyed by names it does not choose (aliases, tool names, source-map
   * pointers), with its members in sorted order: itself when they are; its member values are taken
   * as they are (pass them through `value` first when they need it).
   */
  members<T extends object>(o: T): T {
    const obj = o as Record<string, unknown>;
    const keys = Object.keys(obj);
    let inOrder = true;
    for (let i = 0; i < keys.length; i++) {
      const first = keys[i]!.charCodeAt(0);
      if (first >= 48 && first <= 57) this.digitKey = true;
      if ((i > 0 && !(keys[i - 1]! < keys[i]!)) || obj[keys[i]!] === undefined) inOrder = false;
    }
    if (inOrder) return o;
    const out: Record<string, unknown> = {};
    for (const key of keysInCodeUnitOrder(keys)) if (obj[key] !== undefined) put(out, key, obj[key]);
    return out as T;
  }
}

/**
 * Sets `skill.hash` (SHA-256 of the canonical JSON without `hash`) and remembers the skill's
 * canonical text for every bundle that holds it. With `previous` (an earlier version of the same
 * skill), members holding the very same value object reuse its text: re-pinning a dependency's
 * hash re-serializes only `uses`. `canonical` says the skill came from `canonicalCopy` and
 * stringifies canonically as it is.
 */
export function hashSkill(skill: IrSkill, previous?: IrSkill, canonical = false): string {
  if (canonical && previous === undefined) return hashWhole(skill);
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

/**
 * `hashSkill` of a skill that stringifies canonically as it is, with no earlier version to reuse
 * texts from (a first emission): one native `JSON.stringify` of the whole skill without `hash`,
 * which is hashed, and the `hash` member spliced in at its place in key order. Keeps no member
 * texts: re-pinning such a skill later serializes its members again.
 */
function hashWhole(skill: IrSkill): string {
  const record = skill as unknown as Record<string, unknown>;
  record.hash = undefined; // left out by JSON.stringify
  const body = JSON.stringify(record);
  skill.hash = `sha256:${sha256(body)}`;
  // The members before `hash` in key order (few and short) give where it goes.
  let headLength = 1;
  let before = 0;
  for (const key in record) {
    if (key >= 'hash') break;
    const value = record[key];
    if (value === undefined) continue;
    headLength += (before > 0 ? 1 : 0) + JSON.stringify(key).length + 1 + JSON.stringify(value).length;
    before++;
  }
  const member = `"hash":${JSON.stringify(skill.hash)}`;
  const tail = body.slice(headLength);
  const text = before > 0 ? `${body.slice(0, headLength)},${member}${tail}` : `{${member}${tail === '}' ? '' : ','}${tail}`;
  skillTexts.set(skill, text);
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
export interface DocumentContent {
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
 * Hashes a document's content (`documentHash`: over the skills' hashes) and makes its file text,
 * the document's canonical JSON: the skills' cached text is concatenated, never re-serialized.
 */
export function seal(doc: DocumentContent): { hash: string; text: string; referencingText: string } {
  // The document without `hash`, each skill as its hash: what `documentHash` hashes (its canonical
  // JSON, members in sorted order), made from the same member texts as the file, not serialized again.
  const dependencies = canonicalText(doc.dependencies);
  const entry = JSON.stringify(doc.entry);
  const generator = JSON.stringify(doc.generator);
  const irVersion = JSON.stringify(doc.ir_version);
  let hashes = '';
  doc.ids.forEach((id, i) => {
    hashes += `${i > 0 ? ',' : ''}${JSON.stringify(id)}:${JSON.stringify(doc.hashOf(id))}`;
  });
  const hash = `sha256:${sha256(`{"dependencies":${dependencies},"entry":${entry},"generator":${generator},"ir_version":${irVersion},"skills":{${hashes}}}`)}`;
  // Members in sorted order, `hash` between `generator` and `ir_version`. Concatenated, not joined,
  // and each key apart from its text: the engine then keeps the shared skill texts by reference.
  const head = `{"dependencies":${dependencies},"entry":${entry},"generator":${generator},"hash":${JSON.stringify(hash)},"ir_version":${irVersion},"skills":{`;
  let text = head;
  doc.ids.forEach((id, i) => {
    text += `${i > 0 ? ',' : ''}${JSON.stringify(id)}:`;
    text += doc.textOf(id);
  });
  // The content-addressed form: each skill as its hash, its text stored once beside the bundles.
  return { hash, text: `${text}}}\n`, referencingText: `${head}${hashes}}}\n` };
}
