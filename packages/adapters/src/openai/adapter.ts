import type OpenAI from 'openai';
import type { ProviderSdk } from '../shared/lazy-sdk.js';
import { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from '../shared/options.js';
import { printRedacted } from '../shared/redacted.js';
import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent, ProviderBatchApi } from '../types.js';
import { CallDeadline } from '../shared/deadline.js';
import { toOpenAIBody } from './convert.js';
import { fromOpenAICompletion, OpenAIStreamReader } from './response.js';
import { LazySdk } from '../shared/lazy-sdk.js';
import { openCall, ProviderStream } from '../shared/provider-stream.js';
import { lazyBatchApi } from '../shared/lazy-batch-api.js';

/** OpenAI through the `openai` SDK (Chat Completions), SDK retries off. */
export class OpenAIAdapter implements EngineAdapter {
  readonly provider = 'openai' as const;
  /** Every call runs under a deadline of `request.timeoutMs` that also covers the body and the stream. */
  readonly enforcesTimeout = true;
  /** The `openai` SDK, loaded on the first call. */
  private readonly sdk: LazySdk<ProviderSdk<OpenAI>>;
  private readonly timeoutMs: number;

  constructor(options: ProviderAdapterOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeoutMs = this.timeoutMs;
    const transport = options.transport;
    this.sdk = new LazySdk('openai', 'openai', options.apiKey, async (apiKey, baseURL = options.baseURL) =>
      (await import('./sdk.js')).openOpenAI({ apiKey, ...(baseURL ? { baseURL } : {}), timeoutMs, transport }),
    );
    // The client (made on the first call, in sdk.ts) holds the key: neither it nor the adapter prints it.
    printRedacted(this, 'OpenAIAdapter', () => ({ provider: this.provider, baseURL: options.baseURL, timeoutMs: this.timeoutMs }));
  }

  private batchApi: ProviderBatchApi | undefined;

  /**
   * The provider's batch API (half the price, results within 24 h), through the official SDK; its
   * module loads with the SDK on first use.
   */
  get batches(): ProviderBatchApi {
    this.batchApi ??= lazyBatchApi(async () => (await import('./batches.js')).openaiBatches(() => this.sdk.current(), this.timeoutMs));
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
  private readonly generateWith = async (request: EngineRequest, key: string | undefined): Promise<EngineResponse> => {
    const sdk = this.sdk.ready(key) ?? (await this.sdk.load(key));
    const deadline = new CallDeadline('openai', request.timeoutMs ?? this.timeoutMs, request.signal);
    try {
      // The parsed completion carries the `x-request-id` header as `_request_id` (see the Anthropic adapter).
      const data = await sdk.client.chat.completions.create(toOpenAIBody(request), { signal: deadline.signal, timeout: deadline.timeoutMs });
      return fromOpenAICompletion(data, data._request_id);
    } catch (err) {
      throw sdk.toEngineError(err, deadline);
    } finally {
      deadline.dispose();
    }
  };

  /**
   * Sends one streaming request and yields neutral events; the last one is `stop` with the full response.
   * @throws {@link EngineError} while iterating, classified like `generate`.
   */
  stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    return this.sdk.stream((key) => this.streamWith(request, key));
  }

  /** One stream with the fixed key (`key` undefined) or the credential's `key`; the request is sent on the first read. */
  private streamWith(request: EngineRequest, key: string | undefined): AsyncIterable<StreamEvent> {
    return new ProviderStream(async () => {
      const sdk = this.sdk.ready(key) ?? (await this.sdk.load(key));
      const deadline = new CallDeadline('openai', request.timeoutMs ?? this.timeoutMs, request.signal);
      const reader = new OpenAIStreamReader(request.model);
      return openCall(deadline, reader, (err) => sdk.toEngineError(err, deadline), async () => {
        const { data: events, request_id } = await sdk.client.chat.completions
          .create(
            { ...toOpenAIBody(request), stream: true, stream_options: { include_usage: true } },
            { signal: deadline.signal, timeout: deadline.timeoutMs },
          )
          .withResponse();
        if (request_id) reader.builder.requestId = request_id;
        return events;
      });
    });
  }
}
