export * from './diagnostics/diagnostic.js';
export { closestMatch, didYouMean, editDistance } from './util/suggest.js';
export { SourceFile } from './source/source-file.js';
export * from './deps/index.js';
// Front end: read → parse → validate → check (issue 2).
export { DIAGNOSTIC_CODES, makeDiagnostic, type DiagnosticCode, type DiagnosticCodeInfo } from './diagnostics/codes.js';
export { decodeSkillBytes, readSkillFile, MAX_SKILL_FILE_BYTES, type ReadResult } from './yaml/read.js';
export { parseSkill, MAX_ALIAS_EXPANSIONS, type ParsedSkill } from './yaml/parse.js';
export { findTooDeep, MAX_NESTING_DEPTH, type TooDeep } from './yaml/nesting.js';
export { MAX_YAML_ERRORS } from './yaml/parse.js';
export { capDiagnostics, MAX_DIAGNOSTICS_PER_FILE } from './diagnostics/cap.js';
export { rangeOfNode, rangeOfPath, locatePath, type PathTarget, type ValuePath } from './yaml/ranges.js';
export { validateSkill } from './schema/validate.js';
export { normalizeSkill } from './schema/normalize.js';
export { skillSchema, skillValidator, type SchemaNode } from './schema/schema.js';
export { schemaAt, throughUnions, resolveRef, type SchemaLocation } from './schema/navigate.js';
export { checkSkill, SEMANTIC_CHECKS } from './check/check.js';
export { findApiKey } from './check/secrets.js';
export type { Check, CheckContext } from './check/context.js';
export { checkReplyPaths, replySegmentRange, walkReplyPath, type ReplyPathLevel, type ReplyPathProblem, type ReplyPathProject } from './check/reply-paths.js';
export { checkBytes, checkFiles, checkSource, checkText, DEFAULT_STAGES, SKILL_FILE_SUFFIX, type CheckFilesResult, type FileResult, type FrontEndOptions, type FrontEndStage } from './frontend/check-file.js';
export * from './expr/index.js';
// Canonical formatting for `skillc fmt` (issue 8).
export { formatSkill, type FormatResult } from './format/format-skill.js';
export { TOP_LEVEL_KEY_ORDER, STEP_KEY_ORDER, PROMPT_KEY_ORDER, TEST_KEY_ORDER } from './format/key-order.js';
// Expression stage, IR emitter and the compile pipeline (issue 4 / issue 3 item 3).
export { bindSkill, pointerSegment, type BindOptions, type BoundSkill, type BoundStep } from './bind/bind-skill.js';
export { attachmentKey, compileSources } from './bind/compile-sources.js';
export { attachmentMedia, declaredMediaType } from './bind/attachments.js';
export { checkExpressions } from './bind/stage.js';
export { stepReferences, type StepReference } from './bind/step-references.js';
export { globalScope, loopScope, loopVariableOf, stepRunType, elementType, type DependencyInterface, type DependencyInterfaces } from './bind/scopes.js';
export { compileScalar, type Anchor, type CompiledSource } from './bind/compiled-source.js';
export * from './emit/index.js';
export * from './build/index.js';
