/**
 * Messages API replies -> neutral responses and stream events. Every block type is carried: text (with
 * citations), tool_use, thinking and redacted_thinking as reasoning parts, anything else (server tools,
 * MCP, compaction, fallback, unknown types) as an `other` part with the block as sent.
 */
import type { Citation, CitationSource, JsonValue, StreamEvent, ToolCall, Usage } from '../types.js';
import { ResponseBuilder } from '../shared/response-builder.js';
import type { EventSink, WireReader } from '../shared/provider-stream.js';
import { toNeutralToolCallId } from '../shared/tool-ids.js';
import { malformedStream, truncatedStream } from '../shared/unknown-failure.js';
import { stopReasonFromAnthropic } from './convert.js';

/** A wire object as received: the SDK's types lag behind the API, so fields are read defensively. */
type Wire = { [key: string]: unknown };

const isWire = (v: unknown): v is Wire => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/**
 * Anthropic usage -> neutral usage. `input_tokens` excludes cache reads and writes, so the neutral
 * `inputTokens` (every prompt token) adds them back; the cache figures stay visible on their own.
 */
function usageFromAnthropic(raw: unknown): Usage {
  const u = isWire(raw) ? raw : {};
  const read = num(u.cache_read_input_tokens) ?? 0;
  const write = num(u.cache_creation_input_tokens) ?? 0;
  const usage: Usage = { inputTokens: (num(u.input_tokens) ?? 0) + read + write, outputTokens: num(u.output_tokens) ?? 0 };
  if (read > 0) usage.cacheReadTokens = read;
  if (write > 0) usage.cacheWriteTokens = write;
  const details = isWire(u.output_tokens_details) ? u.output_tokens_details : undefined;
  const thinking = num(details?.thinking_tokens);
  if (thinking !== undefined && thinking > 0) usage.reasoningTokens = thinking;
  return usage;
}

/** An Anthropic citation (char, page, content-block, web-search or search-result location) -> neutral. */
function citationFromAnthropic(raw: unknown): Citation {
  const c = isWire(raw) ? raw : {};
  const source: CitationSource = { kind: c.type === 'web_search_result_location' ? 'web' : c.type === 'search_result_location' ? 'tool' : 'document' };
  const title = str(c.document_title) ?? str(c.title);
  if (title) source.title = title;
  const url = str(c.url) ?? (c.type === 'search_result_location' ? str(c.source) : undefined);
  if (url) source.url = url;
  const documentIndex = num(c.document_index) ?? num(c.search_result_index);
  if (documentIndex !== undefined) source.documentIndex = documentIndex;
  const citation: Citation = { sources: [source] };
  const cited = str(c.cited_text);
  if (cited !== undefined) citation.citedText = cited;
  if (c.type === 'char_location') citation.location = { unit: 'char', start: num(c.start_char_index) ?? 0, end: num(c.end_char_index) ?? 0 };
  else if (c.type === 'page_location') citation.location = { unit: 'page', start: num(c.start_page_number) ?? 0, end: num(c.end_page_number) ?? 0 };
  else if (num(c.start_block_index) !== undefined) citation.location = { unit: 'block', start: num(c.start_block_index) ?? 0, end: num(c.end_block_index) ?? 0 };
  return citation;
}

/** A tool_use block -> neutral call (input as sent; an absent input is `{}`). */
function toolCallOf(block: Wire): ToolCall {
  const input = isWire(block.input) ? (block.input as ToolCall['arguments']) : {};
  return { id: toNeutralToolCallId(str(block.id) ?? ''), name: str(block.name) ?? '', arguments: input };
}

/** Adds one whole content block to the builder. */
function addBlock(builder: ResponseBuilder, block: Wire): void {
  switch (block.type) {
    case 'text':
      builder.startText();
      builder.addText(str(block.text) ?? '');
      if (Array.isArray(block.citations)) for (const c of block.citations) builder.addCitation(citationFromAnthropic(c));
      break;
    case 'tool_use':
      builder.addToolCall(toolCallOf(block));
      break;
    case 'thinking': {
      const signature = str(block.signature);
      builder.addReasoningPart({ text: str(block.thinking) ?? '', ...(signature ? { signature } : {}) });
      break;
    }
    case 'redacted_thinking':
      builder.addReasoningPart({ text: '', redacted: str(block.data) ?? '' });
      break;
    default:
      builder.addOther(str(block.type) ?? 'unknown', block as JsonValue);
  }
}

