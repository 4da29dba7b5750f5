import type OpenAI from 'openai';
import type { EngineRequest, StopReason } from '../types.js';
import { toWireToolCallId } from '../shared/tool-ids.js';
import { applyReasoning, userContent } from './request-content.js';

type Params = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/**
 * Neutral request -> Chat Completions body. The system prompt is the first message; tool results are
 * `tool` role messages; JSON output uses native `response_format: {type: 'json_schema'}`.
 */
export function toOpenAIBody(request: EngineRequest): Params {
  const messages: ChatMessage[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    if (message.role === 'user') messages.push({ role: 'user', content: userContent(message) });
    else if (message.role === 'tool') {
      messages.push({ role: 'tool', tool_call_id: toWireToolCallId(message.toolCallId), content: message.content });
    } else {
      const calls = message.toolCalls ?? [];
      messages.push({
        role: 'assistant',
        content: message.content === '' && calls.length > 0 ? null : message.content,
        ...(calls.length > 0
          ? {
              tool_calls: calls.map((c) => ({
                id: toWireToolCallId(c.id),
                type: 'function' as const,
                function: { name: c.name, arguments: JSON.stringify(c.arguments) },
              })),
            }
          : {}),
      });
    }
  }
  const body: Params = { model: request.model, messages };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.maxTokens !== undefined) body.max_completion_tokens = request.maxTokens;
  if (request.stop && request.stop.length > 0) body.stop = request.stop;
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((t) => ({
      type: 'function' as const,
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: (typeof t.parameters === 'object' ? t.parameters : { type: 'object' }) as Record<string, unknown>,
      },
    }));
    const choice = request.toolChoice ?? 'auto';
    body.tool_choice = typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
  }
  if (request.output) {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: request.output.name ?? 'output',
        schema: (typeof request.output.schema === 'object' ? request.output.schema : {}) as Record<string, unknown>,
      },
    };
  }
  applyReasoning(body, request);
  return body;
}

export function stopReasonFromOpenAI(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'stop':
      return 'end';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}
