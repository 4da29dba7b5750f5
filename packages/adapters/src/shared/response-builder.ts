import type {
  Citation,
  EngineResponse,
  JsonValue,
  OtherPart,
  Provider,
  ReasoningPart,
  Refusal,
  ResponsePart,
  StopReason,
  ToolCall,
  UnmappedField,
  Usage,
} from '../types.js';
import { append } from './append.js';
import { parseToolArguments } from './json.js';

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/**
 * Accumulates a reply, part by part, into the final EngineResponse: `generate` feeds it whole blocks,
 * a stream feeds it deltas. Text parts are kept as the provider delimited them; `text` is their
 * concatenation and nothing else (reasoning, plans, refusals and unmapped blocks are parts of their own).
 */
export class ResponseBuilder {
  private parts: ResponsePart[] = [];
  private readonly calls: ToolCall[] = [];
  /** Streamed tool calls not ended yet; made on the first (a whole reply never needs it). */
  private pending: Map<string, PendingCall> | undefined;
  /** Made on the first unmapped field. */
  private unmapped: UnmappedField[] | undefined;
  private textOpen = false;
  private reasoning: ReasoningPart | undefined;
  private refusalText: string | undefined;
  usage: Usage = { inputTokens: 0, outputTokens: 0 };
  stopReason: StopReason | undefined;
  stopSequence: string | undefined;
  /** Category and explanation of a refusal, when the provider gives them. */
  refusalDetails: Omit<Refusal, 'text'> | undefined;
  model: string;
  requestId: string | undefined;

  constructor(
    model: string,
    readonly provider: Provider,
  ) {
    this.model = model;
  }

  /** Starts a new text block (a provider block boundary); following `addText` calls extend it. */
  startText(): void {
    this.closeReasoning();
    this.addPart({ type: 'text', text: '' });
    this.textOpen = true;
  }

  /** Appends reply text to the open text block (opening one when the last part is not text). */
  addText(text: string): void {
    this.currentText().text += text;
  }

  /** Attaches a citation to the open text block. */
  addCitation(citation: Citation): void {
    const part = this.currentText();
    (part.citations ??= []).push(citation);
  }

  /** Appends reasoning text to the open reasoning part (opening one when needed). */
  addReasoning(text: string): void {
    this.openReasoning().text += text;
  }

  /** Appends to the signature of the open reasoning part. */
  addSignature(signature: string): void {
    const part = this.openReasoning();
    part.signature = (part.signature ?? '') + signature;
  }

  /** Closes the open reasoning part and returns it (undefined when none is open). */
  closeReasoning(): ReasoningPart | undefined {
    const part = this.reasoning;
    this.reasoning = undefined;
    return part;
  }

  /** Adds a whole reasoning part (a complete thinking or redacted_thinking block). */
  addReasoningPart(part: Omit<ReasoningPart, 'type' | 'provider'>): ReasoningPart {
    this.closeReasoning();
    this.textOpen = false;
    const full: ReasoningPart = { type: 'reasoning', provider: this.provider, ...part };
    this.addPart(full);
    return full;
  }

  /** Appends to the reply's tool plan (Cohere `tool_plan`). */
  addToolPlan(text: string): void {
    const last = this.parts.at(-1);
    if (last?.type === 'tool-plan') last.text += text;
    else {
      this.closeReasoning();
      this.textOpen = false;
      this.addPart({ type: 'tool-plan', text });
    }
  }

  /** Appends to the refusal text (OpenAI `refusal`). */
  addRefusal(text: string): void {
    this.refusalText = (this.refusalText ?? '') + text;
    const last = this.parts.at(-1);
    if (last?.type === 'refusal') last.text += text;
    else {
      this.closeReasoning();
      this.textOpen = false;
      this.addPart({ type: 'refusal', text });
    }
  }

  /** Keeps a block SDL does not map, as sent. */
  addOther(kind: string, data: JsonValue): OtherPart {
    this.closeReasoning();
    this.textOpen = false;
    const part: OtherPart = { type: 'other', provider: this.provider, kind, data };
    this.addPart(part);
    return part;
  }

  /** Keeps a provider field SDL does not interpret (logprobs, container, ...). */
  addUnmapped(field: string, value: JsonValue): void {
    const unmapped = (this.unmapped ??= []);
    const at = unmapped.findIndex((u) => u.field === field);
    if (at >= 0) unmapped[at] = { field, value };
    else unmapped.push({ field, value });
  }

