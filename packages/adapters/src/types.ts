/**
 * The engine-neutral contract every adapter implements. Nothing provider-specific appears here:
 * the runtime, the middleware and host applications only ever see these shapes.
 */

/** A JSON Schema object (draft 2020-12), kept as plain data. */
export type JsonSchema = { [key: string]: unknown } | boolean;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A tool the model may call; implemented by the host, declared by the skill. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
}

/**
 * A tool call made by the model. `id` is normalized by the adapter (`call_` + provider id where the
 * provider supplied one) so that a conversation can move from one engine to another.
 */
export interface ToolCall {
  id: string;
  name: string;
  arguments: { [key: string]: JsonValue };
}

export interface UserMessage {
  role: 'user';
  content: string;
}

export interface AssistantMessage {
  role: 'assistant';
  content: string;
  toolCalls?: ToolCall[];
}

/** The result of one tool call, sent back to the model. */
export interface ToolResultMessage {
  role: 'tool';
  toolCallId: string;
  /** The tool's name; some providers need it alongside the id. */
  name: string;
  /** The result serialized as text (JSON for structured results). */
  content: string;
  isError?: boolean;
}

export type Message = UserMessage | AssistantMessage | ToolResultMessage;

/** Ask for a JSON reply that matches a schema (native structured output where the engine has it). */
export interface JsonOutput {
  schema: JsonSchema;
  /** A short identifier for the schema; some providers require one. */
  name?: string;
}

export interface EngineRequest {
  /** The provider's model id. */
  model: string;
  system?: string;
  messages: Message[];
  tools?: ToolDefinition[];
  /** `auto` (default when tools are given), `none`, `required`, or a specific tool name. */
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  output?: JsonOutput;
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  /** Aborts the HTTP request when fired. */
  signal?: AbortSignal;
  /** Per-call timeout; the adapter turns it into the SDK's request timeout. */
  timeoutMs?: number;
  /** The skill step this call serves; the scripted engine picks its reply by it. Never sent to a provider. */
  stepId?: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export type StopReason =
  | 'end' // the model finished its turn
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'content_filter'
  | 'other';

export interface EngineResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  stopReason: StopReason;
  /** The model id the provider reports having used. */
  model: string;
  /** The provider's request id, for support tickets; never contains secrets. */
  requestId?: string;
}

/** Typed stream events; every stream ends with exactly one `stop` event, or throws an EngineError. */
export type StreamEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'tool-call-start'; id: string; name: string }
  | { type: 'tool-call-delta'; id: string; argumentsDelta: string }
  | { type: 'tool-call-end'; call: ToolCall }
  | { type: 'usage'; usage: Usage }
  | { type: 'stop'; response: EngineResponse };

export type Provider = 'anthropic' | 'openai' | 'cohere' | 'scripted';

export interface EngineAdapter {
  readonly provider: Provider;
  generate(request: EngineRequest): Promise<EngineResponse>;
  stream(request: EngineRequest): AsyncIterable<StreamEvent>;
}

export type ModelFeature = 'tools' | 'json_schema' | 'streaming' | 'vision';

/** What a model offers and costs; from `models.json` or from the engine config for unknown models. */
export interface ModelDescriptor {
  provider: Provider;
  id: string;
  contextWindow: number;
  maxOutputTokens: number;
  features: ModelFeature[];
  /** US dollars per million tokens. */
  pricing: { inputPerMTok: number; outputPerMTok: number };
}
