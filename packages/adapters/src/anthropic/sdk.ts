/**
 * Everything of the Anthropic adapter that needs `@anthropic-ai/sdk` at run time. The adapter
 * imports this module on its first call ({@link LazySdk}), so importing `@sdl/adapters` does not load the SDK.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { CallDeadline } from '../shared/deadline.js';
import type { ProviderSdk } from '../shared/lazy-sdk.js';
import { printRedacted } from '../shared/redacted.js';
import { transportOption, type Transport } from '../shared/transport.js';
import { fromAnthropicError } from './errors.js';

/** Where a request's options carry its {@link CallDeadline} to the client's `fetchWithTimeout`. */
const CALL_DEADLINE: unique symbol = Symbol('sdl.callDeadline');

/** Where a stream's options carry the object that takes the response's `request-id` (see {@link DeadlineClient}). */
const REQUEST_ID_TO: unique symbol = Symbol('sdl.requestIdTo');

/** What takes a streamed response's request id: the stream's response builder. */
export interface RequestIdSink {
  requestId: string | undefined;
}

type FetchArgs = Parameters<Anthropic['fetchWithTimeout']>;

type RequestOptionsWithDeadline = Anthropic.RequestOptions & { [CALL_DEADLINE]: CallDeadline; [REQUEST_ID_TO]?: RequestIdSink };

/**
 * The SDK client, lending each request's own `AbortController` to the call's deadline: the SDK
 * makes that controller for every HTTP request anyway (its fetch aborts on it, body reads and
 * streams included), so the deadline's timer aborts it instead of the adapter making a second
 * `AbortSignal` for the SDK to link to. A stream's request id is taken from the response here:
 * the parsed stream does not carry it, and `.withResponse()` would cost a `Promise.all`, ~5 more
 * promises and a second header read per stream. Everything else is the SDK's own code path.
 */
class DeadlineClient extends Anthropic {
  // Named parameters, not a rest array spread again: this runs on every request.
  override fetchWithTimeout(url: FetchArgs[0], init: FetchArgs[1], ms: FetchArgs[2], controller: FetchArgs[3], requestOptions?: FetchArgs[4], logCtx?: FetchArgs[5]): Promise<Response> {
    const options = requestOptions as Partial<RequestOptionsWithDeadline> | undefined;
    options?.[CALL_DEADLINE]?.attach(controller);
    const sink = options?.[REQUEST_ID_TO];
    if (sink !== undefined) return this.fetchNotingRequestId(sink, url, init, ms, controller, requestOptions, logCtx);
    return super.fetchWithTimeout(url, init, ms, controller, requestOptions, logCtx);
  }

  /**
   * The request, with its response's `request-id` (as `.withResponse()` reads it; every response, as
   * there, the last one counting) handed to `sink`: one reaction on the SDK's promise, not an async
   * frame awaiting it (a promise and a frame fewer per stream).
   */
  private fetchNotingRequestId(sink: RequestIdSink, url: FetchArgs[0], init: FetchArgs[1], ms: FetchArgs[2], controller: FetchArgs[3], requestOptions?: FetchArgs[4], logCtx?: FetchArgs[5]): Promise<Response> {
    return super.fetchWithTimeout(url, init, ms, controller, requestOptions, logCtx).then((response) => {
      const requestId = response.headers.get('request-id');
      if (requestId) sink.requestId = requestId;
      return response;
    });
  }
}

/**
 * Request options for one call: the caller's signal (the SDK links it itself), the deadline's
 * budget and the deadline; for a stream, where its response's request id goes.
 */
function requestOptions(deadline: CallDeadline, requestIdTo?: RequestIdSink): RequestOptionsWithDeadline {
  const options: RequestOptionsWithDeadline = { timeout: deadline.timeoutMs, [CALL_DEADLINE]: deadline };
  if (deadline.signal !== undefined) options.signal = deadline.signal;
  if (requestIdTo !== undefined) options[REQUEST_ID_TO] = requestIdTo;
  return options;
}

/** The loaded SDK: the client, the error translation and the per-call request options. */
export interface AnthropicSdk extends ProviderSdk<Anthropic> {
  requestOptions(deadline: CallDeadline, requestIdTo?: RequestIdSink): Anthropic.RequestOptions;
}

/** Builds the client (SDK retries off, its console logging off) and the error translation. */
export function openAnthropic(options: { apiKey: string; baseURL?: string; timeoutMs: number; transport?: Transport | undefined }): AnthropicSdk {
  const client = new DeadlineClient({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    // SDL's node:http transport unless `transport: 'fetch'` (shared/transport.ts).
    ...transportOption(options.transport),
    timeout: options.timeoutMs,
    // Failures surface as EngineErrors; the SDK's own console logging would duplicate them.
    logLevel: 'off',
  });
  // The client holds the key: it never prints it.
  printRedacted(client, 'Anthropic client');
  const rehearse = () => client.messages.create({ model: 'sdl-warm-up', max_tokens: 1, messages: [{ role: 'user', content: '.' }] });
  return { client, toEngineError: fromAnthropicError, requestOptions, rehearse };
}
