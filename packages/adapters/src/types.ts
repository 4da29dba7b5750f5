/**
 * The engine-neutral contract every adapter implements. Nothing provider-specific appears here:
 * the runtime, the middleware and host applications only ever see these shapes.
 */
import type { EngineError } from './errors.js';

/** A JSON Schema object (draft 2020-12), kept as plain data. */
export type JsonSchema = { [key: string]: unknown } | boolean;

/** Any JSON value: the shape of tool arguments and of structured model output. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A tool the model may call; implemented by the host, declared by the skill. */
export interface ToolDefinition {
  /** The tool's name, as the model calls it. */
  name: string;
  /** What the tool does; shown to the model. */
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
}

/**
 * A tool call made by the model. `id` is normalized by the adapter (`call_` + provider id where the
 * provider supplied one) so that a conversation can move from one engine to another.
 */
export interface ToolCall {
  /** Neutral call id (`call_...`); the matching tool result carries it as `toolCallId`. */
  id: string;
  /** The tool called. */
  name: string;
  /** The parsed arguments object. */
  arguments: { [key: string]: JsonValue };
}

/**
 * Where the bytes of an image or document are: a URL the provider fetches, or the bytes themselves
 * (base64). Local files are read by the runtime (inside its allowed directory) and arrive here as base64.
 */
export type MediaSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string };

/** An image placed in a user turn (`vision` feature). Media types: `image/png`, `image/jpeg`, `image/gif`, `image/webp`. */
export interface ImagePart {
  /** Discriminates images. */
  type: 'image';
  /** The image. */
  source: MediaSource;
  /** Ask the provider to cache the prompt up to and including this part (Anthropic `cache_control`). */
  cache?: boolean;
}

/** A document placed in a user turn: a PDF (`pdf` feature) or plain text (`text/plain`, any engine). */
export interface DocumentPart {
  /** Discriminates documents. */
  type: 'document';
  /** The document; a URL source is taken to be a PDF. */
  source: MediaSource;
  /** A title shown to the model (and used by providers that cite documents). */
  title?: string;
  /** Ask the provider to cache the prompt up to and including this part (Anthropic `cache_control`). */
  cache?: boolean;
}

/** A non-text part of a user turn. */
export type Attachment = ImagePart | DocumentPart;

/** A message from the user (the rendered prompt of a skill step). */
export interface UserMessage {
  /** Discriminates user turns. */
  role: 'user';
  /** The text of the turn. */
  content: string;
  /**
   * Images and documents of the turn, in order, placed before `content` (the turn's content parts
   * are `[...attachments, text]`). Absent for a text-only turn.
   */
  attachments?: Attachment[];
}

/** A reply from the model: its text and, when it asked for tools, the calls it made. */
export interface AssistantMessage {
  /** Discriminates model turns. */
  role: 'assistant';
  /** The reply text (may be empty when the model only called tools). */
  content: string;
  /** Tools the model asked for in this turn, answered by the following `tool` messages. */
  toolCalls?: ToolCall[];
  /**
   * The turn's reasoning, as the provider returned it (signatures included). An adapter sends back
   * only the parts its own provider produced (Anthropic requires its signed thinking blocks with tool
   * use); others are dropped on the way out (spec/content.md, "Switching engines").
   */
  reasoning?: ReasoningPart[];
}

/** The result of one tool call, sent back to the model. */
export interface ToolResultMessage {
  /** Discriminates tool results. */
  role: 'tool';
  /** The `id` of the {@link ToolCall} this answers. */
  toolCallId: string;
  /** The tool's name; some providers need it alongside the id. */
  name: string;
  /** The result serialized as text (JSON for structured results). */
  content: string;
  /** True when the tool failed; `content` then describes the failure. */
  isError?: boolean;
}

/** One turn of a conversation, in the engine-neutral form every adapter translates to its provider's wire format. */
export type Message = UserMessage | AssistantMessage | ToolResultMessage;

/** Ask for a JSON reply that matches a schema (native structured output where the engine has it). */
export interface JsonOutput {
  /** The JSON Schema the reply must match. */
  schema: JsonSchema;
  /** A short identifier for the schema; some providers require one. */
  name?: string;
}

