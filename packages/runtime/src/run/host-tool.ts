/**
 * Calls a host tool for a skill: arguments are checked against the skill's declared schema and the
 * host's registered one, the run's signal is handed to the tool, and failures come back as data so
 * that a prompt step can return them to the model and a tool step can raise a located error.
 */
import type { JsonValue } from '@sdl/adapters';
import type { LoadedSkill } from '../load/loaded-skill.js';
import { redactionRule } from '../middleware/policies.js';
import { Redactor } from '../observability/redactor.js';
import type { RunContext, SkillFrame } from './context.js';

/** The skill's `policies.redact` as a redactor (all built-in kinds when it names none), one per skill. */
const redactors = new WeakMap<LoadedSkill, Redactor>();
function redactorOf(skill: LoadedSkill): Redactor {
  let redactor = redactors.get(skill);
  if (redactor === undefined) {
    const rule = redactionRule(skill.policies);
    redactor = new Redactor(rule.kinds.length === 0 && rule.custom.length === 0 ? {} : rule);
    redactors.set(skill, redactor);
  }
  return redactor;
}

export type HostToolOutcome = { ok: true; value: JsonValue } | { ok: false; message: string };

function describeProblems(problems: ReadonlyArray<{ path: string; message: string }>): string {
  return problems.map((p) => `${p.path === '' ? '(arguments)' : p.path}: ${p.message}`).join('; ');
}

export async function callHostTool(
  ctx: RunContext,
  frame: SkillFrame,
  stepId: string,
  name: string,
  args: { [name: string]: JsonValue },
  callId?: string,
): Promise<HostToolOutcome> {
  const declared = frame.prepared.skill.tools[name];
  const registered = ctx.services.tools.get(name);
  if (declared === undefined || registered === undefined) {
    const available = Object.keys(frame.prepared.skill.tools).join(', ') || 'none';
    return { ok: false, message: `unknown tool \`${name}\` (available: ${available})` };
  }
  const declaredCheck = frame.prepared.toolValidators.get(name)?.validate(args);
  if (declaredCheck !== undefined && !declaredCheck.ok) {
    return { ok: false, message: `invalid arguments: ${describeProblems(declaredCheck.problems)}` };
  }
  const hostCheck = registered.argumentsValidator.validate(declaredCheck?.ok ? declaredCheck.value : args);
  if (!hostCheck.ok) return { ok: false, message: `invalid arguments: ${describeProblems(hostCheck.problems)}` };
  try {
    const value = await registered.execute(hostCheck.value as { [name: string]: JsonValue }, {
      signal: ctx.cancel.signal,
      skill: frame.prepared.skill.name,
      step: stepId,
      ...(callId === undefined ? {} : { callId }),
      ...(ctx.user === undefined ? {} : { user: ctx.user }),
      ...(ctx.session === undefined ? {} : { session: ctx.session.id }),
      redact: (value) => redactorOf(frame.prepared.skill).redactDeep(value),
    });
    return { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    if (ctx.cancel.aborted) throw ctx.cancel.reason;
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
