/** A `tool:` step: evaluate the `with:` arguments and call the host tool; failures are located errors. */
import type { JsonValue } from '@sdl/adapters';
import type { ScopeVariables, ToolStep } from '../load/loaded-skill.js';
import type { RunContext, SkillFrame } from './context.js';
import { ToolStepError } from './errors.js';
import { evaluateArguments } from './evaluate.js';
import { callHostTool } from './host-tool.js';

export async function runToolStep(ctx: RunContext, frame: SkillFrame, step: ToolStep, vars: ScopeVariables): Promise<JsonValue> {
  const args = evaluateArguments(step.with, vars, step.id, ctx.interrupt);
  const observed = ctx.obs?.tool(step.tool, undefined, args);
  const outcome = await (observed === undefined ? callHostTool(ctx, frame, step.id, step.tool, args) : observed.call(() => callHostTool(ctx, frame, step.id, step.tool, args)));
  if (!outcome.ok) throw new ToolStepError(step.id, step.tool, `failed: ${outcome.message}`, step.source);
  return outcome.value;
}