/**
 * How much the model may think before answering. `effort` is the provider-neutral level; `budgetTokens`
 * an explicit thinking budget. Either or both; each adapter documents its mapping (spec/content.md).
 */
export interface ReasoningRequest {
  /** Relative effort. */
  effort?: 'low' | 'medium' | 'high';
  /** Most tokens the model may spend thinking (Anthropic requires at least 1024 and less than `maxTokens`). */
  budgetTokens?: number;
}

/** Cacheable prefixes of a request, marked by the skill; Anthropic gets `cache_control` breakpoints, others cache automatically. */
export interface CacheMarks {
  /** Cache the system prompt (and everything before it: the tool definitions). */
  system?: boolean;
  /** Cache the tool definitions. */
  tools?: boolean;
}

/** One model call, engine-neutral: the adapter maps it to the provider's request and never adds fields of its own. */
export interface EngineRequest {
  /** The provider's model id. */
  model: string;
  /** The system prompt; each adapter places it where its provider wants it. */
  system?: string;
  /** The conversation so far, oldest first; ends with the turn to answer. */
  messages: Message[];
  /** Tools the model may call. */
  tools?: ToolDefinition[];
  /** `auto` (default when tools are given), `none`, `required`, or a specific tool name. */
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  /** Ask for a JSON reply matching a schema. */
  output?: JsonOutput;
  /** Sampling temperature; lower is more deterministic. */
  temperature?: number;
  /**
   * Nucleus sampling: sample only from the tokens making up this much probability mass (0 < p <= 1).
   * Sent as OpenAI `top_p` and Cohere `p`; Anthropic's Messages API no longer takes sampling parameters.
   */
  topP?: number;
  /** Most tokens the reply may have. */
  maxTokens?: number;
  /** Sequences that end the reply when generated. */
  stop?: string[];
  /** Let the model think first (extended thinking, reasoning effort). */
  reasoning?: ReasoningRequest;
  /** Prefixes to cache; attachments carry their own `cache` mark. */
  cache?: CacheMarks;
  /** Aborts the HTTP request when fired. */
  signal?: AbortSignal;
  /** Per-call timeout; the adapter turns it into the SDK's request timeout. */
  timeoutMs?: number;
  /** The skill step this call serves; the scripted engine picks its reply by it. Never sent to a provider. */
  stepId?: string;
  /**
   * The step's path from the top-level skill through `use:` steps (`triage.classify`; equal to
   * `stepId` at the top level). The scripted engine matches it before `stepId`. Never sent to a provider.
   */
  stepPath?: string;
}

/**
 * Tokens a call consumed, normalized to one meaning across providers; the basis of cost accounting,
 * token budgets, the TPM limiter and metrics. See spec/response-content.md for each provider's mapping.
 */
export interface Usage {
  /**
   * Every prompt token the model read (system, messages, tools and schema), cached or not: Anthropic
   * `input_tokens + cache_read_input_tokens + cache_creation_input_tokens`, OpenAI `prompt_tokens`
   * (which already includes `cached_tokens`), Cohere `tokens.input_tokens`.
   */
  inputTokens: number;
  /** Reply tokens, reasoning tokens included (every provider bills them as output). */
  outputTokens: number;
  /** Of `inputTokens`, the tokens read from the provider's prompt cache (billed at the cache-read price). */
  cacheReadTokens?: number;
  /** Of `inputTokens`, the tokens written to the prompt cache (Anthropic bills them at the cache-write price). */
  cacheWriteTokens?: number;
  /** Of `outputTokens`, the tokens spent reasoning (thinking), when the provider reports them. */
  reasoningTokens?: number;
  /** Input tokens the provider bills, when it bills other figures than it counts (Cohere `billed_units`). */
  billedInputTokens?: number;
  /** Output tokens the provider bills, when it bills other figures than it counts (Cohere `billed_units`). */
  billedOutputTokens?: number;
}

/** Where a citation's cited text comes from. */
export interface CitationSource {
  /** `document` (a document passed in), `web` (a search or fetch result), `tool` (a tool's output). */
  kind: 'document' | 'web' | 'tool';
  /** The document or page title, when the provider gives one. */
  title?: string;
  /** The page URL (web sources). */
  url?: string;
  /** The provider's id of the source (Cohere document or tool output id). */
  id?: string;
  /** Index of the cited document among the documents of the request (Anthropic). */
  documentIndex?: number;
  /** The source's text as the provider returned it (Cohere document snippet or tool output), when given. */
  text?: string;
}

