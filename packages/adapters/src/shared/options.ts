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
}

/** The per-call deadline when neither the engine config nor the request sets one. */
export const DEFAULT_TIMEOUT_MS = 60_000;
