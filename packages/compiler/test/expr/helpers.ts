import {
  compileExpression, compileTemplate, EvalError, evaluate, parseExpression, parseTemplate, render, stringifyJson,
  varsFromJson, type EvalLimits, type Value,
} from '@sdl/compiler';

/** Evaluates source text; returns the JSON text of the value or `error <code>: <message>`. */
export function run(src: string, json: Record<string, unknown> = {}, limits?: Partial<EvalLimits>): string {
  const parsed = parseExpression(src);
  if (!parsed.ast) return `parse ${parsed.diagnostics.map((d) => d.code).join(',')}`;
  try {
    return stringifyJson(evaluate(compileExpression(parsed.ast), varsFromJson(json), limits));
  } catch (e) {
    if (e instanceof EvalError) return `error ${e.code}: ${e.message}`;
    throw e;
  }
}

export function value(src: string, vars: Record<string, Value> = {}): Value {
  const parsed = parseExpression(src);
  if (!parsed.ast) throw new Error(JSON.stringify(parsed.diagnostics));
  return evaluate(compileExpression(parsed.ast), vars);
}

export function renderText(src: string, json: Record<string, unknown> = {}, limits?: Partial<EvalLimits>): string {
  const parsed = parseTemplate(src);
  if (parsed.diagnostics.length > 0) throw new Error(JSON.stringify(parsed.diagnostics));
  return render(compileTemplate(parsed.ast), varsFromJson(json), limits);
}
