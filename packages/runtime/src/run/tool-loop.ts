/**
 * The model tool-use loop of a prompt step: call the model; while it asks for tools, run them on
 * the host (concurrently within one turn), send the results back, and call again, at most
 * `max_tool_iterations` times. Tool failures go back to the model as error results, not exceptions.
 */
import type { AssistantMessage, EngineRequest, EngineResponse, Message, ReasoningPart, ToolResultMessage } from '@sdl/adapters';
import type { PromptStep } from '../load/loaded-skill.js';
import type { RunContext, SkillFrame } from './context.js';
import { ToolLoopLimitError } from './errors.js';
import type { EventOrigin } from './events.js';
import { copyWith } from './copy-with.js';
import { callHostTool } from './host-tool.js';
import { modelTurn } from './model-turn.js';
import type { StepAccount } from './step-account.js';

/**
 * The model's turn as history: text, tool calls, and its reasoning parts (signatures included; the
 * adapter of the same provider sends them back, others drop them).
 */
function assistantTurn(response: EngineResponse): AssistantMessage {
  const turn: AssistantMessage = { role: 'assistant', content: response.text, toolCalls: response.toolCalls };
  addReasoning(turn, response);
  return turn;
}

/** The final reply of a step as history: its text and reasoning, no tool calls. */
export function replyTurn(response: EngineResponse): AssistantMessage {
  // Built without the calls rather than by an object rest of assistantTurn's (V8's slow path).
  const turn: AssistantMessage = { role: 'assistant', content: response.text };
  addReasoning(turn, response);
  return turn;
}

/** Sets the reply's reasoning parts on `turn`, when it has any. */
function addReasoning(turn: AssistantMessage, response: EngineResponse): void {
  const reasoning = response.parts?.filter((p): p is ReasoningPart => p.type === 'reasoning');
  if (reasoning !== undefined && reasoning.length > 0) turn.reasoning = reasoning;
}

/** The request of one model turn: the step's request with a snapshot of the conversation so far. */
function turnRequest(request: Omit<EngineRequest, 'messages'>, messages: Message[]): EngineRequest {
  return copyWith(request as EngineRequest, 'messages', messages.slice());
}

/**
 * Runs model turns until a reply without tool calls; `messages` grows with the exchange. The calls of a
 * reply run whatever its stop reason (`tool_use`, but also `end` from servers that do not say
 * `tool_calls`, or `max_tokens` after a complete call: a call cut short never reaches `toolCalls`),
 * except after a refusal (`content_filter`): then nothing runs and the reply ends the step.
 */
export function converse(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  origin: EventOrigin,
  account: StepAccount,
  engine: string,
  request: Omit<EngineRequest, 'messages'>,
  messages: Message[],
): Promise<EngineResponse> {
  // Not async itself: a turn that calls no tool (most) passes through one `then` (see bench/README.md, http).
  let first: Promise<EngineResponse>;
  try {
    first = modelTurn(ctx, frame, step, origin, account, engine, turnRequest(request, messages));
  } catch (error) {
    return Promise.reject(error);
  }
  // Without tools every reply is final: the first turn's promise is the step's (no `then` and closure).
  if (step.tools.length === 0) return first;
  return first.then((response) => (isFinal(step, response) ? response : toolRounds(ctx, frame, step, origin, account, engine, request, messages, response)));
}

/** The reply ends the conversation: it calls no tool (or the step has none), or the model refused. */
const isFinal = (step: PromptStep, response: EngineResponse) => response.toolCalls.length === 0 || step.tools.length === 0 || response.stopReason === 'content_filter';

/** The tool rounds after a first reply that called tools, until a reply calls none. */
async function toolRounds(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  origin: EventOrigin,
  account: StepAccount,
  engine: string,
  request: Omit<EngineRequest, 'messages'>,
  messages: Message[],
  first: EngineResponse,
): Promise<EngineResponse> {
  let response = first;
  for (let iteration = 0; ; iteration++) {
    if (iteration > 0) {
      response = await modelTurn(ctx, frame, step, origin, account, engine, turnRequest(request, messages));
      if (isFinal(step, response)) return response;
    }
    if (iteration >= step.maxToolIterations) throw new ToolLoopLimitError(step.id, step.maxToolIterations, step.source);

    messages.push(assistantTurn(response));
    const results = await Promise.all(
      response.toolCalls.map(async (call): Promise<ToolResultMessage> => {
        account.toolCalls++;
        ctx.emit?.({ type: 'tool-call', call, ...origin });
        const observed = ctx.obs?.tool(call.name, call.id, call.arguments);
        const outcome = step.tools.includes(call.name)
          ? await (observed === undefined
              ? callHostTool(ctx, frame, step.id, call.name, call.arguments, call.id)
              : observed.call(() => callHostTool(ctx, frame, step.id, call.name, call.arguments, call.id)))
          : { ok: false as const, message: `tool \`${call.name}\` is not available in this step (available: ${step.tools.join(', ')})` };
        if (observed !== undefined && !step.tools.includes(call.name)) observed.end(outcome);
        const result = outcome.ok ? outcome.value : { error: outcome.message };
        ctx.emit?.({ type: 'tool-result', callId: call.id, name: call.name, result, isError: !outcome.ok, ...origin });
        const content = outcome.ok
          ? typeof outcome.value === 'string'
            ? outcome.value
            : JSON.stringify(outcome.value)
          : `error: ${outcome.message}`;
        return { role: 'tool', toolCallId: call.id, name: call.name, content, ...(outcome.ok ? {} : { isError: true }) };
      }),
    );
    messages.push(...results);
  }
}
