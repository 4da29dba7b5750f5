export * from './diagnostics/diagnostic.js';
export { closestMatch, didYouMean, editDistance } from './util/suggest.js';
export { SourceFile } from './source/source-file.js';
export * from './deps/index.js';
// Front end: read → parse → validate → check (issue 2).
export { DIAGNOSTIC_CODES, makeDiagnostic, type DiagnosticCode, type DiagnosticCodeInfo } from './diagnostics/codes.js';
export { decodeSkillBytes, readSkillFile, MAX_SKILL_FILE_BYTES, type ReadResult } from './yaml/read.js';
export { parseSkill, MAX_ALIAS_EXPANSIONS, type ParsedSkill } from './yaml/parse.js';
export { rangeOfNode, rangeOfPath, locatePath, type PathTarget, type ValuePath } from './yaml/ranges.js';
export { validateSkill } from './schema/validate.js';
export { normalizeSkill } from './schema/normalize.js';
export { skillSchema, skillValidator } from './schema/schema.js';
export { checkSkill, SEMANTIC_CHECKS } from './check/check.js';
export { findApiKey } from './check/secrets.js';
export type { Check, CheckContext } from './check/context.js';
export { checkBytes, checkFiles, checkSource, checkText, SKILL_FILE_SUFFIX, type CheckFilesResult, type FileResult } from './frontend/check-file.js';
export * from './expr/index.js';
