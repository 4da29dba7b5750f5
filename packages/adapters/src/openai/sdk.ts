/**
 * Everything of the OpenAI adapter that needs the `openai` SDK at run time. The adapter imports
 * this module on its first call ({@link LazySdk}), so importing `@sdl/adapters` does not load the SDK.
 */
import OpenAI from 'openai';
import type { ProviderSdk } from '../shared/lazy-sdk.js';
import { printRedacted } from '../shared/redacted.js';
import { transportOption, type Transport } from '../shared/transport.js';
import { fromOpenAIError } from './errors.js';

/** Builds the client (SDK retries off, its console logging off) and the error translation. */
export function openOpenAI(options: { apiKey: string; baseURL?: string; timeoutMs: number; transport?: Transport | undefined }): ProviderSdk<OpenAI> {
  const client = new OpenAI({
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
  printRedacted(client, 'OpenAI client');
  const rehearse = () => client.chat.completions.create({ model: 'sdl-warm-up', messages: [{ role: 'user', content: '.' }] });
  return { client, toEngineError: fromOpenAIError, rehearse };
}
