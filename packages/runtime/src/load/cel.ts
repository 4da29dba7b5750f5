/**
 * Implements the runtime's expression/template seam ({@link CompiledExpression},
 * {@link CompiledTemplate}) with the compiler's CEL engine (`@sdl/compiler` expr): parsed and
 * compiled once at load (parsing, for skill sources, is in `cel-source.ts`), evaluated in its sandbox (step and size limits) at run time. JSON values
 * are wrapped for CEL once per value (cached by identity) and converted as expressions read them
 * (`fromJsonLazy`); results are turned back into JSON.
 */
import type { JsonValue } from '@sdl/adapters';
import {
  compileExpression,
  compileTemplate,
  evaluateJson,
  fromJsonLazy,
  render,
  type EvalLimits,
  type ExprNode,
  type TemplateAst,
  type Value,
} from '@sdl/compiler/eval';
import type { CompiledExpression, CompiledTemplate, ScopeVariables, SourceLocation } from './loaded-skill.js';

/** Limits for expression evaluation at run time (the compiler's defaults unless given). */
export type ExpressionLimits = Partial<EvalLimits>;

/**
 * Where a scope keeps its CEL conversions: JSON objects and arrays already wrapped for CEL, and the
 * `{output}` map of each finished step, by identity (values are never mutated within a run). The map lives on the scope object under a
 * symbol, so it is made once per run (for_each scopes spread the parent scope and share it) and
 * is collected with the run; no process-wide table grows with every run's input.
 */
const CONVERSIONS: unique symbol = Symbol('sdl.celConversions');
type ConvertingScope = ScopeVariables & { [CONVERSIONS]?: Map<object, Value> };

function toCel(value: JsonValue, conversions: Map<object, Value>): Value {
  if (value === null || typeof value !== 'object') return fromJsonLazy(value);
  let cel = conversions.get(value);
  if (cel === undefined) {
    cel = fromJsonLazy(value);
    conversions.set(value, cel);
  }
  return cel;
}

/** The scope as CEL variables: `inputs`, `steps` (a map of `{output}` maps) and loop variables. */
function celVars(vars: ConvertingScope): Map<string, Value> {
  const conversions = (vars[CONVERSIONS] ??= new Map<object, Value>());
  const result = new Map<string, Value>();
  for (const name in vars) {
    if (name === 'steps') {
      const steps = new Map<string, Value>();
      const entries = vars.steps;
      for (const id in entries) {
        const entry = entries[id]!;
        let step = conversions.get(entry);
        if (step === undefined) conversions.set(entry, (step = new Map([['output', toCel(entry.output, conversions)]])));
        steps.set(id, step);
      }
      result.set('steps', steps);
    } else {
      result.set(name, toCel(vars[name] as JsonValue, conversions));
    }
  }
  return result;
}

/** Compiles an already parsed expression AST (as the IR carries it). */
export function celExpressionFromAst(
  text: string,
  ast: ExprNode,
  source: SourceLocation,
  limits?: ExpressionLimits,
  locate?: (offset: number) => SourceLocation,
): CompiledExpression {
  const compiled = compileExpression(ast);
  return {
    text,
    source,
    // The result's conversion to JSON is charged to the evaluation's budget (shared structure cannot expand past it).
    evaluate: (vars, interrupt) => evaluateJson(compiled, celVars(vars), limits, interrupt === undefined ? undefined : { interrupt }) as JsonValue,
    ...(locate === undefined ? {} : { locate }),
  };
}

/** Compiles an already parsed template AST (as the IR carries it). */
export function celTemplateFromAst(
  text: string,
  ast: TemplateAst,
  source: SourceLocation,
  limits?: ExpressionLimits,
  locate?: (offset: number) => SourceLocation,
): CompiledTemplate {
  const compiled = compileTemplate(ast);
  return { text, source, render: (vars, interrupt) => render(compiled, celVars(vars), limits, interrupt === undefined ? undefined : { interrupt }), ...(locate === undefined ? {} : { locate }) };
}
