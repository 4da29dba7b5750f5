import type { Transport } from './transport.js';
import type { Credential } from './credential.js';

/** Options shared by every provider adapter. */
export interface ProviderAdapterOptions {
  /** The API key, or a {@link Credential} asked for it on every call (keys that rotate). */
  apiKey: string | Credential;
  /** The API's base URL (an emulator, a proxy); the SDK default when absent. */
  baseURL?: string;
  /** Per-call deadline when the request sets none. Default 60 000 ms. */
  timeoutMs?: number;
  /** Used when a request sets no `maxTokens` and the provider requires one. */
  defaultMaxTokens?: number;
  /**
   * What the provider's SDK sends its HTTP requests through. `'node'` (the default): SDL's
   * transport on `node:http`/`node:https` with keep-alive connections (shared/transport.ts), which
   * takes about half the client CPU per call of Node's `fetch` and behaves like it (redirects,
   * decompression, aborts, timeouts, errors; file uploads still go through `fetch`). `'fetch'`:
   * Node's global `fetch` (undici), as the SDK uses on its own, e.g. when `fetch` is patched or an
   * undici global dispatcher (a proxy agent) is installed.
   */
  transport?: Transport;
}

/** The per-call deadline when neither the engine config nor the request sets one. */
export const DEFAULT_TIMEOUT_MS = 60_000;
