import { irContentHash, irDocumentHash } from '@sdl/runtime';

/** An IR document as tests edit it (plain JSON). */
export type IrDocument = { [key: string]: any };

/**
 * Re-seals an IR document after a deliberate edit (skill hashes, `uses:` pins, the dependency
 * table and the document hash), so only the check under test fails.
 */
export function reseal(doc: IrDocument): IrDocument {
  for (const skill of Object.values(doc.skills as IrDocument)) skill.hash = irContentHash(skill);
  for (const skill of Object.values(doc.skills as IrDocument)) {
    for (const use of Object.values(skill.uses as IrDocument)) use.hash = doc.skills[use.skill].hash;
    skill.hash = irContentHash(skill);
  }
  for (const row of doc.dependencies) row.hash = doc.skills[row.id].hash;
  doc.hash = irDocumentHash(doc);
  return doc;
}
