/**
 * A `use:` step: evaluate the arguments, validate them against the dependency's `inputs` schema
 * (defaults applied) and run the dependency as a nested skill sharing this run's signal, deadline,
 * events and accounting.
 */
import type { JsonValue } from '@sdl/adapters';
import type { ScopeVariables, UseStep } from '../load/loaded-skill.js';
import { withObservation, type RunContext, type SkillFrame } from './context.js';
import { InputValidationError, SdlRuntimeError } from './errors.js';
import { evaluateArguments } from './evaluate.js';

export type RunNested = (ctx: RunContext, frame: SkillFrame, input: JsonValue) => Promise<JsonValue>;

export async function runUseStep(
  ctx: RunContext,
  frame: SkillFrame,
  step: UseStep,
  vars: ScopeVariables,
  runNested: RunNested,
): Promise<JsonValue> {
  const dependency = frame.prepared.dependencies.get(step.use);
  if (dependency === undefined) {
    throw new SdlRuntimeError('dependency_missing', `step \`${step.id}\`: dependency \`${step.use}\` is not loaded`, { location: step.source });
  }
  const args = evaluateArguments(step.with, vars, step.id, ctx.interrupt);
  const checked = dependency.inputValidator.validate(args);
  if (!checked.ok) {
    const error = new InputValidationError(dependency.skill.name, checked.problems, `arguments (step \`${step.id}\` at ${step.source.file}:${step.source.line}:${step.source.column})`);
    throw error;
  }
  const observed = ctx.obs?.skill(dependency.skill);
  if (observed === undefined) return runNested(ctx, { prepared: dependency, path: [...frame.path, step.id] }, checked.value);
  try {
    const output = await runNested(withObservation(ctx, observed.scope), { prepared: dependency, path: [...frame.path, step.id] }, checked.value);
    observed.end('ok');
    return output;
  } catch (error) {
    observed.end('error', ctx.cancel.aborted ? ctx.cancel.reason : error);
    throw error;
  }
}
