import { EngineError, type EngineErrorKind } from '../errors.js';
import type { EngineAdapter, EngineRequest, EngineResponse, JsonValue, StopReason, StreamEvent, ToolCall } from '../types.js';

/** One scripted reply: plain text, a structured reply, or an error to raise. */
export type ScriptedReply =
  | string
  | {
      text?: string;
      /** Serialized as the reply text (what a JSON-output call returns). */
      json?: JsonValue;
      toolCalls?: Array<{ id?: string; name: string; arguments?: { [key: string]: JsonValue } }>;
      stopReason?: StopReason;
    }
  | { error: EngineErrorKind; message?: string; retryAfterMs?: number };

/**
 * The script of a {@link ScriptedAdapter}: where each call's reply comes from, in priority order
 * `handler`, `replies` (by step path, then step id), `sequence`, then `fallback`.
 */
export interface ScriptedEngineOptions {
  /**
   * Replies by step path (`EngineRequest.stepPath`, e.g. `triage.classify` for a step of a used
   * skill) or, failing that, by plain step id (`stepId`); an array is used in order and its last entry repeats.
   */
  replies?: Record<string, ScriptedReply | ScriptedReply[]>;
  /** Replies by call order, for calls no step reply matched. */
  sequence?: ScriptedReply[];
  /** Computes a reply; wins over `replies` and `sequence` when it returns something. */
  handler?: (request: EngineRequest, callIndex: number) => ScriptedReply | undefined;
  /** With no matching reply: `echo` the last user message, or `error` (default) with invalid_request. */
  fallback?: 'echo' | 'error';
  /** Reported as the model in responses; defaults to the request's model. */
  model?: string;
}

/** Rough token estimate (4 characters a token) so usage and cost paths are exercised offline. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** A deterministic, offline engine: replies come from a script; used by `skillc test` and offline runs. */
export class ScriptedAdapter implements EngineAdapter {
  readonly provider = 'scripted' as const;
  private calls = 0;
  private readonly stepCursor = new Map<string, number>();
  private sequenceCursor = 0;

  constructor(private readonly options: ScriptedEngineOptions = {}) {}

  /** How many calls this engine has answered. */
  get callCount(): number {
    return this.calls;
  }

  private pick(request: EngineRequest): ScriptedReply {
    const index = this.calls++;
    const fromHandler = this.options.handler?.(request, index);
    if (fromHandler !== undefined) return fromHandler;
    // The full step path (`triage.classify`) wins over the plain step id (scripts written before paths).
    const key = [request.stepPath, request.stepId].find((k) => k !== undefined && this.options.replies?.[k] !== undefined);
    const byStep = key !== undefined ? this.options.replies![key] : undefined;
    if (byStep !== undefined) {
      if (!Array.isArray(byStep)) return byStep;
      const at = this.stepCursor.get(key!) ?? 0;
      this.stepCursor.set(key!, at + 1);
      const reply = byStep[Math.min(at, byStep.length - 1)];
      if (reply !== undefined) return reply;
    }
    const sequence = this.options.sequence;
    if (sequence && this.sequenceCursor < sequence.length) return sequence[this.sequenceCursor++]!;
    if (this.options.fallback === 'echo') {
      const last = [...request.messages].reverse().find((m) => m.role === 'user');
      return last?.content ?? '';
    }
    const step = request.stepPath ?? request.stepId;
    const where = step !== undefined ? `step \`${step}\`` : `call #${index + 1}`;
    throw new EngineError('invalid_request', `scripted: no reply scripted for ${where}; add one to the test's \`replies\``, {
      provider: 'scripted',
    });
  }

  private respond(request: EngineRequest): EngineResponse {
    if (request.signal?.aborted) throw new EngineError('cancelled', 'scripted: the call was cancelled', { provider: 'scripted' });
    const reply = this.pick(request);
    if (typeof reply === 'object' && 'error' in reply) {
      throw new EngineError(reply.error, reply.message ?? `scripted: ${reply.error}`, {
        provider: 'scripted',
        ...(reply.retryAfterMs !== undefined ? { retryAfterMs: reply.retryAfterMs } : {}),
      });
    }
    const structured = typeof reply === 'string' ? { text: reply } : reply;
    const text = structured.json !== undefined ? JSON.stringify(structured.json) : (structured.text ?? '');
    const toolCalls: ToolCall[] = (structured.toolCalls ?? []).map((c, i) => ({
      id: c.id ?? `call_scripted_${this.calls}_${i}`,
      name: c.name,
      arguments: c.arguments ?? {},
    }));
    const input = (request.system ?? '') + request.messages.map((m) => m.content).join('\n');
    return {
      text,
      toolCalls,
      usage: { inputTokens: estimateTokens(input), outputTokens: estimateTokens(text + JSON.stringify(toolCalls)) },
      stopReason: structured.stopReason ?? (toolCalls.length > 0 ? 'tool_use' : 'end'),
      model: this.options.model ?? request.model,
    };
  }

  /**
   * Answers with the next scripted reply, or throws the scripted error.
   * @throws {@link EngineError} when the script says so, or `invalid_request` when no reply matches and `fallback` is `error`.
   */
  async generate(request: EngineRequest): Promise<EngineResponse> {
    return this.respond(request);
  }

  /**
   * Yields the next scripted reply word by word, then its tool calls, usage and `stop`.
   * @throws {@link EngineError} like `generate`.
   */
  async *stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    const response = this.respond(request);
    for (const piece of response.text.match(/\S+\s*|\s+/g) ?? []) yield { type: 'text-delta', text: piece };
    for (const call of response.toolCalls) {
      yield { type: 'tool-call-start', id: call.id, name: call.name };
      const args = JSON.stringify(call.arguments);
      const half = Math.ceil(args.length / 2);
      yield { type: 'tool-call-delta', id: call.id, argumentsDelta: args.slice(0, half) };
      yield { type: 'tool-call-delta', id: call.id, argumentsDelta: args.slice(half) };
      yield { type: 'tool-call-end', call };
    }
    yield { type: 'usage', usage: response.usage };
    yield { type: 'stop', response };
  }
}
