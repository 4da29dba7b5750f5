import type Anthropic from '@anthropic-ai/sdk';
import type { EngineRequest, StopReason } from '../types.js';
import { append } from '../shared/append.js';
import { toWireToolCallId } from '../shared/tool-ids.js';
import { applyReasoning, placeCacheBreakpoints, thinkingBlocks, userBlocks } from './request-content.js';

type MessageParam = Anthropic.Messages.MessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;

/** Anthropic requires `max_tokens`; used when neither the request nor the engine config sets one. */
export const DEFAULT_MAX_TOKENS = 4096;

/** The last turn so far. (Read index -1 of an empty array and V8 takes its slow keyed-load path.) */
const lastTurn = (messages: MessageParam[]): MessageParam | undefined => (messages.length > 0 ? messages[messages.length - 1] : undefined);

/**
 * Appends blocks to the last turn when it is a user turn (a text-only one becomes blocks first),
 * else starts a user turn; returns the turns ({@link append}).
 */
function pushUserBlocks(messages: MessageParam[], blocks: ContentBlockParam[]): MessageParam[] {
  const last = lastTurn(messages);
  if (last === undefined || last.role !== 'user') return append(messages, { role: 'user', content: blocks });
  if (typeof last.content === 'string') last.content = [{ type: 'text', text: last.content }, ...blocks];
  else last.content.push(...blocks);
  return messages;
}

/**
 * A user turn of text alone goes as a string, as the API takes it (and as a bare SDK call sends it):
 * no block objects to build and serialize. After another user turn it is one more text block of that turn.
 */
function pushUserText(messages: MessageParam[], text: string): MessageParam[] {
  return lastTurn(messages)?.role === 'user' ? pushUserBlocks(messages, [{ type: 'text', text }]) : append(messages, { role: 'user', content: text });
}

/**
 * Neutral request -> Messages API body. The system prompt is a top-level field; tool results become
 * `tool_result` blocks of a user turn (consecutive results share one turn, as the API requires).
 */
export function toAnthropicBody(request: EngineRequest, defaultMaxTokens = DEFAULT_MAX_TOKENS): Anthropic.Messages.MessageCreateParamsNonStreaming {
  let messages: MessageParam[] = [];
  for (const message of request.messages) {
    if (message.role === 'user') {
      const textOnly = message.attachments === undefined || message.attachments.length === 0;
      messages = textOnly ? pushUserText(messages, message.content) : pushUserBlocks(messages, userBlocks(message));
    } else if (message.role === 'tool') {
      messages = pushUserBlocks(messages, [
        {
          type: 'tool_result',
          tool_use_id: toWireToolCallId(message.toolCallId),
          content: message.content,
          ...(message.isError ? { is_error: true } : {}),
        },
      ]);
    } else {
      let blocks: ContentBlockParam[] = thinkingBlocks(message);
      if (message.content !== '') blocks = append(blocks, { type: 'text', text: message.content });
      for (const call of message.toolCalls ?? []) {
        blocks = append(blocks, { type: 'tool_use', id: toWireToolCallId(call.id), name: call.name, input: call.arguments });
      }
      messages = append(messages, { role: 'assistant', content: blocks.length > 0 ? blocks : '' });
    }
  }
  const body: Anthropic.Messages.MessageCreateParamsNonStreaming = {
    model: request.model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages,
  };
  if (request.system) body.system = request.system;
  // `temperature` and `topP` are not sent: the Messages API of SDK 1.12 has no sampling parameters any more.
  if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((t) => ({
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      input_schema: (typeof t.parameters === 'object' ? t.parameters : { type: 'object' }) as Anthropic.Messages.Tool.InputSchema,
    }));
    const choice = request.toolChoice ?? 'auto';
    body.tool_choice =
      choice === 'auto' ? { type: 'auto' } : choice === 'none' ? { type: 'none' } : choice === 'required' ? { type: 'any' } : { type: 'tool', name: choice.name };
  }
  if (request.output) {
    body.output_config = {
      format: { type: 'json_schema', schema: (typeof request.output.schema === 'object' ? request.output.schema : {}) as Record<string, unknown> },
    };
  }
  applyReasoning(body, request, defaultMaxTokens);
  placeCacheBreakpoints(body, request);
  return body;
}

/** {@link toAnthropicBody} with `stream: true` set on the body itself (last, as a spread copy would put it), without copying it. */
export function toAnthropicStreamBody(request: EngineRequest, defaultMaxTokens = DEFAULT_MAX_TOKENS): Anthropic.Messages.MessageCreateParamsStreaming {
  const body = toAnthropicBody(request, defaultMaxTokens) as unknown as Anthropic.Messages.MessageCreateParamsStreaming;
  body.stream = true;
  return body;
}

export function stopReasonFromAnthropic(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'end_turn':
      return 'end';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_use';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}