/**
 * Message-level fields beside the content: stop details, stop sequence, and what SDL does not
 * interpret. `contextManagement`, when given, stands for `fields.context_management` (a stream's
 * `message_delta` carries it beside its delta): passed, not spread into a copy of `fields`.
 */
function addMessageFields(builder: ResponseBuilder, fields: Wire, contextManagement: unknown = fields.context_management): void {
  const sequence = str(fields.stop_sequence);
  if (sequence) builder.stopSequence = sequence;
  if (isWire(fields.stop_details)) {
    const sd = fields.stop_details;
    if (sd.type === 'refusal') {
      builder.refusalDetails = { ...(str(sd.category) ? { category: str(sd.category)! } : {}), ...(str(sd.explanation) ? { explanation: str(sd.explanation)! } : {}) };
    }
    builder.addUnmapped('stop_details', sd as JsonValue);
  }
  if (fields.container !== undefined && fields.container !== null) builder.addUnmapped('container', fields.container as JsonValue);
  if (contextManagement !== undefined && contextManagement !== null) builder.addUnmapped('context_management', contextManagement as JsonValue);
  if (fields.stop_reason === 'pause_turn') builder.addUnmapped('stop_reason', 'pause_turn');
}

/** Usage fields beside the token counts (server tool requests, per-iteration usage) are kept, not interpreted. */
function addUsageFields(builder: ResponseBuilder, raw: unknown): void {
  if (!isWire(raw)) return;
  if (isWire(raw.server_tool_use)) builder.addUnmapped('usage.server_tool_use', raw.server_tool_use as JsonValue);
  if (Array.isArray(raw.iterations)) builder.addUnmapped('usage.iterations', raw.iterations as JsonValue);
}

/** A whole Messages API reply -> the neutral response. */
export function fromAnthropicMessage(message: unknown, requestId?: string | null) {
  const m = isWire(message) ? message : {};
  const builder = new ResponseBuilder(str(m.model) ?? '', 'anthropic');
  for (const block of Array.isArray(m.content) ? m.content : []) if (isWire(block)) addBlock(builder, block);
  builder.usage = usageFromAnthropic(m.usage);
  builder.stopReason = stopReasonFromAnthropic(str(m.stop_reason));
  addMessageFields(builder, m);
  addUsageFields(builder, m.usage);
  if (requestId) builder.requestId = requestId;
  return builder.build();
}

/** A block being streamed: a text, thinking, tool_use or unmapped block and what its deltas added. */
interface OpenBlock {
  kind: 'text' | 'thinking' | 'tool' | 'other';
  block: Wire;
  /** Tool calls: the neutral id. */
  id?: string;
  /** Tool and unmapped blocks: the streamed JSON input. */
  json: string;
  /** Tool calls whose input came whole in content_block_start: later input deltas are ignored. */
  whole?: boolean;
  /** Thinking: the signature so far. */
  signature: string;
}

/**
 * Reads one Messages API event stream into neutral events. One stream is one message: a second
 * `message_start` for another message, or any event after `message_stop`, is a malformed stream
 * (an EngineError of kind `server`, retryable), never two replies merged into one.
 */
export class AnthropicStreamReader implements WireReader<unknown> {
  readonly builder: ResponseBuilder;
  private readonly blocks = new Map<number, OpenBlock>();
  private messageId: string | undefined;
  private rawUsage: Wire = {};
  private stopped = false;

  constructor(model: string) {
    this.builder = new ResponseBuilder(model, 'anthropic');
  }