/** A passage of the reply backed by a source (Anthropic citations, Cohere citations, OpenAI url annotations). */
export interface Citation {
  /** The text quoted from the source (Anthropic `cited_text`). */
  citedText?: string;
  /** The span of the reply text the citation supports (Cohere `text`), when the provider names it. */
  replyText?: string;
  /** Character offset where that span starts in {@link EngineResponse.text}, when the provider gives it. */
  start?: number;
  /** Character offset (exclusive) where that span ends in {@link EngineResponse.text}. */
  end?: number;
  /** Where the quote is within the source: a character, page or content-block range (end exclusive). */
  location?: { unit: 'char' | 'page' | 'block'; start: number; end: number };
  /** The sources backing the span (Cohere may name several; Anthropic and OpenAI one). */
  sources: CitationSource[];
}

/** A text block of the reply, as the provider delimited it, with the citations that back it. */
export interface TextPart {
  /** Discriminates text parts. */
  type: 'text';
  /** The block's text; {@link EngineResponse.text} is the concatenation of every text part. */
  text: string;
  /** Citations backing this block. */
  citations?: Citation[];
}

/**
 * The model's reasoning (Anthropic thinking, Cohere thinking, `reasoning_content` or thinking parts of
 * OpenAI-compatible servers); never part of `text`. `signature` and `redacted` are opaque: they go back
 * unchanged to the same provider (Anthropic requires them with tool use) and never to another one.
 */
export interface ReasoningPart {
  /** Discriminates reasoning parts. */
  type: 'reasoning';
  /** The readable reasoning (empty when redacted or omitted by the provider). */
  text: string;
  /** The provider's signature over the reasoning (Anthropic `signature`). */
  signature?: string;
  /** Encrypted reasoning the provider withheld (Anthropic `redacted_thinking.data`). */
  redacted?: string;
  /** The provider that produced it; a signature is only valid there. */
  provider: Provider;
}

/** Marks, in the ordered parts, where a tool call came (its full form is in `toolCalls`). */
export interface ToolCallPart {
  /** Discriminates tool-call parts. */
  type: 'tool-call';
  /** The neutral id of the call in {@link EngineResponse.toolCalls}. */
  id: string;
}

/** The model's plan before it calls tools (Cohere `tool_plan`); never part of `text`. */
export interface ToolPlanPart {
  /** Discriminates tool plans. */
  type: 'tool-plan';
  /** The plan text. */
  text: string;
}

/** A refusal message (OpenAI `message.refusal`); never part of `text`. */
export interface RefusalPart {
  /** Discriminates refusals. */
  type: 'refusal';
  /** Why the model refused, in its words. */
  text: string;
}

/**
 * Content SDL does not map (server tool calls and results, MCP blocks, compaction, fallback, unknown
 * block types): kept as the provider sent it, never glued into `text`, never a crash.
 * spec/response-content.md lists each kind and why it is not mapped.
 */
export interface OtherPart {
  /** Discriminates unmapped content. */
  type: 'other';
  /** The provider that sent it. */
  provider: Provider;
  /** The provider's own type name (`server_tool_use`, `web_search_tool_result`, `compaction`, ...). */
  kind: string;
  /** The block as the provider sent it (a streamed block with its deltas assembled). */
  data: JsonValue;
}

/** One piece of a reply, in the order the provider sent them. */
export type ResponsePart = TextPart | ReasoningPart | ToolCallPart | ToolPlanPart | RefusalPart | OtherPart;

/** A refusal: the model declined to answer, or the provider's safety layer stopped it. */
export interface Refusal {
  /** The refusal in the model's words (OpenAI `refusal`); empty when the provider gives none. */
  text: string;
  /** The provider's category (Anthropic `stop_details.category`), when given. */
  category?: string;
  /** The provider's explanation (Anthropic `stop_details.explanation`), when given. */
  explanation?: string;
}

