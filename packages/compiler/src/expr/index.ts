/**
 * The SDL expression (CEL) and template language: parse → check → compile → evaluate/render.
 * See spec/expressions.md.
 */
export type * from './ast.js';
export { ExprCode, type ExprDiagnostic } from './expr-diagnostic.js';
export { parseExpression, MAX_NESTING, MAX_AST_DEPTH, MAX_TOKENS } from './parser.js';
export { parseTemplate } from './template.js';
export { compileExpression, compileTemplate, evaluate, evaluateJson, evaluateJsonText, render, renderValue, type CompiledExpression, type CompiledTemplate, type EvalOptions, type Vars } from './evaluate.js';
export { EvalError } from './eval-error.js';
export { DEFAULT_LIMITS, type EvalLimits } from './limits.js';
export { fromJson, varsFromJson, toJson, stringifyJson, JsonInputError } from './json.js';
export { fromJsonLazy } from './json-lazy.js';
export { CelType, CelUint, celEquals, mapEntries, mapKeys, typeName, type CelMap, type MapKey, type Value } from './values.js';
export { LinearRegex, RegexSyntaxError } from './regex.js';
export { checkExpression, checkTemplate, assignable, type Scope, type CheckOptions } from './check.js';
export { typeFromSchema, typeOfValue, formatType, Types, type ExprType } from './types.js';
export { scalarOffsetMap, identityOffsetMap, toDiagnostics, type ScalarLike, type OffsetMap } from './position.js';
export { GLOBAL_FUNCTIONS, MEMBER_FUNCTIONS } from './functions.js';
export { FUNCTION_SIGNATURES, type FunctionSignature } from './signatures.js';
