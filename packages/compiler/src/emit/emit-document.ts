import { sealDocument } from './skill-text.js';
import { IR_GENERATOR, IR_VERSION, type IrDependencyRow, type IrDocument, type IrSkill } from './ir-types.js';

/** Where a skill came from, for the dependency table. */
export interface SkillOrigin {
  source: 'path' | 'npm';
  /** Root-relative POSIX path of the file. */
  path: string;
}

/**
 * One IR document: the entry skill and its closure (`closure` holds every id it reaches, itself
 * included), the dependency table sorted by id, and the document hash (its file text is kept for
 * `documentText`).
 */
export function emitDocument(entry: string, closure: readonly string[], skills: ReadonlyMap<string, IrSkill>, origins: ReadonlyMap<string, SkillOrigin>): IrDocument {
  const ids = [...closure].sort();
  const table: Record<string, IrSkill> = {};
  const dependencies: IrDependencyRow[] = [];
  for (const id of ids) {
    const skill = skills.get(id);
    if (!skill) throw new Error(`internal error: skill ${id} was not emitted`);
    table[id] = skill;
    if (id === entry) continue;
    const origin = origins.get(id) ?? { source: 'path', path: skill.file };
    // Members in sorted order: the row then serializes canonically through `JSON.stringify`.
    dependencies.push({ hash: skill.hash, id, name: skill.name, path: origin.path, sha256: skill.sha256, source: origin.source, version: skill.version });
  }
  const doc: IrDocument = { ir_version: IR_VERSION, generator: IR_GENERATOR, entry, skills: table, dependencies, hash: '' };
  sealDocument(doc);
  return doc;
}
