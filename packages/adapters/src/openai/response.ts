/**
 * Chat Completions replies -> neutral responses and stream events. Besides text and tool calls this
 * carries refusals (`refusal`, stop reason `content_filter` on both paths), reasoning from
 * OpenAI-compatible servers (`reasoning_content`, `reasoning`, `thinking` content parts), url
 * citations (`annotations`), content given as an array of parts, and cached/reasoning token counts.
 */
import type { Citation, JsonValue, StreamEvent, Usage } from '../types.js';
import { ResponseBuilder } from '../shared/response-builder.js';
import type { EventSink, WireReader } from '../shared/provider-stream.js';
import { toNeutralToolCallId } from '../shared/tool-ids.js';
import { truncatedStream } from '../shared/unknown-failure.js';
import { stopReasonFromOpenAI } from './convert.js';

type Wire = { [key: string]: unknown };
const isWire = (v: unknown): v is Wire => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** OpenAI usage -> neutral: `prompt_tokens` already includes `cached_tokens`, `completion_tokens` includes reasoning. */
function usageFromOpenAI(raw: unknown): Usage {
  const u = isWire(raw) ? raw : {};
  const usage: Usage = { inputTokens: num(u.prompt_tokens) ?? 0, outputTokens: num(u.completion_tokens) ?? 0 };
  const cached = num(isWire(u.prompt_tokens_details) ? u.prompt_tokens_details.cached_tokens : undefined);
  if (cached !== undefined && cached > 0) usage.cacheReadTokens = cached;
  const reasoning = num(isWire(u.completion_tokens_details) ? u.completion_tokens_details.reasoning_tokens : undefined);
  if (reasoning !== undefined && reasoning > 0) usage.reasoningTokens = reasoning;
  return usage;
}

/** A `url_citation` annotation -> neutral citation (offsets are into the reply text). */
function citationFromAnnotation(raw: unknown): Citation | undefined {
  const a = isWire(raw) ? raw : {};
  const u = isWire(a.url_citation) ? a.url_citation : a;
  const url = str(u.url);
  if (!url) return undefined;
  const citation: Citation = { sources: [{ kind: 'web', url, ...(str(u.title) ? { title: str(u.title)! } : {}) }] };
  if (num(u.start_index) !== undefined) citation.start = num(u.start_index)!;
  if (num(u.end_index) !== undefined) citation.end = num(u.end_index)!;
  return citation;
}

/** The text of a part's `thinking` (a string, or Mistral's list of text chunks). */
function thinkingText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => (isWire(x) ? (str(x.text) ?? '') : typeof x === 'string' ? x : '')).join('');
  return '';
}

/**
 * Applies one message or delta (content, refusal, reasoning, annotations) to the builder and appends
 * the events it makes to `events`. Tool calls are handled by the caller.
 */
function applyContent(builder: ResponseBuilder, m: Wire, events: EventSink = []): void {
  const text = (t: string): void => {
    if (t === '') return;
    builder.addText(t);
    events.push({ type: 'text-delta', text: t });
  };
  const reason = (t: string): void => {
    if (t === '') return;
    builder.addReasoning(t);
    events.push({ type: 'reasoning-delta', text: t });
  };
  // Reasoning comes before the answer on the wire; keep it in that order.
  for (const key of ['reasoning_content', 'reasoning'] as const) if (typeof m[key] === 'string') reason(m[key]);
  if (typeof m.content === 'string') text(m.content);
  else if (Array.isArray(m.content)) {
    for (const part of m.content) {
      if (!isWire(part)) continue;
      if (part.type === 'text') text(str(part.text) ?? '');
      else if (part.type === 'thinking' || part.type === 'reasoning') reason(thinkingText(part.thinking ?? part.text ?? part.reasoning));
      else {
        const other = builder.addOther(str(part.type) ?? 'unknown', part as JsonValue);
        events.push({ type: 'other', part: other });
      }
    }
  }
  if (typeof m.refusal === 'string' && m.refusal !== '') {
    builder.addRefusal(m.refusal);
    events.push({ type: 'refusal-delta', text: m.refusal });
  }
  for (const a of Array.isArray(m.annotations) ? m.annotations : []) {
    const citation = citationFromAnnotation(a);
    if (citation) {
      builder.addCitation(citation);
      events.push({ type: 'citation', citation });
    } else builder.addOther(`annotation:${isWire(a) ? (str(a.type) ?? 'unknown') : 'unknown'}`, a as JsonValue);
  }
}

