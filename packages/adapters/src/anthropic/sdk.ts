/**
 * Everything of the Anthropic adapter that needs `@anthropic-ai/sdk` at run time. The adapter
 * imports this module on its first call ({@link LazySdk}), so importing `@sdl/adapters` does not load the SDK.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { CallDeadline } from '../shared/deadline.js';
import type { ProviderSdk } from '../shared/lazy-sdk.js';
import { printRedacted } from '../shared/redacted.js';
import { fromAnthropicError } from './errors.js';

/** Where a request's options carry its {@link CallDeadline} to the client's `fetchWithTimeout`. */
const CALL_DEADLINE: unique symbol = Symbol('sdl.callDeadline');

type FetchArgs = Parameters<Anthropic['fetchWithTimeout']>;

type RequestOptionsWithDeadline = Anthropic.RequestOptions & { [CALL_DEADLINE]: CallDeadline };

/**
 * The SDK client, lending each request's own `AbortController` to the call's deadline: the SDK
 * makes that controller for every HTTP request anyway (its fetch aborts on it, body reads and
 * streams included), so the deadline's timer aborts it instead of the adapter making a second
 * `AbortSignal` for the SDK to link to. Everything else is the SDK's own code path.
 */
class DeadlineClient extends Anthropic {
  // Named parameters, not a rest array spread again: this runs on every request.
  override fetchWithTimeout(url: FetchArgs[0], init: FetchArgs[1], ms: FetchArgs[2], controller: FetchArgs[3], requestOptions?: FetchArgs[4], logCtx?: FetchArgs[5]): Promise<Response> {
    (requestOptions as Partial<RequestOptionsWithDeadline> | undefined)?.[CALL_DEADLINE]?.attach(controller);
    return super.fetchWithTimeout(url, init, ms, controller, requestOptions, logCtx);
  }
}

/** Request options for one call: the caller's signal (the SDK links it itself), the deadline's budget and the deadline. */
function requestOptions(deadline: CallDeadline): RequestOptionsWithDeadline {
  const options: RequestOptionsWithDeadline = { timeout: deadline.timeoutMs, [CALL_DEADLINE]: deadline };
  if (deadline.signal !== undefined) options.signal = deadline.signal;
  return options;
}

/** The loaded SDK: the client, the error translation and the per-call request options. */
export interface AnthropicSdk extends ProviderSdk<Anthropic> {
  requestOptions(deadline: CallDeadline): Anthropic.RequestOptions;
}

/** Builds the client (SDK retries off, its console logging off) and the error translation. */
export function openAnthropic(options: { apiKey: string; baseURL?: string; timeoutMs: number }): AnthropicSdk {
  const client = new DeadlineClient({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs,
    // Failures surface as EngineErrors; the SDK's own console logging would duplicate them.
    logLevel: 'off',
  });
  // The client holds the key: it never prints it.
  printRedacted(client, 'Anthropic client');
  const rehearse = () => client.messages.create({ model: 'sdl-warm-up', max_tokens: 1, messages: [{ role: 'user', content: '.' }] });
  return { client, toEngineError: fromAnthropicError, requestOptions, rehearse };
}
