/**
 * The shared store: Redis via ioredis, for many processes serving one application. A session is a
 * list of framed turns plus a version counter; one Lua script appends, trims to `maxTurns`, bumps
 * the version and refreshes the TTL (PEXPIRE) atomically, so concurrent appends from any number
 * of processes never lose or duplicate a turn. Keys carry a hash tag so a session's keys share a
 * Redis Cluster slot. Every turn is framed with its session and position inside the CRC; the
 * script commits an append only if the session is still at the version the frames were numbered
 * for (otherwise the store renumbers them and retries), so a frame can only ever sit at its own
 * position. Every command has a deadline: with Redis down an operation fails within `timeoutMs`
 * with a {@link StateUnavailableError} naming the address, and a connection the store owns never
 * emits unhandled `error` events.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import type { Redis } from 'ioredis';
import type { JsonValue } from '@sdl/adapters';
import { redisAddress } from './redis-address.js';
import { StateConflictError, StateCorruptionError, StateError, StateUnavailableError, StateValueError } from './errors.js';
import { assertIdentifier } from './keys.js';
import { decodeRecord, encodeRecord } from './record.js';
import { bindTurns, checkAppendOptions, checkTtl, numberTurns, parseWindow, systemStateClock, toTurnDraft } from './turns.js';
import type { TurnRecord } from './turns.js';
import { parseValueRecord, toValueRecord } from './value-record.js';
import type {
  AppendOptions,
  AppendResult,
  PutOptions,
  Session,
  StateClock,
  StateStore,
  StoredValue,
  TurnInput,
} from './types.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** An ioredis client (left open by `close()`), or a `redis://` URL (connection owned by the store). */
  redis: Redis | string;
  /** Prepended to every key (default `sdl:`); gives each application or test run its own namespace. */
  prefix?: string;
  /** Time source for turn timestamps; TTLs are enforced by Redis itself. */
  clock?: StateClock;
  /** Rename corrupt records to `<prefix>quarantine:...` keys instead of leaving them (default `true`). */
  quarantine?: boolean;
  /** How long quarantined records are kept (default 7 days). */
  quarantineTtlMs?: number;
  /**
   * The most one operation may take, connecting included, before it fails with
   * {@link StateUnavailableError} (default 2 000 ms).
   */
  timeoutMs?: number;
}

/** The Redis keys holding one session. */
export interface SessionKeys {
  /** A list of framed turns, oldest first. */
  turns: string;
  /** The session version (total turns appended), a decimal integer. */
  version: string;
}

// KEYS: turns, version. ARGV: maxTurns (0 = unbounded), ttlMs (0 = none), expectedVersion (-1 = any),
// base (the version the frames were numbered for), frames...
// Returns {1, version, length}; {0, actualVersion} on an expectedVersion conflict; {2, actualVersion}
// when the session moved past `base` (the caller renumbers and retries).
const APPEND_SCRIPT = `
local raw = redis.call('GET', KEYS[2])
local version = 0
if raw then
  version = tonumber(raw)
  if not version or version < 0 or version % 1 ~= 0 then return redis.error_reply('SDL_BAD_VERSION') end
  if redis.call('LLEN', KEYS[1]) > version then return redis.error_reply('SDL_SHORT_VERSION') end
else
  redis.call('DEL', KEYS[1])
end
local expected = tonumber(ARGV[3])
if expected >= 0 and expected ~= version then return {0, version} end
if tonumber(ARGV[4]) ~= version then return {2, version} end
local n = #ARGV - 4
local i = 5
while i <= #ARGV do
  local j = math.min(i + 999, #ARGV)
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, j))
  i = j + 1
end
local maxTurns = tonumber(ARGV[1])
if maxTurns > 0 then redis.call('LTRIM', KEYS[1], -maxTurns, -1) end
version = version + n
redis.call('SET', KEYS[2], version)
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  redis.call('PERSIST', KEYS[1])
end
return {1, version, redis.call('LLEN', KEYS[1])}
`;

const APPEND_SHA = createHash('sha1').update(APPEND_SCRIPT).digest('hex');
/** Renumber-and-retry rounds before an append gives up (only other processes' appends cause them). */
const MAX_APPEND_ATTEMPTS = 100;
/** Sessions whose last known version is kept as the first guess of the next append. */
const VERSION_HINTS = 1000;


/**
 * Opens an ioredis connection. ioredis (CommonJS) is required here, on first use, rather than
 * imported at the top: importing `@sdl/runtime` must not load it for hosts that keep state elsewhere.
 */
function connect(url: string, options: import('ioredis').RedisOptions): Redis {
  const { Redis: Client } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  return new Client(url, options);
}

