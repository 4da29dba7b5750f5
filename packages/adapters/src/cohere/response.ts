/**
 * `/v2/chat` replies -> neutral responses and stream events: text, tool calls, the tool plan (its own
 * part, never text), thinking, citations with their sources, and usage with Cohere's billed units. The
 * SDK hands over camelCase objects; snake_case keys are read too for fields its schema does not know.
 */
import { engineErrorFrom } from '../shared/classify.js';
import type { Citation, CitationSource, JsonValue, StreamEvent, Usage } from '../types.js';
import { ResponseBuilder } from '../shared/response-builder.js';
import type { EventSink, WireReader } from '../shared/provider-stream.js';
import { toNeutralToolCallId } from '../shared/tool-ids.js';
import { truncatedStream } from '../shared/unknown-failure.js';
import { stopReasonFromCohere } from './convert.js';

type Wire = { [key: string]: unknown };
const isWire = (v: unknown): v is Wire => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
/** A field by its camelCase name or its wire (snake_case) name. */
const field = (o: Wire, camel: string): unknown => o[camel] ?? o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];

/**
 * Cohere usage -> neutral: `tokens` are what the model read and wrote, `billed_units` what Cohere
 * bills (cost uses the billed figures); `cached_tokens` are prompt tokens read from its cache.
 */
function usageFromCohere(raw: unknown): Usage {
  const u = isWire(raw) ? raw : {};
  const tokens = isWire(u.tokens) ? u.tokens : undefined;
  const billed = isWire(field(u, 'billedUnits')) ? (field(u, 'billedUnits') as Wire) : undefined;
  const counted = tokens ?? billed ?? {};
  const usage: Usage = { inputTokens: num(field(counted, 'inputTokens')) ?? 0, outputTokens: num(field(counted, 'outputTokens')) ?? 0 };
  if (billed) {
    const input = num(field(billed, 'inputTokens'));
    const output = num(field(billed, 'outputTokens'));
    if (input !== undefined) usage.billedInputTokens = input;
    if (output !== undefined) usage.billedOutputTokens = output;
  }
  const cached = num(field(u, 'cachedTokens'));
  if (cached !== undefined && cached > 0) usage.cacheReadTokens = cached;
  return usage;
}

/** A Cohere citation (a span of the reply and the documents or tool outputs behind it) -> neutral. */
function citationFromCohere(raw: unknown): Citation {
  const c = isWire(raw) ? raw : {};
  const sources: CitationSource[] = [];
  for (const s of Array.isArray(c.sources) ? c.sources : []) {
    if (!isWire(s)) continue;
    const doc = (isWire(s.document) ? s.document : isWire(field(s, 'toolOutput')) ? (field(s, 'toolOutput') as Wire) : {}) as Wire;
    const source: CitationSource = { kind: s.type === 'tool' ? 'tool' : 'document' };
    if (str(s.id)) source.id = str(s.id)!;
    if (str(doc.title)) source.title = str(doc.title)!;
    if (str(doc.url)) source.url = str(doc.url)!;
    const text = str(doc.snippet) ?? str(doc.text);
    if (text) source.text = text;
    sources.push(source);
  }
  const citation: Citation = { sources };
  if (str(c.text)) citation.replyText = str(c.text)!;
  if (num(c.start) !== undefined) citation.start = num(c.start)!;
  if (num(c.end) !== undefined) citation.end = num(c.end)!;
  return citation;
}

/** A whole `/v2/chat` reply -> the neutral response (Cohere does not echo the model; the request's is used). */
export function fromCohereResponse(data: unknown, model: string, requestId?: string | null) {
  const d = isWire(data) ? data : {};
  const builder = new ResponseBuilder(model, 'cohere');
  const message = isWire(d.message) ? d.message : {};
  const plan = str(field(message, 'toolPlan'));
  if (plan) builder.addToolPlan(plan);
  for (const part of Array.isArray(message.content) ? message.content : []) {
    if (!isWire(part)) continue;
    if (part.type === 'text') {
      builder.startText();
      builder.addText(str(part.text) ?? '');
    } else if (part.type === 'thinking') builder.addReasoningPart({ text: str(part.thinking) ?? '' });
    else builder.addOther(str(part.type) ?? 'unknown', part as JsonValue);
  }
  // Cohere's citations point into the whole reply text; they attach to its (last) text part.
  for (const c of Array.isArray(message.citations) ? message.citations : []) builder.addCitation(citationFromCohere(c));
  for (const call of Array.isArray(field(message, 'toolCalls')) ? (field(message, 'toolCalls') as unknown[]) : []) {
    if (!isWire(call)) continue;
    const fn = isWire(call.function) ? call.function : {};
    const id = toNeutralToolCallId(str(call.id) ?? '');
    builder.startToolCall(id, str(fn.name) ?? '', str(fn.arguments) ?? '');
    builder.endToolCall(id);
  }
  builder.usage = usageFromCohere(d.usage);
  builder.stopReason = stopReasonFromCohere(str(field(d, 'finishReason')));
  if (d.logprobs !== undefined && d.logprobs !== null) builder.addUnmapped('logprobs', d.logprobs as JsonValue);
  if (requestId) builder.requestId = requestId;
  return builder.build();
}

