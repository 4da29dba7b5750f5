/**
 * A `prompt:` step: render the templates, choose the engine, converse (tool loop), and for
 * structured output extract + validate the JSON, with repair round trips that tell the model
 * exactly what was wrong before giving up with an {@link OutputValidationError}.
 */
import type { EngineRequest, EngineResponse, JsonSchema, JsonValue, Message, ReasoningRequest, ToolDefinition, UserMessage } from '@sdl/adapters';
import type { LoadedSkill, PromptStep, ScopeVariables } from '../load/loaded-skill.js';
import { summaryBlock } from './summary.js';
import { OutputValidationError } from '../output/output-validation-error.js';
import { parseStructuredReply, repairRequest } from '../output/structured-reply.js';
import type { RunContext, SessionState, SkillFrame } from './context.js';
import { ModelRefusedError, SdlRuntimeError } from './errors.js';
import { evaluateExpression, renderTemplate } from './evaluate.js';
import type { EventOrigin } from './events.js';
import type { SchemaValidator } from '../load/validators.js';
import { sessionHistory } from './session.js';
import type { StepAccount } from './step-account.js';
import { converse, replyTurn } from './tool-loop.js';
import { modelTurn } from './model-turn.js';
import { resolveAttachment } from './media.js';

/** The engine for a prompt step: the step's pin, else the caller's choice, else the skill's first qualified engine. */
export function chooseEngine(ctx: RunContext, frame: SkillFrame, step: PromptStep): string {
  if (step.engine !== undefined) return step.engine;
  const qualified = frame.prepared.engines;
  if (ctx.engineOverride !== undefined && qualified.includes(ctx.engineOverride)) return ctx.engineOverride;
  const first = qualified[0];
  if (first === undefined) {
    throw new SdlRuntimeError('no_engine', `step \`${step.id}\`: no engine qualifies for skill \`${frame.prepared.skill.name}\``, {
      location: step.source,
    });
  }
  return first;
}

/** What a prompt step sends on every run, worked out once per step (steps are immutable once loaded). */
interface PromptPlan {
  tools: ToolDefinition[];
  output: EngineRequest['output'];
  temperature: number | undefined;
  topP: number | undefined;
  maxTokens: number | undefined;
  stop: string[] | undefined;
  reasoning: ReasoningRequest | undefined;
  /** What the templates' errors name (built once, not on every run). */
  systemWhat: string;
  userWhat: string;
}

const plans = new WeakMap<PromptStep, PromptPlan>();

function planOf(skill: LoadedSkill, step: PromptStep): PromptPlan {
  let plan = plans.get(step);
  if (plan === undefined) {
    const params = { ...skill.engines.params, ...step.params };
    plan = {
      tools: step.tools.map((name) => {
        const declared = skill.tools[name]!;
        return { name, description: declared.description, parameters: declared.parameters };
      }),
      output:
        step.output.kind === 'schema' ? { schema: step.output.schema, ...(step.output.name ? { name: step.output.name } : {}) } : undefined,
      temperature: params.temperature,
      topP: params.top_p,
      maxTokens: params.max_tokens,
      stop: params.stop,
      reasoning:
        params.reasoning === undefined
          ? undefined
          : {
              ...(params.reasoning.effort !== undefined ? { effort: params.reasoning.effort } : {}),
              ...(params.reasoning.budget_tokens !== undefined ? { budgetTokens: params.reasoning.budget_tokens } : {}),
            },
      systemWhat: `system prompt of step \`${step.id}\``,
      userWhat: `user prompt of step \`${step.id}\``,
    };
    plans.set(step, plan);
  }
  return plan;
}

/**
 * Runs a prompt step. Not `async`: a step without conversation memory or attachments renders, builds
 * its request and converses without awaiting anything (an async frame, ~40 registers, and its await
 * cost ~0.7 KB per call); the others wait for the history and the attachments first.
 */