  /** Appends to `out` the neutral events for one wire event. */
  read(raw: unknown, out: EventSink): void {
    const event = isWire(raw) ? raw : {};
    if (this.stopped && event.type !== 'ping') throw malformedStream('anthropic', `a \`${String(event.type)}\` event after message_stop`);
    switch (event.type) {
      case 'message_start':
        this.start(isWire(event.message) ? event.message : {}, out);
        break;
      case 'content_block_start':
        this.blockStart(num(event.index) ?? 0, isWire(event.content_block) ? event.content_block : {}, out);
        break;
      case 'content_block_delta':
        this.blockDelta(this.resolve(num(event.index) ?? 0), isWire(event.delta) ? event.delta : {}, out);
        break;
      case 'content_block_stop':
        this.blockStop(this.resolve(num(event.index) ?? 0), out);
        break;
      case 'message_delta': {
        const delta = isWire(event.delta) ? event.delta : {};
        if (delta.stop_reason !== undefined && delta.stop_reason !== null) this.builder.stopReason = stopReasonFromAnthropic(str(delta.stop_reason));
        // Copied in place, not spread into fresh literals: this runs once per stream on every stream.
        if (isWire(event.usage)) Object.assign(this.rawUsage, event.usage);
        addMessageFields(this.builder, delta, event.context_management !== undefined ? event.context_management : delta.context_management);
        break;
      }
      case 'message_stop':
        this.stopped = true;
        break;
    }
  }

  /** Appends to `out` the closing events: cut tool calls given up, final usage, and `stop`. Throws when message_stop never came. */
  finish(out: EventSink): void {
    if (!this.stopped) throw truncatedStream('anthropic');
    for (const [index, open] of [...this.blocks]) {
      if (open.kind === 'tool' && open.id !== undefined) {
        this.blocks.delete(index);
        this.builder.abandonToolCall(open.id);
        out.push({ type: 'tool-call-abandoned', id: open.id, reason: this.builder.stopReason === 'max_tokens' ? 'max_tokens' : 'incomplete' });
      } else this.blockStop(index, out); // a block never stopped still holds what it said
    }
    this.builder.usage = usageFromAnthropic(this.rawUsage);
    addUsageFields(this.builder, this.rawUsage);
    out.push({ type: 'usage', usage: this.builder.usage });
    out.push({ type: 'stop', response: this.builder.build() });
  }

  /**
   * The open block an event's index names. Blocks never interleave, so an index no open block has (some
   * proxies and recordings renumber blocks) means the block started last.
   */
  private resolve(index: number): number {
    if (this.blocks.has(index) || this.blocks.size === 0) return index;
    return [...this.blocks.keys()].at(-1)!;
  }