/** Shared {@link StateStore} on Redis (see `spec/state.md` for the key layout). */
export class RedisStore implements StateStore {
  readonly kind = 'redis';
  readonly prefix: string;
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly clock: StateClock;
  private readonly quarantine: boolean;
  private readonly quarantineTtlMs: number;
  private readonly timeoutMs: number;
  /** `host:port` for error messages. */
  readonly address: string;
  /** The connection error ioredis reported last (owned connections only), for error messages. */
  private lastConnectionError: Error | undefined;
  private readonly appendChains = new Map<string, Promise<unknown>>();
  private readonly versionHints = new Map<string, number>();

  constructor(options: RedisStoreOptions) {
    this.ownsConnection = typeof options.redis === 'string';
    this.timeoutMs = options.timeoutMs ?? 2000;
    if (!(Number.isSafeInteger(this.timeoutMs) && this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive integer, got ${String(options.timeoutMs)}`);
    if (typeof options.redis === 'string') {
      this.redis = connect(options.redis, {
        connectTimeout: this.timeoutMs,
        // Commands are never queued while disconnected: `command()` waits for the connection itself
        // (up to the deadline) and a lost connection fails the command at once.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(times * 100, 1000),
      });
      // Without a listener ioredis prints every failed reconnect as an unhandled error event; the
      // store reports the failure to the caller of the operation instead.
      this.redis.on('error', (err: Error) => {
        this.lastConnectionError = err;
      });
    } else {
      this.redis = options.redis;
    }
    this.address = redisAddress(this.redis);
    // The client's options hold the password: neither it nor the store prints more than the address.
    if (this.ownsConnection) {
      const text = () => `[Redis client ${this.address}]`;
      for (const key of [inspect.custom, 'toJSON', 'toString']) Object.defineProperty(this.redis, key, { value: text, configurable: true, writable: true });
    }
    this.prefix = options.prefix ?? 'sdl:';
    this.clock = options.clock ?? systemStateClock;
    this.quarantine = options.quarantine ?? true;
    this.quarantineTtlMs = options.quarantineTtlMs ?? 7 * 24 * 60 * 60 * 1000;
  }

  /** `RedisStore { address, prefix }`: what `util.inspect` and `console.log` show (never the password). */
  [inspect.custom](): string {
    return this.toString();
  }

  /** The address and prefix only (the connection's options hold the password). */
  toJSON(): { RedisStore: { address: string; prefix: string } } {
    return { RedisStore: { address: this.address, prefix: this.prefix } };
  }

  /** `RedisStore { address: '127.0.0.1:6379', prefix: 'sdl:' }`. */
  toString(): string {
    return `RedisStore ${inspect({ address: this.address, prefix: this.prefix }, { breakLength: Infinity })}`;
  }

  /** Where a session lives, for operators and tests. */
  sessionKeys(sessionId: string): SessionKeys {
    assertIdentifier('session id', sessionId);
    const tagged = `${this.prefix}session:{${sessionId}}`;
    return { turns: `${tagged}:turns`, version: `${tagged}:version` };
  }

  /** The key of a run snapshot. */
  snapshotKey(runId: string): string {
    assertIdentifier('run id', runId);
    return `${this.prefix}snapshot:{${runId}}`;
  }

  /** The key of a namespaced value. */
  valueKey(namespace: string, key: string): string {
    assertIdentifier('namespace', namespace);
    assertIdentifier('key', key);
    return `${this.prefix}kv:{${namespace}/${key}}`;
  }

  async appendTurns(sessionId: string, turns: readonly TurnInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const keys = this.sessionKeys(sessionId);
    checkAppendOptions(options);
    if (!Array.isArray(turns)) throw new StateValueError('turns must be an array');
    const drafts = turns.map((t, i) => toTurnDraft(t, this.clock, i));
    // This process's appends to one session go one at a time, so they never make each other retry.
    const previous = this.appendChains.get(sessionId) ?? Promise.resolve();
    const mine = previous.then(
      () => this.appendNumbered(sessionId, keys, drafts, options),
      () => this.appendNumbered(sessionId, keys, drafts, options),
    );
    this.appendChains.set(sessionId, mine);
    try {
      return await mine;
    } finally {
      if (this.appendChains.get(sessionId) === mine) this.appendChains.delete(sessionId);
    }
  }

  private async appendNumbered(
    sessionId: string,
    keys: SessionKeys,
    drafts: ReturnType<typeof toTurnDraft>[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    let base = options.expectedVersion ?? this.versionHints.get(sessionId) ?? 0;
    for (let attempt = 1; ; attempt++) {
      const frames = bindTurns(drafts, sessionId, base + 1).map(encodeRecord);
      const args = [String(options.maxTurns ?? 0), String(options.ttlMs ?? 0), String(options.expectedVersion ?? -1), String(base), ...frames];
      let reply: number[];
      try {
        reply = (await this.evalScript(`appendTurns(${sessionId})`, [keys.turns, keys.version], args)) as number[];
      } catch (err) {
        if (err instanceof Error && /SDL_(BAD|SHORT)_VERSION/.test(err.message)) {
          const short = err.message.includes('SDL_SHORT_VERSION');
          throw await this.quarantineSession(sessionId, keys, this.badVersion(sessionId, keys, short));
        }
        throw err;
      }
      const [status, version] = [Number(reply[0]), Number(reply[1])];
      if (status === 0) throw new StateConflictError(sessionId, options.expectedVersion ?? -1, version);
      if (status === 1) {
        this.rememberVersion(sessionId, version);
        return { version, length: Number(reply[2]) };
      }
      if (attempt >= MAX_APPEND_ATTEMPTS) {
        throw new StateError(
          `appending to session ${sessionId} in Redis at ${this.address} gave up after ${attempt} attempts: ` +
            'other processes kept appending to it first; retry later',
        );
      }
      base = version; // another process appended first: renumber for its version and retry
    }
  }

  private rememberVersion(sessionId: string, version: number): void {
    this.versionHints.delete(sessionId);
    this.versionHints.set(sessionId, version);
    if (this.versionHints.size > VERSION_HINTS) this.versionHints.delete(this.versionHints.keys().next().value!);
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const keys = this.sessionKeys(sessionId);
    const results = await this.command(`getSession(${sessionId})`, () =>
      this.redis.multi().get(keys.version).lrange(keys.turns, 0, -1).pttl(keys.version).exec(),
    );
    if (!results) throw new StateError(`reading session ${sessionId} from Redis at ${this.address} was aborted`);
    for (const [err] of results) if (err) throw err;
    const [rawVersion, frames, pttl] = results.map(([, value]) => value) as [string | null, string[], number];
    if (rawVersion === null) return undefined;
    if (!/^\d+$/.test(rawVersion)) throw await this.quarantineSession(sessionId, keys, this.badVersion(sessionId, keys, false));
    const version = Number(rawVersion);
    let records: TurnRecord[];
    try {
      records = parseWindow(frames, version, sessionId, (frame, i) => {
        const origin = { key: `session:${sessionId}`, location: `redis ${keys.turns}[${i}]` };
        return { value: decodeRecord(frame, origin), origin };
      });
    } catch (err) {
      if (err instanceof StateCorruptionError) throw await this.quarantineSession(sessionId, keys, err);
      throw err;
    }
    this.rememberVersion(sessionId, version);
    const session: Session = { id: sessionId, turns: numberTurns(records), version };
    if (pttl > 0) session.expiresAt = this.clock.now() + pttl;
    return session;
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    const keys = this.sessionKeys(sessionId);
    const deleted = await this.command(`deleteSession(${sessionId})`, () => this.redis.del(keys.version, keys.turns));
    return deleted > 0;
  }

  async putSnapshot(runId: string, snapshot: JsonValue, options?: PutOptions): Promise<void> {
    return this.putValue(`putSnapshot(${runId})`, `snapshot:${runId}`, this.snapshotKey(runId), snapshot, options);
  }

  async getSnapshot(runId: string): Promise<StoredValue | undefined> {
    return this.getValue(`getSnapshot(${runId})`, `snapshot:${runId}`, this.snapshotKey(runId));
  }

  async deleteSnapshot(runId: string): Promise<boolean> {
    const key = this.snapshotKey(runId);
    return (await this.command(`deleteSnapshot(${runId})`, () => this.redis.del(key))) > 0;
  }

  async set(namespace: string, key: string, value: JsonValue, options?: PutOptions): Promise<void> {
    return this.putValue(`set(${namespace}, ${key})`, `kv:${namespace}/${key}`, this.valueKey(namespace, key), value, options);
  }

  async get(namespace: string, key: string): Promise<StoredValue | undefined> {
    return this.getValue(`get(${namespace}, ${key})`, `kv:${namespace}/${key}`, this.valueKey(namespace, key));
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const redisKey = this.valueKey(namespace, key);
    return (await this.command(`delete(${namespace}, ${key})`, () => this.redis.del(redisKey))) > 0;
  }

  /** Closes the connection if the store opened it. */
  async close(): Promise<void> {
    if (!this.ownsConnection) return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect(); // not connected: nothing to flush, and QUIT would wait for a reconnect
  }

  private async putValue(operation: string, logicalKey: string, redisKey: string, value: JsonValue, options: PutOptions = {}): Promise<void> {
    checkTtl(options);
    const frame = encodeRecord(toValueRecord(logicalKey, this.clock.now(), value));
    await this.command(operation, () =>
      options.ttlMs !== undefined ? this.redis.set(redisKey, frame, 'PX', options.ttlMs) : this.redis.set(redisKey, frame),
    );
  }

  private async getValue(operation: string, logicalKey: string, redisKey: string): Promise<StoredValue | undefined> {
    const results = await this.command(operation, () => this.redis.multi().get(redisKey).pttl(redisKey).exec());
    if (!results) throw new StateError(`reading ${logicalKey} from Redis at ${this.address} was aborted`);
    for (const [err] of results) if (err) throw err;
    const [frame, pttl] = results.map(([, value]) => value) as [string | null, number];
    if (frame === null) return undefined;
    const origin = { key: logicalKey, location: `redis ${redisKey}` };
    let decoded: { savedAt: number; value: JsonValue };
    try {
      decoded = parseValueRecord(decodeRecord(frame, origin), origin, logicalKey);
    } catch (err) {
      if (err instanceof StateCorruptionError && this.quarantine) {
        const dest = this.quarantineKey(redisKey);
        await this.command(`quarantine(${logicalKey})`, () => this.redis.multi().rename(redisKey, dest).pexpire(dest, this.quarantineTtlMs).exec());
        throw err.quarantined(`redis ${dest}`);
      }
      throw err;
    }
    const stored: StoredValue = { value: decoded.value, savedAt: decoded.savedAt };
    if (pttl > 0) stored.expiresAt = this.clock.now() + pttl;
    return stored;
  }

  private badVersion(sessionId: string, keys: SessionKeys, short: boolean): StateCorruptionError {
    const reason = short ? 'the version counter is smaller than the list of turns' : 'the version counter is not an integer';
    return new StateCorruptionError(`session:${sessionId}`, `redis ${keys.version}`, undefined, undefined, reason);
  }

  /**
   * Runs one Redis operation with the store's deadline. Connection failures, timeouts and
   * aborted commands become {@link StateUnavailableError} naming the address; Redis' own replies
   * (errors of a script, a wrong type) are passed through.
   */
  private async command<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    const attempt = (this.ownsConnection ? this.connected().then(run) : run()) as Promise<T>;
    attempt.catch(() => undefined); // settles after the deadline won: nothing left to report to
    try {
      return await Promise.race([attempt, deadline]);
    } catch (err) {
      if (err instanceof Error && err.name === 'ReplyError') throw err;
      const cause = this.lastConnectionError ?? err;
      throw new StateUnavailableError(this.address, operation, Date.now() - started, cause instanceof Error ? cause.message : String(cause));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Moves a corrupt session's keys aside (same hash slot) so it is never read again. */
  private async quarantineSession(sessionId: string, keys: SessionKeys, err: StateCorruptionError): Promise<StateCorruptionError> {
    if (!this.quarantine) return err;
    const dest = this.quarantineKey(keys.turns);
    // RENAME fails when the list is absent (only the counter was bad); the EXEC still applies the rest.
    await this.command(`quarantine(session ${sessionId})`, () =>
      this.redis.multi().rename(keys.turns, dest).pexpire(dest, this.quarantineTtlMs).del(keys.version).exec(),
    );
    return err.quarantined(`redis ${dest}`);
  }

  /** `<prefix>quarantine:<rest of the key>:<time>`, keeping the hash tag of the original key. */
  private quarantineKey(redisKey: string): string {
    return `${this.prefix}quarantine:${redisKey.slice(this.prefix.length)}:${Date.now()}`;
  }

  /**
   * Resolves once the owned connection is ready; rejects with the next connection error (so with
   * Redis down a command fails at the next failed connection attempt, not only at the deadline).
   */
  private connected(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    if (this.redis.status === 'end') return Promise.reject(new Error('the connection was closed'));
    return new Promise((resolve, reject) => {
      const settle = (err?: Error) => {
        this.redis.off('ready', onReady).off('error', onError).off('end', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => settle();
      const onError = (err: Error) => settle(err);
      const onEnd = () => settle(new Error('the connection was closed'));
      this.redis.once('ready', onReady).once('error', onError).once('end', onEnd);
    });
  }

  private async evalScript(operation: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.command(operation, () => this.redis.evalsha(APPEND_SHA, keys.length, ...keys, ...args));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.command(operation, () => this.redis.eval(APPEND_SCRIPT, keys.length, ...keys, ...args));
    }
  }
}
