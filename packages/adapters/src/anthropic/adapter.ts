import Anthropic from '@anthropic-ai/sdk';
import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent } from '../types.js';
import { CallDeadline } from '../shared/deadline.js';
import { DEFAULT_MAX_TOKENS, toAnthropicBody } from './convert.js';
import { AnthropicStreamReader, fromAnthropicMessage } from './response.js';
import { fromAnthropicError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from '../shared/options.js';
import { printRedacted } from '../shared/redacted.js';

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
    // The client holds the key: neither it nor the adapter prints it.
    printRedacted(this.client, 'Anthropic client');
    printRedacted(this, 'AnthropicAdapter', () => ({ provider: this.provider, baseURL: options.baseURL, timeoutMs: this.timeoutMs }));
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
    const reader = new AnthropicStreamReader(request.model);
    let closing: StreamEvent[];
    try {
      const { data: events, request_id } = await this.client.messages
        .create({ ...toAnthropicBody(request, this.defaultMaxTokens), stream: true }, requestOptions(deadline))
        .withResponse();
      if (request_id) reader.builder.requestId = request_id;
      for await (const event of events) yield* reader.read(event);
      closing = [...reader.finish()];
    } catch (err) {
      throw fromAnthropicError(err, deadline);
    } finally {
      deadline.dispose();
    }
    yield* closing;
  }
}