/** The stop reason: a refusal is `content_filter` whatever the finish reason says, on both paths. */
function stopOf(finish: string | null | undefined, refused: boolean) {
  return refused ? 'content_filter' : stopReasonFromOpenAI(finish);
}

/** A whole chat completion -> the neutral response. */
export function fromOpenAICompletion(completion: unknown, requestId?: string | null) {
  const c = isWire(completion) ? completion : {};
  const builder = new ResponseBuilder(str(c.model) ?? '', 'openai');
  const choice = Array.isArray(c.choices) && isWire(c.choices[0]) ? c.choices[0] : {};
  const message = isWire(choice.message) ? choice.message : {};
  applyContent(builder, message);
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (!isWire(call) || !isWire(call.function)) continue;
    const id = toNeutralToolCallId(str(call.id) ?? '');
    builder.startToolCall(id, str(call.function.name) ?? '', str(call.function.arguments) ?? '');
    builder.endToolCall(id);
  }
  builder.usage = usageFromOpenAI(c.usage);
  builder.stopReason = stopOf(str(choice.finish_reason), typeof message.refusal === 'string' && message.refusal !== '');
  if (choice.logprobs !== undefined && choice.logprobs !== null) builder.addUnmapped('logprobs', choice.logprobs as JsonValue);
  if (c.prompt_filter_results !== undefined) builder.addUnmapped('prompt_filter_results', c.prompt_filter_results as JsonValue);
  if (requestId) builder.requestId = requestId;
  return builder.build();
}

/** Reads a Chat Completions chunk stream into neutral events; calls end with the choice's finish_reason. */
export class OpenAIStreamReader implements WireReader<unknown> {
  readonly builder: ResponseBuilder;
  private readonly toolIndex = new Map<number, string>();
  private finishReason: string | undefined;
  private refused = false;
  private readonly logprobs: JsonValue[] = [];

  constructor(model: string) {
    this.builder = new ResponseBuilder(model, 'openai');
  }

  /** Appends to `out` the neutral events for one chunk. */
  read(raw: unknown, out: EventSink): void {
    const chunk = isWire(raw) ? raw : {};
    if (str(chunk.model)) this.builder.model = str(chunk.model)!;
    if (isWire(chunk.usage)) this.builder.usage = usageFromOpenAI(chunk.usage);
    if (chunk.prompt_filter_results !== undefined) this.builder.addUnmapped('prompt_filter_results', chunk.prompt_filter_results as JsonValue);
    const choice = Array.isArray(chunk.choices) && isWire(chunk.choices[0]) ? chunk.choices[0] : undefined;
    if (!choice) return;
    const delta = isWire(choice.delta) ? choice.delta : {};
    if (typeof delta.refusal === 'string' && delta.refusal !== '') this.refused = true;
    applyContent(this.builder, delta, out);
    if (isWire(choice.logprobs)) this.logprobs.push(choice.logprobs as JsonValue);
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      if (!isWire(call)) continue;
      const index = num(call.index) ?? 0;
      const fn = isWire(call.function) ? call.function : {};
      let id = this.toolIndex.get(index);
      if (id === undefined) {
        // Some OpenAI-compatible servers omit the id; the call then gets one from its index.
        id = toNeutralToolCallId(str(call.id) ?? `index_${index}`);
        this.toolIndex.set(index, id);
        this.builder.startToolCall(id, str(fn.name) ?? '');
        out.push({ type: 'tool-call-start', id, name: str(fn.name) ?? '' });
      }
      const args = str(fn.arguments);
      if (args) {
        this.builder.addToolArguments(id, args);
        out.push({ type: 'tool-call-delta', id, argumentsDelta: args });
      }
    }
    const finish = str(choice.finish_reason);
    if (finish) {
      this.finishReason = finish;
      // Chat Completions has no per-call end event: calls end with the choice.
      for (const id of this.builder.openToolCalls()) {
        const done = this.builder.endToolCall(id);
        if (done) out.push({ type: 'tool-call-end', call: done });
      }
    }
  }

  /** Appends to `out` the closing events; throws when the stream ended without a finish_reason. */
  finish(out: EventSink): void {
    // The SDK ends the iteration at `data: [DONE]`; a stream without a finish_reason was cut off.
    if (this.finishReason === undefined) throw truncatedStream('openai');
    this.builder.stopReason = stopOf(this.finishReason, this.refused);
    if (this.logprobs.length > 0) this.builder.addUnmapped('logprobs', this.logprobs);
    out.push({ type: 'usage', usage: this.builder.usage });
    out.push({ type: 'stop', response: this.builder.build() });
  }
}
