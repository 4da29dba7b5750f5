import { EngineError } from '../errors.js';
import { printRedacted } from './redacted.js';

/**
 * Where an adapter gets its API key for each call, so a key can rotate without a restart: a fixed
 * key, a mounted secret file (`${file:path}`, {@link FileSecret}) or a host callback
 * ({@link ProviderCredential}). Adapters ask for the key per call and, after an `auth` failure,
 * ask once for a fresh one (`callWithFreshKey`, internal to the adapters).
 */
export interface Credential {
  /** The key for the next call: a string when it is known without waiting. */
  current(): string | Promise<string>;
  /**
   * After a call with `used` failed with `auth`: the key to retry with, or undefined when there is
   * none newer. When the key already changed since `used` was handed out, that key is returned
   * without a refresh; concurrent callers share one refresh.
   */
  refresh(used: string): Promise<string | undefined>;
}

/** What a host's credential callback returns. */
export interface IssuedCredential {
  /** The API key or access token. */
  apiKey: string;
  /** How long it may be used, in ms; fetched again after that (and after an `auth` failure). Default: until an `auth` failure. */
  ttlMs?: number;
}

/** A host-provided source of keys (a vault, an OAuth token endpoint): called on first use, after its TTL, and after an `auth` failure. */
export type CredentialCallback = () => Promise<IssuedCredential>;

/** Options of {@link ProviderCredential}. */
export interface ProviderCredentialOptions {
  /** The engine's name, for errors. */
  engine: string;
  /** The provider, for errors. */
  provider: string;
  /** Epoch ms; default `Date.now`. */
  now?: () => number;
}

/**
 * Keys from a host callback, cached for the TTL the callback returns. A failing callback is an
 * `auth` error naming the engine; its message never carries the key.
 */
export class ProviderCredential implements Credential {
  private key: string | undefined;
  private expiresAt = Number.POSITIVE_INFINITY;
  private pending: Promise<string> | undefined;
  /** How many times the callback was called (first use, expiries and refreshes). */
  fetches = 0;

  constructor(
    private readonly callback: CredentialCallback,
    private readonly options: ProviderCredentialOptions,
  ) {
    // It holds the key once fetched: print the engine only.
    printRedacted(this, 'ProviderCredential', () => ({ engine: options.engine, fetches: this.fetches }));
  }

  current(): string | Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.key !== undefined && now < this.expiresAt) return this.key;
    return this.fetch();
  }

  async refresh(used: string): Promise<string | undefined> {
    if (this.pending === undefined && this.key !== undefined && this.key !== used) return this.key;
    const fresh = await this.fetch(); // joins a fetch in flight
    return fresh === used ? undefined : fresh;
  }

  private fetch(): Promise<string> {
    this.pending ??= (async () => {
      this.fetches += 1;
      let issued: IssuedCredential;
      try {
        issued = await this.callback();
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new EngineError('auth', `engine \`${this.options.engine}\`: the credential callback failed: ${mask(reason, this.key)}`, { provider: this.options.provider });
      }
      if (typeof issued?.apiKey !== 'string' || issued.apiKey === '') {
        throw new EngineError('auth', `engine \`${this.options.engine}\`: the credential callback returned no apiKey`, { provider: this.options.provider });
      }
      this.key = issued.apiKey;
      const now = (this.options.now ?? Date.now)();
      this.expiresAt = issued.ttlMs === undefined ? Number.POSITIVE_INFINITY : now + issued.ttlMs;
      return issued.apiKey;
    })().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }
}

/** The text with every occurrence of a known key replaced: a callback's error may quote the key it was given. */
function mask(text: string, key: string | undefined): string {
  return key === undefined || key === '' ? text : text.split(key).join('[redacted]');
}

/**
 * Runs `attempt` with the credential's key; when it fails with `auth`, asks the credential once for a
 * fresh key and, if there is one, runs `attempt` again with it. Anything else is rethrown as it is.
 */
export async function callWithFreshKey<T>(credential: Credential, attempt: (key: string) => Promise<T>): Promise<T> {
  const first = credential.current();
  const key = typeof first === 'string' ? first : await first;
  try {
    return await attempt(key);
  } catch (err) {
    if (!(err instanceof EngineError) || err.kind !== 'auth') throw err;
    const fresh = await credential.refresh(key);
    if (fresh === undefined) throw err;
    return attempt(fresh);
  }
}

/**
 * {@link callWithFreshKey} for a stream: the retry with a fresh key happens only when the `auth`
 * failure came before the first event (a provider refuses a key before it streams anything).
 */
export async function* streamWithFreshKey<T>(credential: Credential, attempt: (key: string) => AsyncIterable<T>): AsyncIterable<T> {
  const first = credential.current();
  const key = typeof first === 'string' ? first : await first;
  let started = false;
  try {
    for await (const event of attempt(key)) {
      started = true;
      yield event;
    }
    return;
  } catch (err) {
    if (started || !(err instanceof EngineError) || err.kind !== 'auth') throw err;
    const fresh = await credential.refresh(key);
    if (fresh === undefined) throw err;
    yield* attempt(fresh);
  }
}
