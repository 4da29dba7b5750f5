/** Evaluates compiled expressions and templates, turning their failures into located errors. */
import type { JsonValue } from '@sdl/adapters';
import type { CompiledExpression, CompiledTemplate, ScopeVariables, SourceLocation } from '../load/loaded-skill.js';
import { ExpressionEvaluationError } from './errors.js';
import { setOwn } from './set-own.js';

function isCompiledExpression(value: unknown): value is CompiledExpression {
  return value !== null && typeof value === 'object' && typeof (value as CompiledExpression).evaluate === 'function';
}

/** `what` names the construct for the message, e.g. "`when` of step `draft`". */
export function evaluateExpression(expression: CompiledExpression, vars: ScopeVariables, what: string, interrupt?: () => boolean): JsonValue {
  try {
    return expression.evaluate(vars, interrupt);
  } catch (error) {
    throw new ExpressionEvaluationError(what, expression.text, failureLocation(expression, error), error);
  }
}

export function renderTemplate(template: CompiledTemplate, vars: ScopeVariables, what: string, interrupt?: () => boolean): string {
  try {
    return template.render(vars, interrupt);
  } catch (error) {
    throw new ExpressionEvaluationError(what, template.text, failureLocation(template, error), error);
  }
}

/** The failing sub-expression's place when the error carries its offset (the CEL engine's EvalError does). */
function failureLocation(node: CompiledExpression | CompiledTemplate, error: unknown): SourceLocation {
  const start = (error as { start?: unknown } | null)?.start;
  return typeof start === 'number' && node.locate !== undefined ? node.locate(start) : node.source;
}

/** Evaluates a `with:` map: expressions are evaluated, YAML literals (numbers, bools, null) pass through. */
export function evaluateArguments(
  args: { [name: string]: CompiledExpression | JsonValue },
  vars: ScopeVariables,
  stepId: string,
  interrupt?: () => boolean,
): { [name: string]: JsonValue } {
  const result: { [name: string]: JsonValue } = {};
  for (const [name, value] of Object.entries(args)) {
    setOwn(result, name, isCompiledExpression(value)
      ? evaluateExpression(value, vars, `argument \`${name}\` of step \`${stepId}\``, interrupt)
      : value);
  }
  return result;
}

/** CEL's type names, for messages. */
export function celTypeOf(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  return typeof value === 'boolean' ? 'bool' : 'string';
}
