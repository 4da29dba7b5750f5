/**
 * Everything of the Cohere adapter that needs `cohere-ai` at run time (the largest of the SDKs:
 * over 700 files). The adapter imports this module on its first call ({@link LazySdk}), so
 * importing `@sdl/adapters` does not load the SDK.
 */
import { CohereClientV2 } from 'cohere-ai';
import type { ProviderSdk } from '../shared/lazy-sdk.js';
import { printRedacted } from '../shared/redacted.js';
import { transportOption, type Transport } from '../shared/transport.js';
import { fromCohereError } from './errors.js';

/** Builds the client (SDK retries off) and the error translation. */
export function openCohere(options: { apiKey: string; baseURL?: string; timeoutMs: number; transport?: Transport | undefined }): ProviderSdk<CohereClientV2> {
  const client = new CohereClientV2({
    token: options.apiKey,
    ...(options.baseURL ? { baseUrl: options.baseURL } : {}),
    maxRetries: 0,
    // SDL's node:http transport unless `transport: 'fetch'` (shared/transport.ts).
    ...transportOption(options.transport),
    timeoutInSeconds: options.timeoutMs / 1000,
    clientName: 'sdl',
  });
  // The client holds the key: it never prints it.
  printRedacted(client, 'Cohere client');
  const rehearse = () => client.chat({ model: 'sdl-warm-up', messages: [{ role: 'user', content: '.' }] });
  return { client, toEngineError: fromCohereError, rehearse };
}
