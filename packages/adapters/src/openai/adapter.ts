import OpenAI from 'openai';
import { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from '../shared/options.js';
import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent } from '../types.js';
import { CallDeadline } from '../shared/deadline.js';
import { ResponseBuilder } from '../shared/response-builder.js';
import { toNeutralToolCallId } from '../shared/tool-ids.js';
import { truncatedStream } from '../shared/unknown-failure.js';
import { fromOpenAICompletion, stopReasonFromOpenAI, toOpenAIBody } from './convert.js';
import { fromOpenAIError } from './errors.js';

/** OpenAI through the `openai` SDK (Chat Completions), SDK retries off. */
export class OpenAIAdapter implements EngineAdapter {
  readonly provider = 'openai' as const;
  private readonly client: OpenAI;
  private readonly timeoutMs: number;

  constructor(options: ProviderAdapterOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      maxRetries: 0,
      timeout: this.timeoutMs,
      // Failures surface as EngineErrors; the SDK's own console logging would duplicate them.
      logLevel: 'off',
    });
  }

  /**
   * Sends one request and resolves with the whole reply, translated to the engine-neutral shape.
   * @throws {@link EngineError} for every failure (HTTP status, network, timeout, abort), classified by `kind`.
   */
  async generate(request: EngineRequest): Promise<EngineResponse> {
    const deadline = new CallDeadline('openai', request.timeoutMs ?? this.timeoutMs, request.signal);
    try {
      // The parsed completion carries the `x-request-id` header as `_request_id` (see the Anthropic adapter).
      const data = await this.client.chat.completions.create(toOpenAIBody(request), { signal: deadline.signal, timeout: deadline.timeoutMs });
      return fromOpenAICompletion(data, data._request_id);
    } catch (err) {
      throw fromOpenAIError(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Sends one streaming request and yields neutral events; the last one is `stop` with the full response.
   * @throws {@link EngineError} while iterating, classified like `generate`.
   */
  async *stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    const deadline = new CallDeadline('openai', request.timeoutMs ?? this.timeoutMs, request.signal);
    const builder = new ResponseBuilder(request.model);
    // Tool-call index within the choice -> neutral id.
    const toolIndex = new Map<number, string>();
    let finished = false;
    const pendingEnds: StreamEvent[] = [];
    try {
      const { data: chunks, request_id } = await this.client.chat.completions
        .create(
          { ...toOpenAIBody(request), stream: true, stream_options: { include_usage: true } },
          { signal: deadline.signal, timeout: deadline.timeoutMs },
        )
        .withResponse();
      if (request_id) builder.requestId = request_id;
      for await (const chunk of chunks) {
        if (chunk.model) builder.model = chunk.model;
        if (chunk.usage) {
          builder.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        }
        const choice = chunk.choices[0];
        if (!choice) continue;
        const delta = choice.delta;
        if (delta?.content) {
          builder.addText(delta.content);
          yield { type: 'text-delta', text: delta.content };
        }
        for (const call of delta?.tool_calls ?? []) {
          let id = toolIndex.get(call.index);
          if (id === undefined && call.id) {
            id = toNeutralToolCallId(call.id);
            toolIndex.set(call.index, id);
            builder.startToolCall(id, call.function?.name ?? '');
            yield { type: 'tool-call-start', id, name: call.function?.name ?? '' };
          }
          if (id !== undefined && call.function?.arguments) {
            builder.addToolArguments(id, call.function.arguments);
            yield { type: 'tool-call-delta', id, argumentsDelta: call.function.arguments };
          }
        }
        if (choice.finish_reason) {
          finished = true;
          builder.stopReason = stopReasonFromOpenAI(choice.finish_reason);
          // Chat Completions has no per-call end event: calls end with the choice.
          for (const id of builder.openToolCalls()) {
            const done = builder.endToolCall(id);
            if (done) pendingEnds.push({ type: 'tool-call-end', call: done });
          }
          yield* pendingEnds.splice(0);
        }
      }
      // The SDK ends the iteration at `data: [DONE]`; a stream without a finish_reason was cut off.
      if (!finished) throw truncatedStream('openai');
    } catch (err) {
      throw fromOpenAIError(err, deadline);
    } finally {
      deadline.dispose();
    }
    yield { type: 'usage', usage: builder.usage };
    yield { type: 'stop', response: builder.build() };
  }
}