  startToolCall(id: string, name: string, args = ''): void {
    this.startToolPart(id);
    (this.pending ??= new Map()).set(id, { id, name, args });
  }

  /** Ends the open text or reasoning part and adds the tool-call part of `id`. */
  private startToolPart(id: string): void {
    this.closeReasoning();
    this.textOpen = false;
    this.addPart({ type: 'tool-call', id });
  }

  addToolArguments(id: string, delta: string): void {
    const call = this.pending?.get(id);
    if (call) call.args += delta;
  }

  /** The arguments text streamed so far for an open call. */
  toolArguments(id: string): string | undefined {
    return this.pending?.get(id)?.args;
  }

  /** Finishes a tool call; throws a SyntaxError when the streamed arguments are not JSON. */
  endToolCall(id: string): ToolCall | undefined {
    const call = this.pending?.get(id);
    if (!call) return undefined;
    this.pending!.delete(id);
    const done: ToolCall = { id: call.id, name: call.name, arguments: parseToolArguments(call.args) };
    this.calls.push(done);
    return done;
  }

  /** Adds a complete tool call (a whole response, or a block that arrived whole). */
  addToolCall(call: ToolCall): void {
    // A streamed call of the same id still open is replaced by this whole one.
    this.pending?.delete(call.id);
    this.startToolPart(call.id);
    this.calls.push(call);
  }

  /** Ids of tool calls started but not ended (some providers end them implicitly). */
  openToolCalls(): string[] {
    return this.pending === undefined ? [] : [...this.pending.keys()];
  }

  /**
   * Gives up a call that never ended (cut by `max_tokens`): it is not a call the host can run, so it
   * leaves the tool-call parts and is kept as an `incomplete_tool_call` part with what had arrived.
   */
  abandonToolCall(id: string): void {
    const call = this.pending?.get(id);
    if (!call) return;
    this.pending!.delete(id);
    const at = this.parts.findIndex((p) => p.type === 'tool-call' && p.id === id);
    const part: OtherPart = { type: 'other', provider: this.provider, kind: 'incomplete_tool_call', data: { id, name: call.name, partialArguments: call.args } };
    if (at >= 0) this.parts.splice(at, 1, part);
    else this.addPart(part);
  }

  /** The reply's text so far: its text parts' concatenation, as `build()` gives it. */
  text(): string {
    let text = '';
    for (const p of this.parts) if (p.type === 'text') text += p.text;
    return text;
  }

  /** The reply; the builder's last call (the response takes over its parts). */
  build(): EngineResponse {
    // One pass, no callbacks: this runs once per reply, stream or not. The parts are copied only
    // when an empty text part is left out.
    let text = '';
    let parts: ResponsePart[] | undefined;
    let citations: Citation[] | undefined;
    for (let i = 0; i < this.parts.length; i++) {
      const p = this.parts[i]!;
      if (p.type === 'text') {
        text += p.text;
        if (p.citations !== undefined && p.citations.length > 0) (citations ??= []).push(...p.citations);
        else if (p.text === '') {
          parts ??= this.parts.slice(0, i);
          continue;
        }
      }
      parts?.push(p);
    }
    const response: EngineResponse = {
      text,
      toolCalls: this.calls,
      usage: this.usage,
      stopReason: this.stopReason ?? 'other',
      model: this.model,
      parts: parts ?? this.parts,
    };
    if (this.requestId) response.requestId = this.requestId;
    if (citations !== undefined) response.citations = citations;
    if (this.refusalText !== undefined || this.refusalDetails !== undefined || this.stopReason === 'content_filter') {
      response.refusal = { text: this.refusalText ?? '', ...this.refusalDetails };
    }
    if (this.stopSequence) response.stopSequence = this.stopSequence;
    if (this.unmapped !== undefined) response.unmapped = this.unmapped;
    return response;
  }

  private addPart(part: ResponsePart): void {
    this.parts = append(this.parts, part);
  }

  private currentText(): Extract<ResponsePart, { type: 'text' }> {
    const last = this.parts.at(-1);
    if (this.textOpen && last?.type === 'text') return last;
    this.startText();
    return this.parts.at(-1) as Extract<ResponsePart, { type: 'text' }>;
  }

  private openReasoning(): ReasoningPart {
    if (this.reasoning) return this.reasoning;
    this.textOpen = false;
    this.reasoning = { type: 'reasoning', text: '', provider: this.provider };
    this.addPart(this.reasoning);
    return this.reasoning;
  }
}
