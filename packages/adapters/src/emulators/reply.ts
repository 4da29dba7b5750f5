import { createHash } from 'node:crypto';
import type { JsonSchema, JsonValue } from '../types.js';
import type { EmulatorAttachment } from './request-checks.js';
import type { PromptCache } from './prompt-cache.js';

/** A provider request as the emulator understood it (provider-neutral, for reply handlers and tests). */
export interface EmulatorRequest {
  provider: 'anthropic' | 'openai' | 'cohere';
  model: string;
  system?: string;
  messages: EmulatorMessage[];
  tools: Array<{ name: string; description?: string; parameters: JsonSchema }>;
  /** The JSON Schema the client asked the reply to follow. */
  schema?: JsonSchema;
  /** The client asked for a JSON reply without a schema (OpenAI and Cohere `json_object`). */
  jsonMode?: boolean;
  stream: boolean;
  maxTokens?: number;
  stop?: string[];
  temperature?: number;
  /** Thinking asked for: an effort level and/or a token budget, as the provider's field gave it. */
  reasoning?: { effort?: string; budgetTokens?: number };
  /** Request-wide documents (Cohere `documents`). */
  documents?: EmulatorAttachment[];
  /** The request body exactly as received. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** One message of an emulated request, reduced to what every provider dialect has in common. */
export interface EmulatorMessage {
  role: 'user' | 'assistant' | 'tool';
  text: string;
  /** For assistant messages: the calls it made (wire ids). */
  toolCalls?: Array<{ id: string; name: string; arguments: string }>;
  /** For tool results: the wire id of the call answered. */
  toolCallId?: string;
  /** For user turns: the images and documents it carried, checked. */
  attachments?: EmulatorAttachment[];
}

/** What the emulated model says. */
export interface EmulatorReply {
  text?: string;
  /** A JSON value sent as the reply text. */
  json?: JsonValue;
  toolCalls?: Array<{ name: string; arguments: { [key: string]: JsonValue } }>;
  /**
   * The model's thinking, sent before the answer (Anthropic: a signed `thinking` block; Cohere: a
   * `thinking` content part; OpenAI: counted as reasoning tokens only, as Chat Completions does). When
   * the request asks for reasoning and the reply gives none, a default thinking text is made.
   */
  reasoning?: string;
  /** Citations of the reply text (Anthropic `citations` on the text block; Cohere `citations`). */
  citations?: EmulatorCitation[];
  /** The model refuses, in these words (Anthropic `stop_reason: refusal`; OpenAI `message.refusal`). */
  refusal?: string;
  /** Cache usage to report instead of the emulator's own prompt cache. */
  cache?: { readTokens?: number; writeTokens?: number };
}

/** A citation the emulated model makes: a quote from a document of the request. */
export interface EmulatorCitation {
  /** The quoted text. */
  citedText: string;
  /** Index of the cited document among the request's documents. */
  documentIndex?: number;
  /** The cited document's title. */
  documentTitle?: string;
}

/** What an emulator answers: one fixed reply, or a function of the parsed request. */
export type ReplySource = EmulatorReply | ((request: EmulatorRequest) => EmulatorReply | Promise<EmulatorReply>);

/** A reply ready to render: ids assigned, stop reason and token counts decided. */
export interface ResolvedReply {
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  stopReason: 'end' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';
  stopSequence?: string;
  inputTokens: number;
  outputTokens: number;
  /** Thinking with its signature (an HMAC-free, deterministic digest of the text: `emusig_...`). */
  reasoning?: { text: string; signature: string; tokens: number };
  citations: EmulatorCitation[];
  refusal?: string;
  /** Of `inputTokens`, read from and written to the prompt cache. */
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** The emulators' signature of a thinking text: deterministic, so a test can check it came back unchanged. */
export function thinkingSignature(text: string): string {
  return `emusig_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
}

/** Token estimate used by every emulator: 4 characters a token, at least one. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * The default reply, deterministic:
 * - after a tool result: `tool <name> returned: <content>`;
 * - a user message `call <tool> {json}` (a declared tool) makes the model call that tool;
 * - with a JSON schema: a value that satisfies it, every string being the echoed user text;
 * - otherwise `echo: <last user message>`.
 */
export function defaultReply(request: EmulatorRequest): EmulatorReply {
  const last = request.messages[request.messages.length - 1];
  if (last?.role === 'tool') {
    const call = request.messages.flatMap((m) => m.toolCalls ?? []).find((c) => c.id === last.toolCallId);
    return { text: `tool ${call?.name ?? 'unknown'} returned: ${last.text}` };
  }
  const userText = last?.role === 'user' ? last.text : '';
  const command = /^call (\w+)(?:\s+(\{[\s\S]*\}))?\s*$/.exec(userText);
  if (command && request.tools.some((t) => t.name === command[1])) {
    let args: { [key: string]: JsonValue } = {};
    try {
      args = command[2] ? (JSON.parse(command[2]) as { [key: string]: JsonValue }) : {};
    } catch {
      args = {};
    }
    return { toolCalls: [{ name: command[1]!, arguments: args }] };
  }
  if (request.schema !== undefined) return { json: sampleFromSchema(request.schema, userText, 0) };
  const seen = [...(last?.role === 'user' ? (last.attachments ?? []) : []), ...(request.documents ?? [])];
  // What arrived besides text, so a test can tell each attachment reached the provider intact.
  const attached = seen.length === 0 ? '' : ` [attachments: ${seen.map((a) => `${a.type} ${a.mediaType} ${a.via}${a.bytes > 0 ? ` ${a.bytes} B` : ''}`).join(', ')}]`;
  return { text: `echo: ${userText}${attached}` };
}

/** A value that satisfies simple JSON Schemas (type, enum, const, properties, required, items, anyOf). */
function sampleFromSchema(schema: JsonSchema, text: string, depth: number): JsonValue {
  if (typeof schema === 'boolean' || depth > 8) return null;
  if ('const' in schema) return schema.const as JsonValue;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as JsonValue;
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(variants) && variants[0] !== undefined) return sampleFromSchema(variants[0], text, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return text;
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const items = (schema.items ?? {}) as JsonSchema;
      return Array.from({ length: Math.max(1, min) }, () => sampleFromSchema(items, text, depth + 1));
    }
    default: {
      const out: { [key: string]: JsonValue } = {};
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      for (const [key, sub] of Object.entries(properties)) out[key] = sampleFromSchema(sub, text, depth + 1);
      return out;
    }
  }
}

/** Applies stop sequences and max tokens, counts tokens, assigns wire tool-call ids. */
export function resolveReply(
  request: EmulatorRequest,
  reply: EmulatorReply,
  nextToolId: (name: string) => string,
  cache?: PromptCache,
): ResolvedReply {
  let text = reply.refusal !== undefined ? '' : reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
  let stopReason: ResolvedReply['stopReason'] = 'end';
  let stopSequence: string | undefined;
  for (const stop of request.stop ?? []) {
    const at = text.indexOf(stop);
    if (stop !== '' && at >= 0) {
      text = text.slice(0, at);
      stopReason = 'stop_sequence';
      stopSequence = stop;
      break;
    }
  }
  if (request.maxTokens !== undefined && countTokens(text) > request.maxTokens) {
    text = text.slice(0, request.maxTokens * 4);
    stopReason = 'max_tokens';
  }
  const toolCalls = (stopReason === 'end' ? (reply.toolCalls ?? []) : []).map((c) => ({
    id: nextToolId(c.name),
    name: c.name,
    arguments: JSON.stringify(c.arguments),
  }));
  if (toolCalls.length > 0) stopReason = 'tool_use';
  const input = [request.system ?? '', ...request.messages.map((m) => m.text + (m.toolCalls ? JSON.stringify(m.toolCalls) : ''))].join('\n');
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.text ?? '';
  const thinking = reply.reasoning ?? (request.reasoning !== undefined ? `Thinking about the request: ${lastUser.slice(0, 80)}` : undefined);
  const reasoning = thinking === undefined ? undefined : { text: thinking, signature: thinkingSignature(thinking), tokens: countTokens(thinking) };
  const output = text + (reply.refusal ?? '') + toolCalls.map((c) => c.name + c.arguments).join('');
  const inputTokens = countTokens(input);
  const cached = reply.cache !== undefined ? { readTokens: reply.cache.readTokens ?? 0, writeTokens: reply.cache.writeTokens ?? 0 } : (cache?.use(request, inputTokens) ?? { readTokens: 0, writeTokens: 0 });
  return {
    text,
    toolCalls,
    stopReason: reply.refusal !== undefined ? 'refusal' : stopReason,
    ...(stopSequence !== undefined ? { stopSequence } : {}),
    inputTokens,
    outputTokens: (output === '' ? 0 : countTokens(output)) + (reasoning?.tokens ?? 0),
    ...(reasoning !== undefined ? { reasoning } : {}),
    citations: reply.citations ?? [],
    ...(reply.refusal !== undefined ? { refusal: reply.refusal } : {}),
    cacheReadTokens: Math.min(cached.readTokens, inputTokens),
    cacheWriteTokens: Math.min(cached.writeTokens, inputTokens),
  };
}

/** Splits text into word-sized deltas, deterministic, so streams carry several events. */
export function chunkText(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Splits tool-call arguments into a few pieces, as providers stream them. */
export function chunkArguments(args: string): string[] {
  if (args.length <= 4) return [args];
  const third = Math.ceil(args.length / 3);
  return [args.slice(0, third), args.slice(third, 2 * third), args.slice(2 * third)].filter((p) => p !== '');
}