export function runPromptStep(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  vars: ScopeVariables,
  origin: EventOrigin,
  account: StepAccount,
): Promise<JsonValue> {
  const skill = frame.prepared.skill;
  const plan = planOf(skill, step);
  const system = step.system === undefined ? undefined : renderTemplate(step.system, vars, plan.systemWhat, ctx.interrupt);
  const user = renderTemplate(step.user, vars, plan.userWhat, ctx.interrupt);
  const engine = chooseEngine(ctx, frame, step);
  // Only the top-level skill owns the conversation; nested skills run without memory.
  const session = frame.path.length === 0 && skill.memory?.conversation ? ctx.session : undefined;
  const userMessage: UserMessage = { role: 'user', content: user };
  if (session === undefined && step.attachments === undefined) {
    return promptTurns(ctx, frame, step, vars, origin, account, plan, engine, system, userMessage, undefined, NO_MESSAGES);
  }
  return withHistoryAndAttachments(ctx, frame, step, vars, origin, account, plan, engine, system, userMessage, session);
}

/** The step once its session history is loaded and its attachments resolved (in that order). */
async function withHistoryAndAttachments(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  vars: ScopeVariables,
  origin: EventOrigin,
  account: StepAccount,
  plan: PromptPlan,
  engine: string,
  system: string | undefined,
  userMessage: UserMessage,
  session: SessionState | undefined,
): Promise<JsonValue> {
  const history = session === undefined ? NO_MESSAGES : await sessionHistory(session);
  if (step.attachments !== undefined) {
    userMessage.attachments = await Promise.all(
      step.attachments.map((a) => resolveAttachment(evaluateExpression(a.value, vars, `attachment of step \`${step.id}\``), a, step.id, ctx.services.mediaRoot)),
    );
  }
  return promptTurns(ctx, frame, step, vars, origin, account, plan, engine, system, userMessage, session, history);
}

/** Never changed: the history of a step without memory and the examples of a step without any. */
const NO_MESSAGES: readonly Message[] = Object.freeze([]);

/** The step's reply text (module level: the usual step's `then` allocates no closure). */
const replyText = (response: EngineResponse): JsonValue => response.text;

/** Builds the step's request and converses: the reply text, or the validated structured reply. */
function promptTurns(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  vars: ScopeVariables,
  origin: EventOrigin,
  account: StepAccount,
  plan: PromptPlan,
  engine: string,
  system: string | undefined,
  userMessage: Message,
  session: SessionState | undefined,
  history: readonly Message[],
): Promise<JsonValue> {
  const skill = frame.prepared.skill;
  const model = skill.engines.models[engine] ?? ctx.services.engines.get(engine)?.model ?? '';
  // Few-shot examples sit between the stored history and this turn; they are not kept in the session.
  const examples: readonly Message[] =
    step.messages === undefined || step.messages.length === 0
      ? NO_MESSAGES
      : step.messages.map((m) => ({ role: m.role, content: renderTemplate(m.content, vars, `example turn of step \`${step.id}\``) }));
  const messages: Message[] = history.length === 0 && examples.length === 0 ? [userMessage] : [...history, ...examples, userMessage];

  // Optional fields are set only when present (an adapter or a test may tell absent from undefined).
  const request: Omit<EngineRequest, 'messages'> = {
    model,
    stepId: step.id,
    stepPath: frame.path.length === 0 ? step.id : [...frame.path, step.id].join('.'),
  };
  if (ctx.cancel.mayAbort) request.signal = ctx.cancel.signal;
  // The session's summary goes ahead of the step's own system prompt (every provider has one).
  const summary = session?.summary;
  if (summary !== undefined) request.system = system === undefined ? summaryBlock(summary) : `${summaryBlock(summary)}\n\n${system}`;
  else if (system !== undefined) request.system = system;
  // A fresh array per request, as before: hosts and middleware may keep or change a request's tools.
  if (plan.tools.length > 0) request.tools = [...plan.tools];
  if (plan.output !== undefined) request.output = plan.output;
  if (plan.temperature !== undefined) request.temperature = plan.temperature;
  if (plan.topP !== undefined) request.topP = plan.topP;
  if (plan.maxTokens !== undefined) request.maxTokens = plan.maxTokens;
  if (plan.stop !== undefined) request.stop = plan.stop;
  if (plan.reasoning !== undefined) request.reasoning = plan.reasoning;
  if (step.cache !== undefined) request.cache = { ...step.cache };

  const validator = frame.prepared.outputValidators.get(step.id);
  if (step.output.kind === 'text' || validator === undefined) {
    // Without tools a step has one turn, which sends the step's own request (onlyTurn); the reply
    // text is then taken in the turn's own `then`. With a session the conversation is read again
    // afterwards, so the request gets a copy of it.
    if (session === undefined) {
      if (step.tools.length === 0) return modelTurn(ctx, frame, step, origin, account, engine, onlyTurn(request, messages), replyText);
      return converse(ctx, frame, step, origin, account, engine, request, messages).then(replyText);
    }
    const replied =
      step.tools.length === 0
        ? modelTurn(ctx, frame, step, origin, account, engine, onlyTurn(request, messages.slice()))
        : converse(ctx, frame, step, origin, account, engine, request, messages);
    return replied.then((response) => {
      keepTurns(session, frame, step, engine, messages, history.length + examples.length, userMessage, replyTurn(response));
      return response.text;
    });
  }
  return structuredReply(ctx, frame, step, origin, account, engine, request, messages, validator, step.output.schema).then(({ output, response }) => {
    if (session !== undefined) keepTurns(session, frame, step, engine, messages, history.length + examples.length, userMessage, replyTurn(response));
    return output;
  });
}

