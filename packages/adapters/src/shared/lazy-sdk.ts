import { EngineError } from '../errors.js';
import { callWithFreshKey, streamWithFreshKey, type Credential } from './credential.js';
import type { CallDeadline } from './deadline.js';
import { REHEARSAL_KEY, rehearseOnLoopback } from './loopback-rehearsal.js';

/** What an adapter needs from its provider's SDK once it is loaded: a configured client and the SDK's error translation. */
export interface ProviderSdk<Client> {
  readonly client: Client;
  /** The SDK's errors (and anything else thrown during a call) as an {@link EngineError}. */
  toEngineError(err: unknown, deadline: CallDeadline): EngineError;
  /**
   * Sends one minimal request of the adapter's kind through this client; its outcome is ignored
   * ({@link LazySdk.warmUp} runs it on a client pointed at a loopback server).
   */
  rehearse(): Promise<unknown>;
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
   * @param open - imports the adapter's SDK module and builds a client for the key (and for another
   *   base URL than the adapter's when `baseURL` is given: the warm-up's loopback rehearsal)
   */
  constructor(
    private readonly provider: string,
    private readonly packageName: string,
    apiKey: string | Credential,
    private readonly open: (apiKey: string, baseURL?: string) => Promise<Sdk>,
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

  private warm = false;
  private warming: Promise<void> | undefined;

  /**
   * Gets ready to send at once (see `EngineAdapter.warmUp`): loads the SDK, builds the client and
   * rehearses one request on a loopback server ({@link rehearseOnLoopback}), so that the SDK's
   * request path and Node's `fetch` have run once before a rate-limit slot is taken. Undefined once
   * warm. Only the rate-limit stage asks for this: a call without limits does not wait for a rehearsal.
   */
  warmUp(): Promise<void> | undefined {
    if (this.warm) return undefined;
    this.warming ??= this.current()
      .then(() => rehearseOnLoopback(async (baseURL) => (await this.open(REHEARSAL_KEY, baseURL)).rehearse()))
      .then(
        () => {
          this.warm = true;
        },
        (err: unknown) => {
          this.warming = undefined; // not loaded (e.g. the SDK is missing): the call reports it; a later one tries again
          throw err;
        },
      );
    return this.warming;
  }

  /**
   * One call with the key: the fixed one (`attempt(arg, undefined)`), or the credential's, asked once
   * for a fresh key after an `auth` refusal ({@link callWithFreshKey}). `arg` is passed through so
   * that a call with a fixed key makes no closure.
   */
  call<A, T>(attempt: (arg: A, key: string | undefined) => Promise<T>, arg: A): Promise<T> {
    return this.credential === undefined ? attempt(arg, undefined) : callWithFreshKey(this.credential, (key) => attempt(arg, key));
  }

  /** {@link LazySdk.call} for a stream; with a fixed key the adapter's own stream, with no layer added. */
  stream<T>(attempt: (key: string | undefined) => AsyncIterable<T>): AsyncIterable<T> {
    return this.credential === undefined ? attempt(undefined) : streamWithFreshKey(this.credential, attempt);
  }

  /**
   * Loads the SDK (once) and builds the client for `key` (the fixed key when undefined); the same key again gives the same client, a new key (a rotation) a new
   * client, while calls in flight keep theirs.
   */
  load(key?: string): Promise<Sdk> {
    const apiKey = key ?? this.fixedKey!;
    if (this.loaded !== undefined && this.loadedKey === apiKey) return Promise.resolve(this.loaded);
    if (this.loading?.key === apiKey) return this.loading.promise;
    // The SDKs put the key in a header; undici's Headers rejects a value with a line break or NUL
    // inside, quoting the value (the key) in its message, which would end up in the EngineError.
    if (/[\r\n\0]/.test(apiKey.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, ''))) {
      return Promise.reject(new EngineError('auth', `${this.provider}: the API key contains a line break or NUL, which no HTTP header can carry (the key is not shown)`, { provider: this.provider }));
    }
    const promise: Promise<Sdk> = this.open(apiKey).then(
      (sdk) => {
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
