import { CohereClientV2 } from 'cohere-ai';
import { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from '../shared/options.js';
import { printRedacted } from '../shared/redacted.js';
import { EngineError } from '../errors.js';
import type { EngineAdapter, EngineRequest, EngineResponse, StreamEvent } from '../types.js';
import { CallDeadline } from '../shared/deadline.js';
import { toCohereBody } from './convert.js';
import { CohereStreamReader, fromCohereResponse } from './response.js';
import { fromCohereError } from './errors.js';

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
    // The client holds the key: neither it nor the adapter prints it.
    printRedacted(this.client, 'Cohere client');
    printRedacted(this, 'CohereAdapter', () => ({ provider: this.provider, baseURL: options.baseURL, timeoutMs: this.timeoutMs }));
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
    const reader = new CohereStreamReader(request.model);
    let closing: StreamEvent[];
    try {
      const { data: events, rawResponse } = await this.client
        .chatStream(toCohereBody(request), this.requestOptions(deadline))
        .withRawResponse();
      reader.builder.requestId = (rawResponse.headers.get('x-request-id') ?? rawResponse.headers.get('x-debug-trace-id')) ?? undefined;
      for await (const event of events) yield* reader.read(event);
      closing = [...reader.end()];
    } catch (err) {
      throw fromCohereError(err, deadline);
    } finally {
      deadline.dispose();
    }
    yield* closing;
  }
}