/** A provider field beside the content that SDL does not interpret, kept so it is not lost without a word. */
export interface UnmappedField {
  /** The provider's field name (`logprobs`, `stop_details`, `context_management`, `container`, ...). */
  field: string;
  /** Its value as sent. */
  value: JsonValue;
}

/**
 * Why the model stopped, normalized across providers (`end` is a normal finish). A refusal (Anthropic
 * `stop_reason: refusal`, an OpenAI message with `refusal`) is `content_filter` with
 * {@link EngineResponse.refusal} set.
 */
export type StopReason =
  | 'end' // the model finished its turn
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'content_filter'
  | 'other';

/** The complete result of one model call, engine-neutral. */
export interface EngineResponse {
  /** The reply text (the JSON text when `output` was requested). */
  text: string;
  /** Tools the model asked for; empty when none. */
  toolCalls: ToolCall[];
  /** Tokens the call consumed. */
  usage: Usage;
  /** Why the model stopped. */
  stopReason: StopReason;
  /** The model id the provider reports having used. */
  model: string;
  /** The provider's request id, for support tickets; never contains secrets. */
  requestId?: string;
  /** Everything the reply holds, in the order sent (text blocks, reasoning, tool calls, plans, unmapped blocks); set by the provider adapters. */
  parts?: ResponsePart[];
  /** Every citation of the reply (the text parts' citations, flattened, in order). */
  citations?: Citation[];
  /** Set when the model refused; `stopReason` is then `content_filter`. */
  refusal?: Refusal;
  /** The stop sequence that ended the reply, when the provider says which. */
  stopSequence?: string;
  /** Provider fields SDL does not interpret (see spec/response-content.md). */
  unmapped?: UnmappedField[];
}

/**
 * Typed stream events; every stream ends with exactly one `stop` event, or throws an EngineError.
 * Reasoning, citations, refusals, tool plans and unmapped blocks have events of their own and never
 * appear in `text-delta`.
 */
export type StreamEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'reasoning-end'; part: ReasoningPart }
  | { type: 'citation'; citation: Citation }
  | { type: 'refusal-delta'; text: string }
  | { type: 'tool-plan-delta'; text: string }
  | { type: 'other'; part: OtherPart }
  | { type: 'tool-call-start'; id: string; name: string }
  | { type: 'tool-call-delta'; id: string; argumentsDelta: string }
  | { type: 'tool-call-end'; call: ToolCall }
  /** A started call that never ended (cut by `max_tokens`): not in `toolCalls`; kept as an `incomplete_tool_call` part. */
  | { type: 'tool-call-abandoned'; id: string; reason: 'max_tokens' | 'incomplete' }
  | { type: 'usage'; usage: Usage }
  | { type: 'stop'; response: EngineResponse };

/** The provider behind an adapter; `scripted` is the offline engine used by `skillc test`. */
export type Provider = 'anthropic' | 'openai' | 'cohere' | 'scripted';

/**
 * One engine: turns {@link EngineRequest}s into calls to a provider and the answers back into
 * {@link EngineResponse}s. Failures are always thrown as {@link EngineError}.
 */
export interface EngineAdapter {
  /** The provider behind this adapter. */
  readonly provider: Provider;
  /**
   * True when the adapter itself ends every call by `request.timeoutMs` on the real clock, a
   * stalled body or stream included, with an EngineError of kind `timeout`, and ends it on
   * `request.signal`. The runtime's timeout stage then hands it the budget and arms no timer,
   * signal or race of its own (one deadline per call). Leave it unset when unsure.
   */
  readonly enforcesTimeout?: boolean;
  /**
   * Makes one call and resolves with the whole reply.
   * @throws {@link EngineError} classified by `kind` (rate limit, overload, auth, timeout, ...).
   */
  generate(request: EngineRequest): Promise<EngineResponse>;
  /**
   * Makes one call and yields the reply as it arrives; the last event is always `stop`.
   * @throws {@link EngineError} while iterating, classified like `generate`.
   */
  stream(request: EngineRequest): AsyncIterable<StreamEvent>;
  /**
   * Gets ready to send at once: loads the provider's SDK and builds its client, which an adapter
   * otherwise does on its first call. Returns undefined when there is nothing (left) to do, so a
   * warm adapter costs no `await`. The rate limiter calls it before taking a slot, so a slot is not
   * spent on a call that then waits hundreds of ms for an import (which let start-up grants reach
   * the provider in one clump above the limit).
   */
  warmUp?(): Promise<void> | undefined;
  /** The provider's batch API (Anthropic Message Batches, OpenAI Batch), where it has one. */
  readonly batches?: ProviderBatchApi;
}

