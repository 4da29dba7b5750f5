/**
 * The expression evaluator of `@sdl/compiler` without its parser (`@sdl/compiler/eval`): compiles
 * and evaluates expression and template ASTs, as compiled IR carries them, and converts values
 * between JSON and CEL. It loads neither chevrotain nor the YAML front end, so the runtime's IR path
 * starts without them.
 * @module
 */
export type { ExprNode, TemplateAst } from './expr/ast.js';
export { compileExpression, compileTemplate, evaluate, evaluateJson, evaluateJsonText, render, renderValue, type CompiledExpression, type CompiledTemplate, type EvalOptions, type Vars } from './expr/evaluate.js';
export { EvalError } from './expr/eval-error.js';
export { DEFAULT_LIMITS, type EvalLimits } from './expr/limits.js';
export { fromJson, varsFromJson, toJson, stringifyJson, JsonInputError } from './expr/json.js';
export { fromJsonLazy } from './expr/json-lazy.js';
export type { Value } from './expr/values.js';
