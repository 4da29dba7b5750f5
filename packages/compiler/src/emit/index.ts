export { emitSkill, nodeRangesOf, repinSkill, type SkillEmitInput } from './emit-skill.js';
export { bundleDocument, emitDocument, type Bundle, type SkillObject, type SkillOrigin } from './emit-document.js';
export { normalizePolicies } from './policies.js';
export { serializeIr } from './serialize.js';
export { irValidator, validateIr } from './validate-ir.js';
export * from './ir-types.js';
export { canonicalCopy, hashSkill, skillEntry, skillText, type SkillEntry } from './skill-text.js';
export { canonicalText } from '../deps/hash.js';
export { validateDocument, validateEnvelope, validateSkillIr } from './validate-ir.js';