/** One request of a provider batch; `customId` (1–64 letters, digits, `_` or `-`) matches its result. */
export interface BatchRequestLine {
  /** Matches the line's result; unique within the batch. */
  customId: string;
  /** The request, as `generate` would take it (streaming is not possible in a batch). */
  request: EngineRequest;
}

/** Where a provider batch is: `ended` covers completed, expired and canceled batches (results are ready). */
export interface ProviderBatchInfo {
  /** The provider's batch id (`msgbatch_...`, `batch_...`). */
  id: string;
  /** `in_progress` (validating, processing, finalizing, canceling) or `ended`. */
  status: 'in_progress' | 'ended';
  /** How it ended, once `ended`: `failed` is a batch the provider refused as a whole (OpenAI validation). */
  endedAs?: 'completed' | 'expired' | 'canceled' | 'failed';
  /** Lines in the batch, and how many ended each way so far (as the provider counts them). */
  counts: { total: number; succeeded: number; failed: number };
}

/** The result of one line of an ended batch. */
export type BatchLineResult =
  | { customId: string; ok: true; response: EngineResponse }
  /** `errored`: the provider answered the line with an error (`error` classified like a call's). */
  | { customId: string; ok: false; status: 'errored' | 'expired' | 'canceled'; error: EngineError };

/**
 * A provider's batch API in engine-neutral terms: submit many requests at once (at the provider's
 * batch price), poll, read the results back by custom id, cancel. Nothing provider-specific
 * appears above it (spec/batch.md, Provider batches).
 */
export interface ProviderBatchApi {
  /** Submits the lines as one batch. @throws {@link EngineError} when the provider refuses it. */
  create(lines: BatchRequestLine[], options?: { signal?: AbortSignal }): Promise<ProviderBatchInfo>;
  /** Where the batch is now. */
  retrieve(id: string, options?: { signal?: AbortSignal }): Promise<ProviderBatchInfo>;
  /** Every line's result, once the batch `ended`; lines the provider never reached are `expired` or `canceled`. */
  results(id: string, options?: { signal?: AbortSignal }): AsyncIterable<BatchLineResult>;
  /** Asks the provider to stop the batch; it ends `canceled` (lines already done keep their results). */
  cancel(id: string, options?: { signal?: AbortSignal }): Promise<ProviderBatchInfo>;
}

/** A capability a skill can require of a model (`requires.features` in a skill file). */
export type ModelFeature = 'tools' | 'json_schema' | 'streaming' | 'vision' | 'pdf' | 'reasoning';

/** What a model offers and costs; from `models.json` or from the engine config for unknown models. */
export interface ModelDescriptor {
  /** The provider serving the model. */
  provider: Provider;
  /** The provider's model id. */
  id: string;
  /** Most tokens a request and its reply may hold together. */
  contextWindow: number;
  /** Most tokens one reply may have. */
  maxOutputTokens: number;
  /** Capabilities the model supports. */
  features: ModelFeature[];
  /** US dollars per million tokens. */
  pricing: ModelPricing;
}

/**
 * US dollars per million tokens. A missing cache price means the provider does not price cached tokens
 * apart (they cost `inputPerMTok`); `batch*` are the provider's batch-API prices, where it has one.
 */
export interface ModelPricing {
  /** Uncached input tokens. */
  inputPerMTok: number;
  /** Output tokens (reasoning included). */
  outputPerMTok: number;
  /** Input tokens read from the prompt cache. */
  cacheReadPerMTok?: number;
  /** Input tokens written to the prompt cache (Anthropic: 5-minute cache writes). */
  cacheWritePerMTok?: number;
  /** Input tokens sent through the provider's batch API. */
  batchInputPerMTok?: number;
  /** Output tokens sent through the provider's batch API. */
  batchOutputPerMTok?: number;
}
