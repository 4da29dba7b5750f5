import type { EngineResponse, StopReason, ToolCall, Usage } from '../types.js';
import { parseToolArguments } from './json.js';

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/** Accumulates stream deltas into the final EngineResponse carried by the `stop` event. */
export class ResponseBuilder {
  private text = '';
  private readonly calls: ToolCall[] = [];
  private readonly pending = new Map<string, PendingCall>();
  usage: Usage = { inputTokens: 0, outputTokens: 0 };
  stopReason: StopReason | undefined;
  model: string;
  requestId: string | undefined;

  constructor(model: string) {
    this.model = model;
  }

  addText(text: string): void {
    this.text += text;
  }

  startToolCall(id: string, name: string, args = ''): void {
    this.pending.set(id, { id, name, args });
  }

  addToolArguments(id: string, delta: string): void {
    const call = this.pending.get(id);
    if (call) call.args += delta;
  }

  /** Finishes a tool call; throws a SyntaxError when the streamed arguments are not JSON. */
  endToolCall(id: string): ToolCall | undefined {
    const call = this.pending.get(id);
    if (!call) return undefined;
    this.pending.delete(id);
    const done: ToolCall = { id: call.id, name: call.name, arguments: parseToolArguments(call.args) };
    this.calls.push(done);
    return done;
  }

  /** Ids of tool calls started but not ended (some providers end them implicitly). */
  openToolCalls(): string[] {
    return [...this.pending.keys()];
  }

  build(): EngineResponse {
    const response: EngineResponse = {
      text: this.text,
      toolCalls: this.calls,
      usage: this.usage,
      stopReason: this.stopReason ?? 'other',
      model: this.model,
    };
    if (this.requestId) response.requestId = this.requestId;
    return response;
  }
}
