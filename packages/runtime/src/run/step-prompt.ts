/**
 * A `prompt:` step: render the templates, choose the engine, converse (tool loop), and for
 * structured output extract + validate the JSON, with repair round trips that tell the model
 * exactly what was wrong before giving up with an {@link OutputValidationError}.
 */
import type { EngineRequest, JsonValue, Message, ToolDefinition } from '@sdl/adapters';
import type { PromptStep, ScopeVariables } from '../load/loaded-skill.js';
import { OutputValidationError } from '../output/output-validation-error.js';
import { parseStructuredReply, repairRequest } from '../output/structured-reply.js';
import type { RunContext, SkillFrame } from './context.js';
import { SdlRuntimeError } from './errors.js';
import { renderTemplate } from './evaluate.js';
import type { EventOrigin } from './events.js';
import { sessionHistory } from './session.js';
import type { StepAccount } from './step-account.js';
import { converse } from './tool-loop.js';

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

export async function runPromptStep(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  vars: ScopeVariables,
  origin: EventOrigin,
  account: StepAccount,
): Promise<JsonValue> {
  const skill = frame.prepared.skill;
  const system = step.system === undefined ? undefined : renderTemplate(step.system, vars, `system prompt of step \`${step.id}\``);
  const user = renderTemplate(step.user, vars, `user prompt of step \`${step.id}\``);
  const engine = chooseEngine(ctx, frame, step);
  const binding = ctx.services.engines.get(engine);
  const model = skill.engines.models[engine] ?? binding?.model ?? '';
  const params = { ...skill.engines.params, ...step.params };

  // Only the top-level skill owns the conversation; nested skills run without memory.
  const session = frame.path.length === 0 && skill.memory?.conversation ? ctx.session : undefined;
  const history = session === undefined ? [] : await sessionHistory(session);
  const userMessage: Message = { role: 'user', content: user };
  const messages: Message[] = [...history, userMessage];

  const tools: ToolDefinition[] = step.tools.map((name) => {
    const declared = skill.tools[name]!;
    return { name, description: declared.description, parameters: declared.parameters };
  });
  const request: Omit<EngineRequest, 'messages'> = {
    model,
    stepId: step.id,
    stepPath: [...frame.path, step.id].join('.'),
    ...(ctx.cancel.mayAbort ? { signal: ctx.cancel.signal } : {}),
    ...(system === undefined ? {} : { system }),
    ...(tools.length === 0 ? {} : { tools }),
    ...(step.output.kind === 'schema'
      ? { output: { schema: step.output.schema, ...(step.output.name ? { name: step.output.name } : {}) } }
      : {}),
    ...(params.temperature === undefined ? {} : { temperature: params.temperature }),
    ...(params.max_tokens === undefined ? {} : { maxTokens: params.max_tokens }),
    ...(params.stop === undefined ? {} : { stop: params.stop }),
  };

  let output: JsonValue;
  let finalText: string;
  const validator = frame.prepared.outputValidators.get(step.id);
  if (step.output.kind === 'text' || validator === undefined) {
    const response = await converse(ctx, frame, step, origin, account, engine, request, messages);
    output = response.text;
    finalText = response.text;
  } else {
    const replies: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const response = await converse(ctx, frame, step, origin, account, engine, request, messages);
      replies.push(response.text);
      const parsed = parseStructuredReply(response.text, validator);
      if (parsed.ok) {
        output = parsed.value;
        finalText = response.text;
        break;
      }
      if (attempt >= ctx.services.repairAttempts) {
        throw new OutputValidationError(step.id, step.source, parsed.problems, replies);
      }
      account.repairs++;
      messages.push(
        { role: 'assistant', content: response.text },
        { role: 'user', content: repairRequest(parsed.problems, step.output.schema) },
      );
    }
  }

  if (session !== undefined) {
    // The tool exchange is part of the conversation (another engine must see which tools were
    // called and what they returned); JSON repair round trips are not.
    const exchange = messages
      .slice(history.length + 1)
      .filter((m) => m.role === 'tool' || (m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0));
    session.newTurns.push(
      { message: userMessage, engine },
      ...exchange.map((message) => ({ message, engine })),
      { message: { role: 'assistant', content: finalText }, engine },
    );
  }
  return output;
}