  private start(message: Wire, out: EventSink): void {
    const id = str(message.id);
    if (this.messageId !== undefined) {
      if (id === this.messageId) return; // the same start restated: nothing new
      throw malformedStream('anthropic', `a second message_start (${id ?? 'no id'}) inside message ${this.messageId}`);
    }
    this.messageId = id ?? '';
    if (str(message.model)) this.builder.model = str(message.model)!;
    if (isWire(message.usage)) this.rawUsage = Object.assign({}, message.usage);
    // A message can arrive already complete in message_start (programmatic tool calling).
    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (!isWire(block)) continue;
      this.blockStart(-1, block, out);
      this.blockStop(-1, out);
    }
    if (message.stop_reason !== undefined && message.stop_reason !== null) this.builder.stopReason = stopReasonFromAnthropic(str(message.stop_reason));
    addMessageFields(this.builder, message);
  }

  private blockStart(index: number, block: Wire, out: EventSink): void {
    switch (block.type) {
      case 'text': {
        this.blocks.set(index, { kind: 'text', block, json: '', signature: '' });
        this.builder.startText();
        const text = str(block.text) ?? '';
        if (text !== '') {
          this.builder.addText(text);
          out.push({ type: 'text-delta', text });
        }
        for (const c of Array.isArray(block.citations) ? block.citations : []) this.citation(c, out);
        break;
      }
      case 'tool_use': {
        const call = toolCallOf(block);
        this.blocks.set(index, { kind: 'tool', block, id: call.id, json: '', signature: '' });
        this.builder.startToolCall(call.id, call.name);
        out.push({ type: 'tool-call-start', id: call.id, name: call.name });
        // The input may arrive whole here with no input_json_delta after it.
        if (Object.keys(call.arguments).length > 0) {
          const json = JSON.stringify(call.arguments);
          this.builder.addToolArguments(call.id, json);
          const open = this.blocks.get(index)!;
          open.json = json;
          open.whole = true;
          out.push({ type: 'tool-call-delta', id: call.id, argumentsDelta: json });
        }
        break;
      }
      case 'thinking': {
        this.blocks.set(index, { kind: 'thinking', block, json: '', signature: str(block.signature) ?? '' });
        const text = str(block.thinking) ?? '';
        this.builder.closeReasoning();
        this.builder.addReasoning(text);
        if (text !== '') out.push({ type: 'reasoning-delta', text });
        break;
      }
      case 'redacted_thinking': {
        const part = this.builder.addReasoningPart({ text: '', redacted: str(block.data) ?? '' });
        out.push({ type: 'reasoning-end', part });
        break;
      }
      default:
        this.blocks.set(index, { kind: 'other', block: { ...block }, json: '', signature: '' });
    }
  }

  private blockDelta(index: number, delta: Wire, out: EventSink): void {
    const open = this.blocks.get(index);
    if (!open) return;
    switch (delta.type) {
      case 'text_delta': {
        const text = str(delta.text) ?? '';
        if (open.kind !== 'text' || text === '') return;
        this.builder.addText(text);
        out.push({ type: 'text-delta', text });
        return;
      }
      case 'citations_delta':
        this.citation(delta.citation, out);
        return;
      case 'thinking_delta': {
        const text = str(delta.thinking) ?? '';
        if (open.kind !== 'thinking' || text === '') return;
        this.builder.addReasoning(text);
        out.push({ type: 'reasoning-delta', text });
        return;
      }
      case 'signature_delta':
        if (open.kind === 'thinking') open.signature += str(delta.signature) ?? '';
        return;
      case 'input_json_delta': {
        const json = str(delta.partial_json) ?? '';
        // The API opens each tool block with an empty partial_json; it carries nothing.
        if (json === '') return;
        if (open.kind === 'tool' && open.id !== undefined) {
          // An input already given whole in content_block_start stands; the events already carried it.
          if (open.whole) return;
          open.json += json;
          this.builder.addToolArguments(open.id, json);
          out.push({ type: 'tool-call-delta', id: open.id, argumentsDelta: json });
        } else open.json += json;
        return;
      }
      default:
        // compaction_delta and deltas of types SDL does not know: folded into the unmapped block.
        if (open.kind === 'other') {
          const text = str(delta.content) ?? str(delta.text);
          if (text !== undefined) open.block.content = (typeof open.block.content === 'string' ? open.block.content : '') + text;
          else open.block.deltas = [...(Array.isArray(open.block.deltas) ? open.block.deltas : []), delta];
        }
    }
  }

  private blockStop(index: number, out: EventSink): void {
    const open = this.blocks.get(index);
    if (!open) return;
    this.blocks.delete(index);
    switch (open.kind) {
      case 'tool': {
        const call = this.builder.endToolCall(open.id!);
        if (call) out.push({ type: 'tool-call-end', call });
        break;
      }
      case 'thinking': {
        const part = this.builder.closeReasoning();
        if (part) {
          if (open.signature) part.signature = open.signature;
          out.push({ type: 'reasoning-end', part });
        }
        break;
      }
      case 'other': {
        if (open.json.trim() !== '') open.block.input = parseLoose(open.json);
        const part = this.builder.addOther(str(open.block.type) ?? 'unknown', open.block as JsonValue);
        out.push({ type: 'other', part });
        break;
      }
      case 'text':
        break;
    }
  }

  private citation(raw: unknown, out: EventSink): void {
    const citation = citationFromAnthropic(raw);
    this.builder.addCitation(citation);
    out.push({ type: 'citation', citation });
  }
}

/** A server tool's streamed input: JSON when it parses (some recordings lose the opening brace), else the text as sent. */
function parseLoose(json: string): JsonValue {
  for (const text of [json, `{${json}`]) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // not JSON this way
    }
  }
  return json;
}
