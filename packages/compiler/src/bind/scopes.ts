import { isRecord } from '../check/context.js';
import { Types, typeFromSchema, type ExprType } from '../expr/types.js';

/** What a skill needs to know about a skill it uses: its input and output schemas. */
export interface DependencyInterface {
  /** The dependency's `inputs` schema (undefined: it declares none). */
  inputs: unknown;
  /** The dependency's `outputs` schema (undefined: its output is untyped). */
  outputs: unknown;
}

/** Dependency interfaces by `uses:` alias; an alias missing here is unknown (typed dyn, arguments unchecked). */
export type DependencyInterfaces = ReadonlyMap<string, DependencyInterface>;

/**
 * The type of one run of a step (before `for_each` wraps it in a list): a prompt step's text or
 * schema, a used skill's `outputs`, a tool's `returns`; dyn when nothing says.
 */
export function stepRunType(step: Record<string, unknown>, skill: Record<string, unknown>, dependencies: DependencyInterfaces | undefined): ExprType {
  if (isRecord(step.prompt)) {
    const output = step.output;
    if (output === undefined || output === 'text') return Types.string;
    if (output === 'outputs') return typeFromSchema(skill.outputs);
    return isRecord(output) ? typeFromSchema(output) : Types.dyn;
  }
  if (typeof step.use === 'string') {
    const dep = dependencies?.get(step.use);
    return dep && dep.outputs !== undefined ? typeFromSchema(dep.outputs) : Types.dyn;
  }
  if (typeof step.tool === 'string' && isRecord(skill.tools)) {
    const tool = skill.tools[step.tool];
    return isRecord(tool) && tool.returns !== undefined ? typeFromSchema(tool.returns) : Types.dyn;
  }
  return Types.dyn;
}

/**
 * The `steps` variable: one field per step id holding `{ output }`. It admits other names as dyn
 * so a reference to a missing step is reported once, by the step-graph check, with its own hint.
 */
export function stepsType(outputs: ReadonlyMap<string, ExprType>): ExprType {
  const fields: Record<string, ExprType> = {};
  for (const [id, type] of outputs) fields[id] = Types.object({ output: type }, ['output']);
  return Types.object(fields, [...outputs.keys()], Types.dyn);
}

/** The element type of a list (or a map's key type), for loop variables; dyn otherwise. */
export function elementType(type: ExprType): ExprType {
  if (type.kind === 'list') return type.elem;
  if (type.kind === 'map') return type.key;
  if (type.kind === 'object') return Types.string;
  return Types.dyn;
}

/** Step ids `steps.<id>` may name in a scope: only the first step of a duplicated id counts. */
const RESERVED_LOOP_NAMES = new Set(['inputs', 'steps']);

/**
 * The variables every expression of a skill sees: `inputs` (typed by its `inputs` schema; any
 * object when it has none) and `steps` (each step's output type, a list for a `for_each` step).
 */
export function globalScope(skill: Record<string, unknown>, dependencies: DependencyInterfaces | undefined): Map<string, ExprType> {
  const runTypes = new Map<string, ExprType>();
  for (const step of Array.isArray(skill.steps) ? skill.steps : []) {
    if (!isRecord(step) || typeof step.id !== 'string' || runTypes.has(step.id)) continue;
    const run = stepRunType(step, skill, dependencies);
    runTypes.set(step.id, step.for_each === undefined ? run : Types.list(run));
  }
  return new Map<string, ExprType>([
    ['inputs', skill.inputs === undefined ? Types.map(Types.string, Types.dyn) : typeFromSchema(skill.inputs)],
    ['steps', stepsType(runTypes)],
  ]);
}

/** The loop variable a `for_each` step names (`as:`, default `item`; `inputs`/`steps` cannot be shadowed). */
export function loopVariableOf(step: Record<string, unknown>): string {
  return typeof step.as === 'string' && !RESERVED_LOOP_NAMES.has(step.as) ? step.as : 'item';
}

/** The scope inside a `for_each` step's prompt and `with:`: the globals, the loop variable and `index`. */
export function loopScope(globals: ReadonlyMap<string, ExprType>, step: Record<string, unknown>, overType: ExprType): Map<string, ExprType> {
  return new Map([...globals, [loopVariableOf(step), elementType(overType)], ['index', Types.int]]);
}