/**
 * The request of a step's one and only turn (text output, no tools): the step's request itself with
 * `messages` set last, as a turn's copy would have them (no copy: nothing sends the step's request again).
 */
function onlyTurn(request: Omit<EngineRequest, 'messages'>, messages: Message[]): EngineRequest {
  const turn = request as EngineRequest;
  turn.messages = messages;
  return turn;
}

/** Converses until the reply parses and validates, with repair round trips that say what was wrong. */
async function structuredReply(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  origin: EventOrigin,
  account: StepAccount,
  engine: string,
  request: Omit<EngineRequest, 'messages'>,
  messages: Message[],
  validator: SchemaValidator,
  schema: JsonSchema,
): Promise<{ output: JsonValue; response: EngineResponse }> {
  const replies: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const response = await converse(ctx, frame, step, origin, account, engine, request, messages);
    if (response.stopReason === 'content_filter') throw new ModelRefusedError(step.id, response.refusal?.text ?? '', step.source);
    replies.push(response.text);
    const parsed = parseStructuredReply(response.text, validator);
    if (parsed.ok) return { output: parsed.value, response };
    if (attempt >= ctx.services.repairAttempts) {
      throw new OutputValidationError(step.id, step.source, parsed.problems, replies);
    }
    account.repairs++;
    messages.push(
      { role: 'assistant', content: response.text },
      { role: 'user', content: repairRequest(parsed.problems, schema) },
    );
  }
}

/**
 * Queues the step's turns for the session. The tool exchange is part of the conversation (another
 * engine must see which tools were called and what they returned); JSON repair round trips are not.
 */
function keepTurns(
  session: SessionState,
  frame: SkillFrame,
  step: PromptStep,
  engine: string,
  messages: Message[],
  before: number,
  userMessage: Message,
  finalTurn: Message,
): void {
  const exchange = messages
    .slice(before + 1)
    .filter((m) => m.role === 'tool' || (m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0));
  session.lastCall = { frame, step, engine };
  session.newTurns.push(
    { message: userMessage, engine },
    ...exchange.map((message) => ({ message, engine })),
    { message: finalTurn, engine },
  );
}
