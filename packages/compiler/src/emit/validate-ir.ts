import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { IrDocument, IrSkill } from './ir-types.js';

const IR_SCHEMA_URL = new URL('../../schemas/ir.schema.json', import.meta.url);

interface Validators {
  /** The whole schema. */
  document: ValidateFunction;
  /** The same schema with each skill left to `skill` (which `document` applies to every skill). */
  envelope: ValidateFunction;
  /** `#/$defs/skill`. */
  skill: ValidateFunction;
}
let validators: Validators | undefined;

function compile(): Validators {
  // ajv (CommonJS) is required here, on the first `--verify-ir`, not when the compiler is imported.
  const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const schema = JSON.parse(readFileSync(IR_SCHEMA_URL, 'utf8')) as Record<string, any>;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const document = ajv.compile(schema);
  const skill = ajv.getSchema(`${schema.$id as string}#/$defs/skill`)!;
  const envelopeSchema = structuredClone(schema);
  envelopeSchema.$id = `${schema.$id as string}-envelope`;
  envelopeSchema.properties.skills.additionalProperties = true;
  const envelope = new Ajv2020({ allErrors: true, strict: true }).compile(envelopeSchema);
  return { document, envelope, skill };
}

/** The compiled validator of schemas/ir.schema.json, built once per process. */
export function irValidator(): ValidateFunction {
  return (validators ??= compile()).document;
}

const messages = (v: ValidateFunction, prefix = ''): string[] =>
  (v.errors ?? []).slice(0, 10).map((e) => `${prefix}${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);

/**
 * Checks an IR document against schemas/ir.schema.json. Returns the schema errors as short
 * `<pointer> <message>` lines (empty when valid). A failure is a compiler bug, never user error.
 */
export function validateIr(doc: unknown): string[] {
  const validate = irValidator();
  return validate(doc) ? [] : messages(validate);
}

const validSkills = new WeakSet<IrSkill>();

/**
 * The same verdict as `validateIr` for documents built by the emitter, faster when skills are
 * shared between documents: the envelope is validated per document, each skill object once.
 */
export function validateDocument(doc: IrDocument): string[] {
  const v = (validators ??= compile());
  if (!v.envelope(doc)) return messages(v.envelope);
  for (const [id, skill] of Object.entries(doc.skills)) {
    if (validSkills.has(skill)) continue;
    if (!v.skill(skill)) return messages(v.skill, `/skills/${id.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    validSkills.add(skill);
  }
  return [];
}

/** `validateDocument`'s check of one skill (`#/$defs/skill`), for a build that validates each skill as it is emitted. */
export function validateSkillIr(skill: IrSkill): string[] {
  const v = (validators ??= compile());
  if (validSkills.has(skill)) return [];
  const id = String(skill.id);
  if (!v.skill(skill)) return messages(v.skill, `/skills/${id.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  validSkills.add(skill);
  return [];
}

/** `validateDocument`'s check of the document around its skills (each skill validated on its own). */
export function validateEnvelope(envelope: unknown): string[] {
  const v = (validators ??= compile());
  return v.envelope(envelope) ? [] : messages(v.envelope);
}
