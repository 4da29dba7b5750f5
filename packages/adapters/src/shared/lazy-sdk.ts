import { EngineError } from '../errors.js';
import { callWithFreshKey, streamWithFreshKey, type Credential } from './credential.js';
import type { CallDeadline } from './deadline.js';

/** What an adapter needs from its provider's SDK once it is loaded: a configured client and the SDK's error translation. */
export interface ProviderSdk<Client> {
  readonly client: Client;
  /** The SDK's errors (and anything else thrown during a call) as an {@link EngineError}. */
  toEngineError(err: unknown, deadline: CallDeadline): EngineError;
}

/**
 * A provider SDK loaded on the adapter's first call, not when the adapter is imported or made: a
 * host that configures one provider never loads the others' SDKs (each costs 50–350 ms and
 * hundreds of files at start-up). Concurrent first calls share one load; after it, `loaded` is set
 * and calls take it without an `await`.
 */
export class LazySdk<Sdk extends ProviderSdk<unknown>> {
  /** The SDK and client of the latest load, once it finished (for an adapter with a fixed key, the only one). */
  loaded: Sdk | undefined;
  private loadedKey: string | undefined;
  private loading: { key: string; promise: Promise<Sdk> } | undefined;

  /** The fixed key; undefined when keys come from a rotating {@link Credential}. */
  private readonly fixedKey: string | undefined;
  /** Where keys come from when they rotate; undefined for a fixed key. */
  readonly credential: Credential | undefined;

  /**
   * @param provider - the provider name, for the error when the SDK cannot be loaded
   * @param packageName - the SDK's npm package, named in that error
   * @param apiKey - the adapter's key, fixed or a {@link Credential} asked on every call
   * @param open - imports the adapter's SDK module and builds a client for the key
   */
  constructor(
    private readonly provider: string,
    private readonly packageName: string,
    apiKey: string | Credential,
    private readonly open: (apiKey: string) => Promise<Sdk>,
  ) {
    this.fixedKey = typeof apiKey === 'string' ? apiKey : undefined;
    this.credential = typeof apiKey === 'string' ? undefined : apiKey;
  }

  /** The client for `key` (the fixed key when undefined) if it is loaded already: calls take it without an `await`. */
  ready(key: string | undefined): Sdk | undefined {
    return key === undefined || key === this.loadedKey ? this.loaded : undefined;
  }

  /** The client for the key of this moment (batch calls, which take the key when they are made). */
  current(): Promise<Sdk> {
    if (this.credential === undefined) return this.load();
    return Promise.resolve(this.credential.current()).then((key) => this.load(key));
  }

  /** Loads the SDK and builds the client now (see `EngineAdapter.warmUp`); undefined once loaded. */
  warmUp(): Promise<void> | undefined {
    return this.loaded ? undefined : this.current().then(() => undefined);
  }

  /**
   * One call with the key: the fixed one (`attempt(undefined)`), or the credential's, asked once
   * for a fresh key after an `auth` refusal ({@link callWithFreshKey}).
   */
  call<T>(attempt: (key: string | undefined) => Promise<T>): Promise<T> {
    return this.credential === undefined ? attempt(undefined) : callWithFreshKey(this.credential, attempt);
  }

  /** {@link LazySdk.call} for a stream; with a fixed key the adapter's own generator, with no layer added. */
  stream<T>(attempt: (key: string | undefined) => AsyncIterable<T>): AsyncIterable<T> {
    return this.credential === undefined ? attempt(undefined) : streamWithFreshKey(this.credential, attempt);
  }

  /**
   * Loads the SDK (once), builds the client for `key` (the fixed key when undefined) and readies Node's `fetch` (see
   * {@link warmFetch}); the same key again gives the same client, a new key (a rotation) a new
   * client, while calls in flight keep theirs.
   */
  load(key?: string): Promise<Sdk> {
    const apiKey = key ?? this.fixedKey!;
    if (this.loaded !== undefined && this.loadedKey === apiKey) return Promise.resolve(this.loaded);
    if (this.loading?.key === apiKey) return this.loading.promise;
    const promise: Promise<Sdk> = this.open(apiKey).then(
      async (sdk) => {
        await warmFetch();
        if (this.loading?.promise === promise) this.loading = undefined;
        this.loaded = sdk;
        this.loadedKey = apiKey;
        return sdk;
      },
      (err: unknown) => {
        // Let a later call try again (e.g. after the package was installed).
        if (this.loading?.promise === promise) this.loading = undefined;
        const reason = err instanceof Error ? err.message : String(err);
        throw new EngineError('invalid_request', `${this.provider}: the SDK \`${this.packageName}\` could not be loaded (${reason}); install it next to @sdl/adapters`, {
          provider: this.provider,
          cause: err,
        });
      },
    );
    this.loading = { key: apiKey, promise };
    return promise;
  }
}

let fetchWarm: Promise<void> | undefined;

/**
 * Node builds its `fetch` machinery (undici) on the first call, 50–300 ms on a busy machine; every
 * SDK here sends through it. A `data:` URL goes through that machinery without any network, so
 * the first real request leaves at once (measured: a first network fetch after it took 0.4–4 ms
 * instead of 80–175 ms). The rate limiter counts on a granted call being sent without such a lag.
 */
function warmFetch(): Promise<void> {
  fetchWarm ??= fetch('data:,')
    .then((r) => r.arrayBuffer())
    .then(
      () => undefined,
      () => undefined,
    );
  return fetchWarm;
}