/** Reads a `/v2/chat` stream into neutral events. */
export class CohereStreamReader implements WireReader<unknown> {
  readonly builder: ResponseBuilder;
  private readonly toolIndex = new Map<number, string>();
  /** Content index -> the part type its content-start announced (`text`, `thinking`). */
  private readonly kinds = new Map<number, string>();
  private ended = false;

  constructor(model: string) {
    this.builder = new ResponseBuilder(model, 'cohere');
  }

  /** Appends to `out` the neutral events for one stream event; a failure reported in message-end is thrown as an EngineError. */
  read(raw: unknown, out: EventSink): void {
    const event = isWire(raw) ? raw : {};
    const index = num(event.index) ?? 0;
    const delta = isWire(event.delta) ? event.delta : {};
    const message = isWire(delta.message) ? delta.message : {};
    switch (event.type) {
      case 'content-start': {
        const content = isWire(message.content) ? message.content : {};
        const kind = str(content.type) ?? 'text';
        this.kinds.set(index, kind);
        if (kind === 'thinking') this.builder.closeReasoning();
        else if (kind === 'text') this.builder.startText();
        this.content(index, content, out);
        break;
      }
      case 'content-delta':
        this.content(index, isWire(message.content) ? message.content : {}, out);
        break;
      case 'content-end':
        if (this.kinds.get(index) === 'thinking') {
          const part = this.builder.closeReasoning();
          if (part) out.push({ type: 'reasoning-end', part });
        }
        break;
      case 'tool-plan-delta': {
        const text = str(field(message, 'toolPlan'));
        if (text) {
          this.builder.addToolPlan(text);
          out.push({ type: 'tool-plan-delta', text });
        }
        break;
      }
      case 'tool-call-start': {
        const call = isWire(field(message, 'toolCalls')) ? (field(message, 'toolCalls') as Wire) : {};
        const fn = isWire(call.function) ? call.function : {};
        const id = toNeutralToolCallId(str(call.id) ?? `${index}`);
        const name = str(fn.name) ?? '';
        this.toolIndex.set(index, id);
        this.builder.startToolCall(id, name);
        out.push({ type: 'tool-call-start', id, name });
        const args = str(fn.arguments);
        if (args) {
          this.builder.addToolArguments(id, args);
          out.push({ type: 'tool-call-delta', id, argumentsDelta: args });
        }
        break;
      }
      case 'tool-call-delta': {
        const id = this.toolIndex.get(index);
        const call = isWire(field(message, 'toolCalls')) ? (field(message, 'toolCalls') as Wire) : {};
        const args = str(isWire(call.function) ? call.function.arguments : undefined);
        if (id !== undefined && args) {
          this.builder.addToolArguments(id, args);
          out.push({ type: 'tool-call-delta', id, argumentsDelta: args });
        }
        break;
      }
      case 'tool-call-end': {
        const id = this.toolIndex.get(index);
        const call = id !== undefined ? this.builder.endToolCall(id) : undefined;
        if (call) out.push({ type: 'tool-call-end', call });
        break;
      }
      case 'citation-start': {
        const citation = citationFromCohere(message.citations);
        this.builder.addCitation(citation);
        out.push({ type: 'citation', citation });
        break;
      }
      case 'message-end': {
        const reason = str(field(delta, 'finishReason'));
        const error = str(delta.error);
        if (reason === 'ERROR' || reason === 'TIMEOUT' || error) {
          // Cohere reports a failure after HTTP 200 in the final event.
          throw engineErrorFrom({
            provider: 'cohere',
            errorType: reason === 'TIMEOUT' ? 'timeout_error' : 'server_error',
            message: error ?? `generation ended with ${reason}`,
          });
        }
        this.builder.stopReason = stopReasonFromCohere(reason);
        this.builder.usage = usageFromCohere(delta.usage);
        this.ended = true;
        break;
      }
    }
  }

  /** Appends to `out` the closing events; throws when the stream ended without message-end. */
  finish(out: EventSink): void {
    if (!this.ended) throw truncatedStream('cohere');
    for (const id of this.builder.openToolCalls()) {
      this.builder.abandonToolCall(id);
      out.push({ type: 'tool-call-abandoned', id, reason: this.builder.stopReason === 'max_tokens' ? 'max_tokens' : 'incomplete' });
    }
    const part = this.builder.closeReasoning();
    if (part) out.push({ type: 'reasoning-end', part });
    out.push({ type: 'usage', usage: this.builder.usage });
    out.push({ type: 'stop', response: this.builder.build() });
  }

  private content(index: number, content: Wire, out: EventSink): void {
    const kind = this.kinds.get(index) ?? 'text';
    const thinking = str(content.thinking);
    if (thinking) {
      this.builder.addReasoning(thinking);
      out.push({ type: 'reasoning-delta', text: thinking });
    }
    const text = str(content.text);
    if (text && kind === 'text') {
      this.builder.addText(text);
      out.push({ type: 'text-delta', text });
    }
  }
}
