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
import { setOwn } from '../run/set-own.js';
import { plainTemplate } from './plain-template.js';

/** Limits for expression evaluation at run time (the compiler's defaults unless given). */
export type ExpressionLimits = Partial<EvalLimits>;

/**
 * Where a scope keeps its CEL conversions, on the scope object under symbols, so they are made once
 * per run (for_each scopes spread the parent scope and share them) and collected with the run; no
 * process-wide table grows with every run's input. `inputs`, which every scope has and most
 * expressions read, is kept in a slot of its own; JSON objects and arrays of steps and loop
 * variables already wrapped for CEL, and the `{output}` map of each finished step, in a map by
 * identity (values are never mutated within a run), made when the first of them is converted: a
 * `Map` per scope cost more than the rest of a first evaluation that reads only `inputs`.
 */
const CONVERSIONS: unique symbol = Symbol('sdl.celConversions');
const INPUTS_JSON: unique symbol = Symbol('sdl.celInputsJson');
const INPUTS_CEL: unique symbol = Symbol('sdl.celInputs');
type ConvertingScope = ScopeVariables & { [CONVERSIONS]?: Map<object, Value>; [INPUTS_JSON]?: JsonValue; [INPUTS_CEL]?: Value };

/** The scope's `inputs` as a CEL value, wrapped once per scope. */
function celInputs(vars: ConvertingScope): Value {
  const inputs = vars.inputs;
  if (inputs === null || typeof inputs !== 'object') return fromJsonLazy(inputs);
  if (vars[INPUTS_JSON] === inputs) return vars[INPUTS_CEL]!;
  const cel = fromJsonLazy(inputs);
  vars[INPUTS_JSON] = inputs;
  vars[INPUTS_CEL] = cel;
  return cel;
}

function toCel(value: JsonValue, vars: ConvertingScope): Value {
  if (value === null || typeof value !== 'object') return fromJsonLazy(value);
  const conversions = (vars[CONVERSIONS] ??= new Map<object, Value>());
  let cel = conversions.get(value);
  if (cel === undefined) {
    cel = fromJsonLazy(value);
    conversions.set(value, cel);
  }
  return cel;
}

/** The `steps` of a scope where no step has finished yet (the first steps' expressions): never written. */
const NO_STEPS: Value = new Map<string, Value>();

/**
 * The scope as CEL variables: `inputs`, `steps` (a map of `{output}` maps) and loop variables. A
 * plain object (the evaluator looks variables up as own properties) rather than a Map: it is
 * built for every evaluation.
 */
function celVars(vars: ConvertingScope): Record<string, Value> {
  // Every scope has `inputs` and `steps`: one literal shape; loop variables are added to it.
  const result: Record<string, Value> = { inputs: celInputs(vars), steps: celSteps(vars) };
  for (const name in vars) if (name !== 'inputs' && name !== 'steps') setOwn(result, name, toCel(vars[name] as JsonValue, vars));
  return result;
}

function celSteps(vars: ConvertingScope): Value {
  const entries = vars.steps;
  let steps: Map<string, Value> | undefined;
  for (const id in entries) {
    const entry = entries[id]!;
    const conversions = (vars[CONVERSIONS] ??= new Map<object, Value>());
    let step = conversions.get(entry);
    if (step === undefined) conversions.set(entry, (step = new Map([['output', toCel(entry.output, vars)]])));
    (steps ??= new Map()).set(id, step);
  }
  return steps ?? NO_STEPS;
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
  const full = (vars: ScopeVariables, interrupt?: () => boolean) => render(compiled, celVars(vars), limits, interrupt === undefined ? undefined : { interrupt });
  // Text and `{{ inputs.x }}` only: rendered directly while the values are short strings (plain-template.ts).
  const plain = plainTemplate(ast, limits);
  const renderVars = plain === undefined ? full : (vars: ScopeVariables, interrupt?: () => boolean) => plain(vars.inputs) ?? full(vars, interrupt);
  return { text, source, render: renderVars, ...(locate === undefined ? {} : { locate }) };
}
