import { CohereClientV2 } from 'cohere-ai';
import { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from '../shared/options.js';
import { EngineError } from '../errors.js';
import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent } from '../types.js';
import { engineErrorFrom } from '../shared/classify.js';
import { CallDeadline } from '../shared/deadline.js';
import { ResponseBuilder } from '../shared/response-builder.js';
import { toNeutralToolCallId } from '../shared/tool-ids.js';
import { truncatedStream } from '../shared/unknown-failure.js';
import { fromCohereResponse, stopReasonFromCohere, toCohereBody, usageFromCohere } from './convert.js';
import { fromCohereError } from './errors.js';

/** The stream events as the SDK yields them (camelCase); only the fields the adapter reads. */
interface CohereStreamEvent {
  type: string;
  index?: number;
  delta?: {
    error?: string;
    finishReason?: string;
    usage?: Parameters<typeof usageFromCohere>[0];
    message?: {
      content?: { text?: string };
      toolCalls?: { id?: string; function?: { name?: string; arguments?: string } };
    };
  };
}

/** Cohere through `cohere-ai` (`CohereClientV2`, `/v2/chat`), SDK retries off. */
export class CohereAdapter implements EngineAdapter {
  readonly provider = 'cohere' as const;
  private readonly client: CohereClientV2;
  private readonly timeoutMs: number;

  constructor(options: ProviderAdapterOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = new CohereClientV2({
      token: options.apiKey,
      ...(options.baseURL ? { baseUrl: options.baseURL } : {}),
      maxRetries: 0,
      timeoutInSeconds: this.timeoutMs / 1000,
      clientName: 'sdl',
    });
  }

  private requestOptions(deadline: CallDeadline) {
    return { maxRetries: 0, timeoutInSeconds: deadline.timeoutMs / 1000, abortSignal: deadline.signal };
  }

  /**
   * Sends one request and resolves with the whole reply, translated to the engine-neutral shape.
   * @throws {@link EngineError} for every failure (HTTP status, network, timeout, abort), classified by `kind`.
   */
  async generate(request: EngineRequest): Promise<EngineResponse> {
    const deadline = new CallDeadline('cohere', request.timeoutMs ?? this.timeoutMs, request.signal);
    try {
      const { data, rawResponse } = await this.client.chat(toCohereBody(request), this.requestOptions(deadline)).withRawResponse();
      // cohere-ai 8.1 hands back the fetcher's `{ok: false, error: {reason: 'non-json'}}` as the data of
      // a 200 whose body is not JSON, instead of throwing.
      if (typeof (data as { message?: unknown }).message !== 'object' || (data as { message?: unknown }).message === null) {
        throw new EngineError('server', 'cohere: the response was not valid JSON (HTTP 200)', { provider: 'cohere', status: rawResponse.status });
      }
      return fromCohereResponse(data, request.model, (rawResponse.headers.get('x-request-id') ?? rawResponse.headers.get('x-debug-trace-id')));
    } catch (err) {
      throw fromCohereError(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Sends one streaming request and yields neutral events; the last one is `stop` with the full response.
   * @throws {@link EngineError} while iterating, classified like `generate`.
   */
  async *stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    const deadline = new CallDeadline('cohere', request.timeoutMs ?? this.timeoutMs, request.signal);
    const builder = new ResponseBuilder(request.model);
    const toolIndex = new Map<number, string>();
    let ended = false;
    try {
      const { data: events, rawResponse } = await this.client
        .chatStream(toCohereBody(request), this.requestOptions(deadline))
        .withRawResponse();
      builder.requestId = (rawResponse.headers.get('x-request-id') ?? rawResponse.headers.get('x-debug-trace-id')) ?? undefined;
      for await (const raw of events) {
        const event = raw as unknown as CohereStreamEvent;
        switch (event.type) {
          case 'content-delta': {
            const text = event.delta?.message?.content?.text;
            if (text) {
              builder.addText(text);
              yield { type: 'text-delta', text };
            }
            break;
          }
          case 'tool-call-start': {
            const call = event.delta?.message?.toolCalls;
            const id = toNeutralToolCallId(call?.id ?? `${event.index ?? 0}`);
            const name = call?.function?.name ?? '';
            toolIndex.set(event.index ?? 0, id);
            builder.startToolCall(id, name);
            yield { type: 'tool-call-start', id, name };
            const args = call?.function?.arguments;
            if (args) {
              builder.addToolArguments(id, args);
              yield { type: 'tool-call-delta', id, argumentsDelta: args };
            }
            break;
          }
          case 'tool-call-delta': {
            const id = toolIndex.get(event.index ?? 0);
            const args = event.delta?.message?.toolCalls?.function?.arguments;
            if (id !== undefined && args) {
              builder.addToolArguments(id, args);
              yield { type: 'tool-call-delta', id, argumentsDelta: args };
            }
            break;
          }
          case 'tool-call-end': {
            const id = toolIndex.get(event.index ?? 0);
            const call = id !== undefined ? builder.endToolCall(id) : undefined;
            if (call) yield { type: 'tool-call-end', call };
            break;
          }
          case 'message-end': {
            const reason = event.delta?.finishReason;
            if (reason === 'ERROR' || reason === 'TIMEOUT' || event.delta?.error) {
              // Cohere reports a failure after HTTP 200 in the final event.
              throw engineErrorFrom({
                provider: 'cohere',
                errorType: reason === 'TIMEOUT' ? 'timeout_error' : 'server_error',
                message: event.delta?.error ?? `generation ended with ${reason}`,
              });
            }
            builder.stopReason = stopReasonFromCohere(reason);
            builder.usage = usageFromCohere(event.delta?.usage);
            ended = true;
            break;
          }
        }
      }
      if (!ended) throw truncatedStream('cohere');
    } catch (err) {
      throw fromCohereError(err, deadline);
    } finally {
      deadline.dispose();
    }
    yield { type: 'usage', usage: builder.usage };
    yield { type: 'stop', response: builder.build() };
  }
}
