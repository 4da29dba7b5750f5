/**
 * Code lenses: run a test of the skill (`skillc test <file> --name <test>`), and show a prompt
 * step's rendered prompt for a test's input (the compiler's template renderer; outputs of earlier
 * steps come from the test's `replies:`, JSON replies parsed).
 */
import { compileExpression, compileTemplate, elementType, evaluateJson, globalScope, locatePath, render, varsFromJson, type DependencyInterfaces, type ExprNode, type ExprType, type ParsedSkill, type TemplateAst } from '@sdl/compiler';
import type { CodeLens } from 'vscode-languageserver';
import { compiledOf } from './document.js';
import { rangeOf } from './positions.js';
import type { SkillFile } from './project.js';
import { isRecord } from './util.js';

/** The command a lens runs to execute a test: arguments `[uri, testName]`. */
export const RUN_TEST_COMMAND = 'sdl.runTest';
/** The command a lens runs to show a rendered prompt: arguments `[uri, stepIndex, testIndex]`; returns the text. */
export const SHOW_PROMPT_COMMAND = 'sdl.showPrompt';

/** The lenses of a file: one per test, and one per prompt step for the first test. */
export function codeLenses(file: SkillFile, uri: string): CodeLens[] {
  const parsed = file.result.parsed;
  const source = file.result.source;
  if (!parsed?.ok || !source || !isRecord(parsed.value)) return [];
  const lenses: CodeLens[] = [];
  const at = (path: (string | number)[]) => {
    const node = locatePath(parsed.document, path).node;
    const r = node?.range;
    return r ? rangeOf(source, r[0], r[0]) : undefined;
  };
  const tests = Array.isArray(parsed.value.tests) ? parsed.value.tests : [];
  tests.forEach((test, i) => {
    const range = at(['tests', i]);
    if (range && isRecord(test) && typeof test.name === 'string') lenses.push({ range, command: { title: `▶ Run test`, command: RUN_TEST_COMMAND, arguments: [uri, test.name] } });
  });
  const first = tests.findIndex((t) => isRecord(t) && typeof t.name === 'string');
  const steps = Array.isArray(parsed.value.steps) ? parsed.value.steps : [];
  steps.forEach((step, i) => {
    if (!isRecord(step) || !isRecord(step.prompt) || first < 0) return;
    const range = at(['steps', i]);
    const name = String((tests[first] as { name: string }).name);
    if (range) lenses.push({ range, command: { title: `Show prompt for test "${name}"`, command: SHOW_PROMPT_COMMAND, arguments: [uri, i, first] } });
  });
  return lenses;
}

/**
 * The rendered `system` and `user` prompt of step `stepIndex` for test `testIndex`, as text. A step
 * the test has no reply for shows as `‹steps.<id>.output…›` placeholders shaped by its output type;
 * a `for_each` step renders its first item.
 */
export function renderPrompt(parsed: ParsedSkill, dependencies: DependencyInterfaces, stepIndex: number, testIndex: number): string {
  const skill = isRecord(parsed.value) ? parsed.value : {};
  const steps = Array.isArray(skill.steps) ? skill.steps : [];
  const tests = Array.isArray(skill.tests) ? skill.tests : [];
  const step = steps[stepIndex];
  const test = tests[testIndex];
  if (!isRecord(step) || !isRecord(test)) return 'no such step or test';
  const inputs = withDefaults(isRecord(test.input) ? test.input : {}, skill.inputs);
  const replies = isRecord(test.replies) ? test.replies : {};
  const stepTypes = globalScope(skill, dependencies).get('steps');
  const outputs: Record<string, unknown> = {};
  for (const other of steps) {
    if (!isRecord(other) || typeof other.id !== 'string') continue;
    const reply = replies[other.id];
    const first = Array.isArray(reply) ? reply[0] : reply;
    const type = stepTypes?.kind === 'object' ? stepTypes.fields[other.id] : undefined;
    const outputType = type?.kind === 'object' ? type.fields.output : undefined;
    const output = reply === undefined ? placeholder(outputType, `steps.${other.id}.output`) : typeof first === 'string' ? parseJson(first) : first;
    outputs[other.id] = { output };
  }
  const vars: Record<string, unknown> = { inputs, steps: outputs };
  if (step.for_each !== undefined) {
    const over = compiledOf(parsed).get(`/steps/${stepIndex}/for_each/over`);
    let items: unknown;
    try {
      items = over?.ast ? evaluateJson(compileExpression(over.ast as ExprNode), varsFromJson(vars)) : undefined;
    } catch {
      items = undefined;
    }
    const as = typeof step.as === 'string' ? step.as : 'item';
    vars[as] = Array.isArray(items) && items.length > 0 ? items[0] : `‹${as}›`;
    vars.index = 0;
  }
  const out: string[] = [];
  for (const part of ['system', 'user'] as const) {
    const compiled = compiledOf(parsed).get(`/steps/${stepIndex}/${part}`);
    if (!compiled?.ast) continue;
    try {
      out.push(`--- ${part} ---\n${render(compileTemplate(compiled.ast as TemplateAst), varsFromJson(vars))}`);
    } catch (error) {
      out.push(`--- ${part} ---\n(cannot render: ${(error as Error).message})`);
    }
  }
  return out.join('\n');
}

/** A stand-in value of `type` whose strings name where the value would come from. */
function placeholder(type: ExprType | undefined, path: string): unknown {
  if (!type) return `‹${path}›`;
  switch (type.kind) {
    case 'object': return Object.fromEntries(Object.entries(type.fields).map(([k, t]) => [k, placeholder(t, `${path}.${k}`)]));
    case 'list': return [placeholder(elementType(type), `${path}[0]`)];
    case 'int': case 'uint': case 'double': return 0;
    case 'bool': return false;
    case 'map': return {};
    default: return `‹${path}›`;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The test's input with the `inputs` schema's top-level defaults filled in, as the runtime does. */
function withDefaults(input: Record<string, unknown>, schema: unknown): Record<string, unknown> {
  const out = { ...input };
  const properties = isRecord(schema) && isRecord(schema.properties) ? schema.properties : {};
  for (const [key, property] of Object.entries(properties)) if (!(key in out) && isRecord(property) && property.default !== undefined) out[key] = property.default;
  return out;
}

