/**
 * The common template shape, literal text and `{{ inputs.a.b }}` insertions, rendered without the
 * CEL evaluator when every inserted value is a short string: the evaluator's budget, variables and
 * wrapped inputs are several objects and closures per render, which a run among HTTP calls finds
 * evicted from the caches (issue 14). Any other value, a missing field, or a text near a limit
 * returns undefined and the caller renders with the evaluator, which gives the same text and
 * reports every error itself.
 */
import { DEFAULT_LIMITS, type EvalLimits, type ExprNode, type TemplateAst } from '@sdl/compiler/eval';

/**
 * The evaluator charges steps for a text or value longer than this (1 per KiB), and may then ask
 * the run's `interrupt`: longer pieces are left to it.
 */
const UNCHARGED_LENGTH = 1024;
/** Deeper paths are left to the evaluator (its JSON depth limit is 200). */
const MAX_PATH = 16;

/** Renders `inputs` into the template's text, or undefined when the evaluator must. */
export type PlainRender = (inputs: unknown) => string | undefined;

/** The field path of `inputs.a.b...`, or undefined for any other expression. */
function inputsPath(node: ExprNode): string[] | undefined {
  const path: string[] = [];
  let at = node;
  while (at.kind === 'select') {
    path.push(at.field);
    at = at.operand;
  }
  if (at.kind !== 'ident' || at.name !== 'inputs' || path.length === 0 || path.length > MAX_PATH) return undefined;
  return path.reverse();
}

/** The plain render of `ast`, or undefined when it has another shape (`#if`, `#each`, other expressions). */
export function plainTemplate(ast: TemplateAst, limits?: Partial<EvalLimits>): PlainRender | undefined {
  const parts: (string | string[])[] = [];
  for (const node of ast.body) {
    if (node.kind === 'text') {
      if (node.text.length > UNCHARGED_LENGTH) return undefined;
      parts.push(node.text);
    } else if (node.kind === 'interpolation') {
      const path = inputsPath(node.expr);
      if (path === undefined) return undefined;
      parts.push(path);
    } else return undefined;
  }
  const maxLength = (limits ? { ...DEFAULT_LIMITS, ...limits } : DEFAULT_LIMITS).maxStringLength;
  return (inputs) => {
    let text = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      let value = inputs;
      for (let j = 0; j < part.length; j++) {
        // The evaluator reads JSON objects' own properties only (a list or anything else fails the select).
        if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part[j]!)) return undefined;
        value = (value as Record<string, unknown>)[part[j]!];
      }
      if (typeof value !== 'string' || value.length > UNCHARGED_LENGTH) return undefined;
      text += value;
    }
    return text.length <= maxLength ? text : undefined;
  };
}
