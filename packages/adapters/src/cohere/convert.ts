import type { Cohere } from 'cohere-ai';
import type { EngineRequest, StopReason } from '../types.js';
import { toWireToolCallId } from '../shared/tool-ids.js';
import { applyReasoning, assistantContent, userContent } from './request-content.js';

/**
 * Neutral request -> `/v2/chat` body (the SDK's camelCase form). The system prompt is a `system`
 * message; tool calls are the assistant's `tool_calls`; results are `tool` messages. Cohere cannot force
 * one named tool, so `{name}` sends only that tool with `tool_choice: REQUIRED`.
 */
export function toCohereBody(request: EngineRequest): Cohere.V2ChatRequest {
  const messages: Cohere.ChatMessageV2[] = [];
  const documents: Cohere.V2ChatRequestDocumentsItem[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    if (message.role === 'user') messages.push({ role: 'user', content: userContent(message, documents) });
    else if (message.role === 'tool') {
      messages.push({ role: 'tool', toolCallId: toWireToolCallId(message.toolCallId), content: message.content });
    } else {
      const calls = message.toolCalls ?? [];
      // Cohere puts the text that comes with tool calls in `tool_plan`, as its own responses do.
      messages.push({
        role: 'assistant',
        ...assistantContent(message),
        ...(calls.length > 0
          ? {
              toolCalls: calls.map((c) => ({
                id: toWireToolCallId(c.id),
                type: 'function' as const,
                function: { name: c.name, arguments: JSON.stringify(c.arguments) },
              })),
            }
          : {}),
      });
    }
  }
  const body: Cohere.V2ChatRequest = { model: request.model, messages };
  if (documents.length > 0) body.documents = documents;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.p = request.topP;
  if (request.maxTokens !== undefined) body.maxTokens = request.maxTokens;
  if (request.stop && request.stop.length > 0) body.stopSequences = request.stop;
  let tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (choice !== undefined && typeof choice === 'object') tools = tools.filter((t) => t.name === choice.name);
  if (tools.length > 0 && choice !== 'none') {
    body.tools = tools.map((t) => ({
      type: 'function' as const,
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: (typeof t.parameters === 'object' ? t.parameters : { type: 'object' }) as Record<string, unknown>,
      },
    }));
    if (choice === 'required' || typeof choice === 'object') body.toolChoice = 'REQUIRED';
  }
  if (request.output) {
    body.responseFormat = {
      type: 'json_object',
      jsonSchema: (typeof request.output.schema === 'object' ? request.output.schema : {}) as Record<string, unknown>,
    };
  }
  applyReasoning(body, request);
  return body;
}

export function stopReasonFromCohere(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'COMPLETE':
      return 'end';
    case 'MAX_TOKENS':
      return 'max_tokens';
    case 'STOP_SEQUENCE':
      return 'stop_sequence';
    case 'TOOL_CALL':
      return 'tool_use';
    default:
      return 'other';
  }
}
