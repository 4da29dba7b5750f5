/**
 * `policies.budget.max_tokens`: the most tokens (input + output, as the engines report them) a run
 * may use. Checked before every model call of a skill that sets it, against the whole run's usage
 * so far (nested `use:` runs included): the call is refused when the run's tokens plus the call's
 * estimated input leave no room for output, and otherwise its output cap (`maxTokens`) is lowered
 * to what is left when that is less than the call would otherwise allow, so the engine itself stops
 * there. A cap is never raised.
 */
import type { EngineRequest, ModelDescriptor } from '@sdl/adapters';
import type { PromptStep } from '../load/loaded-skill.js';
import { estimateInputTokens, estimateOutputTokens } from '../observability/cost.js';
import type { RunContext, SkillFrame } from './context.js';
import { SdlRuntimeError } from './errors.js';

/** A model call was refused: the run has used (or would use) its `policies.budget.max_tokens`. Nothing was sent. */
export class TokenBudgetExceededError extends SdlRuntimeError {
  constructor(
    /** The skill whose budget it is. */
    readonly skill: string,
    /** `policies.budget.max_tokens`. */
    readonly budgetTokens: number,
    /** Tokens the run had used before this call. */
    readonly usedTokens: number,
    /** The estimated input tokens of the refused call (about four characters a token). */
    readonly estimatedInputTokens: number,
    step: PromptStep,
  ) {
    super(
      'token_budget_exceeded',
      `step \`${step.id}\` of skill \`${skill}\` was not sent: the run has used ${usedTokens} of its ${budgetTokens} tokens ` +
        `(policies.budget.max_tokens) and the call's input alone is estimated at ${estimatedInputTokens}; ` +
        'raise policies.budget.max_tokens or make the prompt shorter',
      { location: step.source },
    );
  }
}

/** The request to send under the frame's token budget (the same request when there is none). */
export function withinTokenBudget(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  request: EngineRequest,
  descriptor: ModelDescriptor | undefined,
): EngineRequest {
  const budget = frame.prepared.skill.policies?.budget?.max_tokens;
  if (typeof budget !== 'number') return request;
  const used = ctx.totals.usage.inputTokens + ctx.totals.usage.outputTokens;
  const input = estimateInputTokens(request);
  const room = budget - used - input;
  if (room < 1) throw new TokenBudgetExceededError(frame.prepared.skill.name, budget, used, input, step);
  // Without its own cap a call may produce what the cost estimate assumes (the model's maximum, at most 4096).
  if (estimateOutputTokens(request, descriptor) <= room) return request;
  return { ...request, maxTokens: room };
}
