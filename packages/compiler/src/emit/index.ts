export { emitSkill, repinSkill, type SkillEmitInput } from './emit-skill.js';
export { emitDocument, type SkillOrigin } from './emit-document.js';
export { normalizePolicies } from './policies.js';
export { serializeIr } from './serialize.js';
export { irValidator, validateIr } from './validate-ir.js';
export * from './ir-types.js';
export { canonicalText, documentText, hashDocument, hashSkill, skillText, sortedCopy } from './skill-text.js';
export { validateDocument } from './validate-ir.js';
