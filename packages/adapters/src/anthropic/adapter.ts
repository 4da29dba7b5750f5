import Anthropic from '@anthropic-ai/sdk';
import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent } from '../types.js';
import { CallDeadline } from '../shared/deadline.js';
import { ResponseBuilder } from '../shared/response-builder.js';
import { toNeutralToolCallId } from '../shared/tool-ids.js';
import { truncatedStream } from '../shared/unknown-failure.js';
import { DEFAULT_MAX_TOKENS, fromAnthropicMessage, stopReasonFromAnthropic, toAnthropicBody } from './convert.js';
import { fromAnthropicError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from '../shared/options.js';

/** Where a request's options carry its {@link CallDeadline} to the client's `fetchWithTimeout`. */
const CALL_DEADLINE: unique symbol = Symbol('sdl.callDeadline');

type RequestOptionsWithDeadline = Anthropic.RequestOptions & { [CALL_DEADLINE]: CallDeadline };

/**
 * The SDK client, lending each request's own `AbortController` to the call's deadline: the SDK
 * makes that controller for every HTTP request anyway (its fetch aborts on it, body reads and
 * streams included), so the deadline's timer aborts it instead of the adapter making a second
 * `AbortSignal` for the SDK to link to. Everything else is the SDK's own code path.
 */
class DeadlineClient extends Anthropic {
  override fetchWithTimeout(...args: Parameters<Anthropic['fetchWithTimeout']>): Promise<Response> {
    (args[4] as Partial<RequestOptionsWithDeadline> | undefined)?.[CALL_DEADLINE]?.attach(args[3]);
    return super.fetchWithTimeout(...args);
  }
}

/** Request options for one call: the caller's signal (the SDK links it itself), the deadline's budget and the deadline. */
function requestOptions(deadline: CallDeadline): RequestOptionsWithDeadline {
  const options: RequestOptionsWithDeadline = { timeout: deadline.timeoutMs, [CALL_DEADLINE]: deadline };
  if (deadline.signal !== undefined) options.signal = deadline.signal;
  return options;
}

/** Claude through `@anthropic-ai/sdk` (Messages API), SDK retries off. */
export class AnthropicAdapter implements EngineAdapter {
  readonly provider = 'anthropic' as const;
  private readonly client: Anthropic;
  private readonly timeoutMs: number;
  private readonly defaultMaxTokens: number;

  constructor(options: ProviderAdapterOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.defaultMaxTokens = options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS;
    this.client = new DeadlineClient({
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
    const deadline = new CallDeadline('anthropic', request.timeoutMs ?? this.timeoutMs, request.signal, true);
    try {
      // The parsed message carries the `request-id` header as `_request_id`; `.withResponse()` would
      // read the same header again and add a promise round.
      const data = await this.client.messages.create(toAnthropicBody(request, this.defaultMaxTokens), requestOptions(deadline));
      return fromAnthropicMessage(data, data._request_id);
    } catch (err) {
      throw fromAnthropicError(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Sends one streaming request and yields neutral events; the last one is `stop` with the full response.
   * @throws {@link EngineError} while iterating, classified like `generate`.
   */
  async *stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    const deadline = new CallDeadline('anthropic', request.timeoutMs ?? this.timeoutMs, request.signal, true);
    const builder = new ResponseBuilder(request.model);
    // Content block index -> neutral tool-call id.
    const toolBlocks = new Map<number, string>();
    let stopped = false;
    try {
      const { data: events, request_id } = await this.client.messages
        .create({ ...toAnthropicBody(request, this.defaultMaxTokens), stream: true }, requestOptions(deadline))
        .withResponse();
      if (request_id) builder.requestId = request_id;
      for await (const event of events) {
        switch (event.type) {
          case 'message_start':
            builder.model = event.message.model;
            builder.usage = { inputTokens: event.message.usage.input_tokens, outputTokens: event.message.usage.output_tokens };
            break;
          case 'content_block_start':
            if (event.content_block.type === 'tool_use') {
              const id = toNeutralToolCallId(event.content_block.id);
              toolBlocks.set(event.index, id);
              builder.startToolCall(id, event.content_block.name);
              yield { type: 'tool-call-start', id, name: event.content_block.name };
            } else if (event.content_block.type === 'text' && event.content_block.text) {
              builder.addText(event.content_block.text);
              yield { type: 'text-delta', text: event.content_block.text };
            }
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') {
              builder.addText(event.delta.text);
              yield { type: 'text-delta', text: event.delta.text };
            } else if (event.delta.type === 'input_json_delta') {
              const id = toolBlocks.get(event.index);
              // The API opens each tool block with an empty partial_json; it carries nothing.
              if (id !== undefined && event.delta.partial_json !== '') {
                builder.addToolArguments(id, event.delta.partial_json);
                yield { type: 'tool-call-delta', id, argumentsDelta: event.delta.partial_json };
              }
            }
            break;
          case 'content_block_stop': {
            const id = toolBlocks.get(event.index);
            if (id !== undefined) {
              const call = builder.endToolCall(id);
              if (call) yield { type: 'tool-call-end', call };
            }
            break;
          }
          case 'message_delta':
            builder.stopReason = stopReasonFromAnthropic(event.delta.stop_reason);
            builder.usage = {
              inputTokens: event.usage.input_tokens ?? builder.usage.inputTokens,
              outputTokens: event.usage.output_tokens,
            };
            break;
          case 'message_stop':
            stopped = true;
            break;
        }
      }
      if (!stopped) throw truncatedStream('anthropic');
    } catch (err) {
      throw fromAnthropicError(err, deadline);
    } finally {
      deadline.dispose();
    }
    yield { type: 'usage', usage: builder.usage };
    yield { type: 'stop', response: builder.build() };
  }
}
