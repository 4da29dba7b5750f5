import type { CohereClientV2 } from 'cohere-ai';
import type { ProviderSdk } from '../shared/lazy-sdk.js';
import { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from '../shared/options.js';
import { printRedacted } from '../shared/redacted.js';
import { EngineError } from '../errors.js';
import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent } from '../types.js';
import { CallDeadline } from '../shared/deadline.js';
import { toCohereBody } from './convert.js';
import { CohereStreamReader, fromCohereResponse } from './response.js';
import { LazySdk } from '../shared/lazy-sdk.js';
import { openCall, ProviderStream } from '../shared/provider-stream.js';

/** Cohere through `cohere-ai` (`CohereClientV2`, `/v2/chat`), SDK retries off. */
export class CohereAdapter implements EngineAdapter {
  readonly provider = 'cohere' as const;
  /** Every call runs under a deadline of `request.timeoutMs` that also covers the body and the stream. */
  readonly enforcesTimeout = true;
  /** `cohere-ai`, loaded on the first call. */
  private readonly sdk: LazySdk<ProviderSdk<CohereClientV2>>;
  private readonly timeoutMs: number;

  constructor(options: ProviderAdapterOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeoutMs = this.timeoutMs;
    const transport = options.transport;
    this.sdk = new LazySdk('cohere', 'cohere-ai', options.apiKey, async (apiKey, baseURL = options.baseURL) =>
      (await import('./sdk.js')).openCohere({ apiKey, ...(baseURL ? { baseURL } : {}), timeoutMs, transport }),
    );
    // The client (made on the first call, in sdk.ts) holds the key: neither it nor the adapter prints it.
    printRedacted(this, 'CohereAdapter', () => ({ provider: this.provider, baseURL: options.baseURL, timeoutMs: this.timeoutMs }));
  }

  private requestOptions(deadline: CallDeadline) {
    return { maxRetries: 0, timeoutInSeconds: deadline.timeoutMs / 1000, abortSignal: deadline.signal };
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
    const deadline = new CallDeadline('cohere', request.timeoutMs ?? this.timeoutMs, request.signal);
    try {
      const { data, rawResponse } = await sdk.client.chat(toCohereBody(request), this.requestOptions(deadline)).withRawResponse();
      // cohere-ai 8.1 hands back the fetcher's `{ok: false, error: {reason: 'non-json'}}` as the data of
      // a 200 whose body is not JSON, instead of throwing.
      if (typeof (data as { message?: unknown }).message !== 'object' || (data as { message?: unknown }).message === null) {
        throw new EngineError('server', 'cohere: the response was not valid JSON (HTTP 200)', { provider: 'cohere', status: rawResponse.status });
      }
      return fromCohereResponse(data, request.model, (rawResponse.headers.get('x-request-id') ?? rawResponse.headers.get('x-debug-trace-id')));
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
      const deadline = new CallDeadline('cohere', request.timeoutMs ?? this.timeoutMs, request.signal);
      const reader = new CohereStreamReader(request.model);
      return openCall(deadline, reader, (err) => sdk.toEngineError(err, deadline), async () => {
        const { data: events, rawResponse } = await sdk.client.chatStream(toCohereBody(request), this.requestOptions(deadline)).withRawResponse();
        reader.builder.requestId = (rawResponse.headers.get('x-request-id') ?? rawResponse.headers.get('x-debug-trace-id')) ?? undefined;
        return events;
      });
    });
  }
}
