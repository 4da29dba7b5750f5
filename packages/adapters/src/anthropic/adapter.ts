import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent, ProviderBatchApi } from '../types.js';
import type { EngineError } from '../errors.js';
import { CallDeadline } from '../shared/deadline.js';
import { DEFAULT_MAX_TOKENS, toAnthropicBody, toAnthropicStreamBody } from './convert.js';
import { AnthropicStreamReader, fromAnthropicMessage } from './response.js';
import { LazySdk } from '../shared/lazy-sdk.js';
import { openCall, ProviderStream, type OpenedCall } from '../shared/provider-stream.js';
import { lazyBatchApi } from '../shared/lazy-batch-api.js';
import type { AnthropicSdk } from './sdk.js';
import { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from '../shared/options.js';
import { printRedacted } from '../shared/redacted.js';

/** Claude through `@anthropic-ai/sdk` (Messages API), SDK retries off. */
export class AnthropicAdapter implements EngineAdapter {
  readonly provider = 'anthropic' as const;
  /** Every call runs under a deadline of `request.timeoutMs` that also covers the body and the stream. */
  readonly enforcesTimeout = true;
  /** `@anthropic-ai/sdk`, loaded on the first call. */
  private readonly sdk: LazySdk<AnthropicSdk>;
  private readonly timeoutMs: number;
  private readonly defaultMaxTokens: number;

  constructor(options: ProviderAdapterOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.defaultMaxTokens = options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS;
    const timeoutMs = this.timeoutMs;
    const transport = options.transport;
    this.sdk = new LazySdk('anthropic', '@anthropic-ai/sdk', options.apiKey, async (apiKey, baseURL = options.baseURL) =>
      (await import('./sdk.js')).openAnthropic({ apiKey, ...(baseURL ? { baseURL } : {}), timeoutMs, transport }),
    );
    // The client (made on the first call, in sdk.ts) holds the key: neither it nor the adapter prints it.
    printRedacted(this, 'AnthropicAdapter', () => ({ provider: this.provider, baseURL: options.baseURL, timeoutMs: this.timeoutMs }));
  }

  private batchApi: ProviderBatchApi | undefined;

  /**
   * The provider's batch API (half the price, results within 24 h), through the official SDK; its
   * module loads with the SDK on first use.
   */
  get batches(): ProviderBatchApi {
    this.batchApi ??= lazyBatchApi(async () => (await import('./batches.js')).anthropicBatches(() => this.sdk.current(), this.timeoutMs, this.defaultMaxTokens));
    return this.batchApi;
  }

  /** Loads the SDK, builds the client and rehearses one request on a loopback server (see {@link EngineAdapter.warmUp}); undefined once warm. */
  warmUp(): Promise<void> | undefined {
    return this.sdk.warmUp();
  }

  /**
   * Sends one request and resolves with the whole reply, translated to the engine-neutral shape.
   * @throws {@link EngineError} for every failure (HTTP status, network, timeout, abort), classified by `kind`.
   */
  generate(request: EngineRequest): Promise<EngineResponse> {
    return this.sdk.call(this.generateWith, request);
  }

  /** One call with the fixed key (`key` undefined) or the credential's `key` (a property: {@link LazySdk.call} calls it unbound). */
  private readonly generateWith = (request: EngineRequest, key: string | undefined): Promise<EngineResponse> => {
    const sdk = this.sdk.ready(key);
    return sdk !== undefined ? this.send(sdk, request) : this.sdk.load(key).then((loaded) => this.send(loaded, request));
  };

  /**
   * Sends the request and translates the reply, settling on the SDK's promise with one `then` (no
   * async frame: over HTTP each one is paid again in scavenges of the calls in flight).
   */
  private send(sdk: AnthropicSdk, request: EngineRequest): Promise<EngineResponse> {
    const deadline = new CallDeadline('anthropic', request.timeoutMs ?? this.timeoutMs, request.signal, true, true);
    // Each failure is translated before the deadline is disposed: the deadline still knows whether it ended the call.
    const failed = (err: unknown): EngineError => {
      const error = sdk.toEngineError(err, deadline);
      deadline.dispose();
      return error;
    };
    let reply: ReturnType<AnthropicSdk['client']['messages']['create']>;
    try {
      reply = sdk.client.messages.create(toAnthropicBody(request, this.defaultMaxTokens), sdk.requestOptions(deadline));
    } catch (err) {
      return Promise.reject(failed(err));
    }
    // The parsed message carries the `request-id` header as `_request_id`; `.withResponse()` would
    // read the same header again and add a promise round.
    return reply.then(
      (data) => {
        let response: EngineResponse;
        try {
          response = fromAnthropicMessage(data, data._request_id);
        } catch (err) {
          throw failed(err);
        }
        deadline.dispose();
        return response;
      },
      (err: unknown) => {
        throw failed(err);
      },
    );
  }

  /**
   * Sends one streaming request and yields neutral events; the last one is `stop` with the full response.
   * @throws {@link EngineError} while iterating, classified like `generate`.
   */
  stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    return this.sdk.stream((key) => this.streamWith(request, key));
  }

  /** One stream with the fixed key (`key` undefined) or the credential's `key`; the request is sent on the first read. */
  private streamWith(request: EngineRequest, key: string | undefined): AsyncIterable<StreamEvent> {
    return new ProviderStream(() => {
      // No async frame: with the SDK loaded (every call but the first) the request goes out at once.
      const sdk = this.sdk.ready(key);
      return sdk !== undefined ? this.openStream(sdk, request) : this.sdk.load(key).then((loaded) => this.openStream(loaded, request));
    });
  }

  /** Sends the streaming request; its request id goes straight to the reader's builder (see sdk.ts): no `.withResponse()`. */
  private openStream(sdk: AnthropicSdk, request: EngineRequest): Promise<OpenedCall<unknown>> {
    const deadline = new CallDeadline('anthropic', request.timeoutMs ?? this.timeoutMs, request.signal, true, true);
    const reader = new AnthropicStreamReader(request.model);
    return openCall(deadline, reader, (err) => sdk.toEngineError(err, deadline), () =>
      sdk.client.messages.create(toAnthropicStreamBody(request, this.defaultMaxTokens), sdk.requestOptions(deadline, reader.builder)),
    );
  }
}
