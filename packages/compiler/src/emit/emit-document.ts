import { seal, skillEntry, type SkillEntry } from './skill-text.js';
import { IR_GENERATOR, IR_VERSION, type IrDependencyRow, type IrDocument, type IrSkill } from './ir-types.js';

/** Where a skill came from, for the dependency table. */
export interface SkillOrigin {
  source: 'path' | 'npm';
  /** Root-relative POSIX path of the file. */
  path: string;
}

/** The dependency table: every id of `ids` (sorted) except the entry. */
function dependencyRows(entry: string, ids: readonly string[], skill: (id: string) => SkillEntry, origins: ReadonlyMap<string, SkillOrigin>): IrDependencyRow[] {
  const rows: IrDependencyRow[] = [];
  for (const id of ids) {
    if (id === entry) continue;
    const s = skill(id);
    const origin = origins.get(id) ?? { source: 'path', path: s.file };
    // Members in sorted order: the row then serializes canonically through `JSON.stringify`.
    rows.push({ hash: s.hash, id, name: s.name, path: origin.path, sha256: s.sha256, source: origin.source, version: s.version });
  }
  return rows;
}

function lookup<T>(map: ReadonlyMap<string, T>): (id: string) => T {
  return (id) => {
    const found = map.get(id);
    if (!found) throw new Error(`internal error: skill ${id} was not emitted`);
    return found;
  };
}

/**
 * One IR document: the entry skill and its closure (`closure` holds every id it reaches, itself
 * included), the dependency table sorted by id, and the document hash. Its file text is
 * `bundleDocument`'s for the same skills.
 */
export function emitDocument(entry: string, closure: readonly string[], skills: ReadonlyMap<string, IrSkill>, origins: ReadonlyMap<string, SkillOrigin>): IrDocument {
  const get = lookup(skills);
  const table: Record<string, IrSkill> = {};
  const entries = new Map<string, SkillEntry>();
  for (const id of [...closure].sort()) {
    table[id] = get(id);
    entries.set(id, skillEntry(table[id]));
  }
  return { ...bundleDocument(entry, closure, entries, origins).envelope, skills: table };
}

/** A skill's canonical text, stored as `objects/<hex of hash>.json` by a content-addressed compile. */
export interface SkillObject {
  hash: string;
  text: string;
}

/** A document as a build writes it: its hash and file text, and its envelope for validation. */
export interface Bundle {
  hash: string;
  /** The file text (canonical JSON and a newline). */
  text: string;
  /**
   * The content-addressed file text: the same document with each skill replaced by its hash
   * (`skills: { "<id>": "sha256:…" }`, the form the document hash is computed over); the skills'
   * texts are in `objects`, stored once per output directory (see spec/ir.md).
   */
  referencingText: string;
  /** The texts of the skills `referencingText` refers to, by hash. */
  objects: readonly SkillObject[];
  /** The document with every skill's content left out (`{}`): what is left to validate once each skill was. */
  envelope: Omit<IrDocument, 'skills'> & { skills: Record<string, object> };
}

/**
 * The document of `emitDocument`, made from skills already emitted and serialized: only their
 * table fields and text are read, so a build need not keep the skills' IR objects alive.
 */
export function bundleDocument(entry: string, closure: readonly string[], skills: ReadonlyMap<string, SkillEntry>, origins: ReadonlyMap<string, SkillOrigin>): Bundle {
  const ids = [...closure].sort();
  const get = lookup(skills);
  const content = { ir_version: IR_VERSION, generator: IR_GENERATOR, entry, dependencies: dependencyRows(entry, ids, get, origins), ids, hashOf: (id: string) => get(id).hash, textOf: (id: string) => get(id).text };
  const { hash, text, referencingText } = seal(content);
  const placeholders: Record<string, object> = {};
  for (const id of ids) placeholders[id] = {};
  const objects = ids.map((id) => ({ hash: get(id).hash, text: get(id).text }));
  return { hash, text, referencingText, objects, envelope: { ir_version: content.ir_version, generator: content.generator, entry, skills: placeholders, dependencies: content.dependencies, hash } };
}
