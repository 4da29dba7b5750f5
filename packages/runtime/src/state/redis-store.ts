/**
 * The shared store: Redis via ioredis, for many processes serving one application. A session is a
 * list of framed turns plus a version counter; one Lua script appends, trims to `maxTurns`, bumps
 * the version and refreshes the TTL (PEXPIRE) atomically, so concurrent appends from any number
 * of processes never lose or duplicate a turn. Keys carry a hash tag so a session's keys share a
 * Redis Cluster slot.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { JsonValue } from '@sdl/adapters';
import { StateConflictError, StateCorruptionError, StateValueError } from './errors.js';
import { assertIdentifier } from './keys.js';
import { decodeRecord, encodeRecord } from './record.js';
import { checkAppendOptions, checkTtl, numberTurns, parseTurnRecord, systemStateClock, toTurnRecord } from './turns.js';
import type { TurnRecord } from './turns.js';
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
}

/** The Redis keys holding one session. */
export interface SessionKeys {
  /** A list of framed turns, oldest first. */
  turns: string;
  /** The session version (total turns appended), a decimal integer. */
  version: string;
}

// KEYS: turns, version. ARGV: maxTurns (0 = unbounded), ttlMs (0 = none), expectedVersion (-1 = any), frames...
// Returns {1, version, length} or {0, actualVersion} on a version conflict.
const APPEND_SCRIPT = `
local raw = redis.call('GET', KEYS[2])
local version = 0
if raw then
  version = tonumber(raw)
  if not version then return redis.error_reply('SDL_BAD_VERSION') end
else
  redis.call('DEL', KEYS[1])
end
local expected = tonumber(ARGV[3])
if expected >= 0 and expected ~= version then return {0, version} end
local n = #ARGV - 3
local i = 4
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

/** Shared {@link StateStore} on Redis (see `spec/state.md` for the key layout). */
export class RedisStore implements StateStore {
  readonly kind = 'redis';
  readonly prefix: string;
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly clock: StateClock;
  private readonly quarantine: boolean;
  private readonly quarantineTtlMs: number;

  constructor(options: RedisStoreOptions) {
    this.ownsConnection = typeof options.redis === 'string';
    this.redis = typeof options.redis === 'string' ? new Redis(options.redis) : options.redis;
    this.prefix = options.prefix ?? 'sdl:';
    this.clock = options.clock ?? systemStateClock;
    this.quarantine = options.quarantine ?? true;
    this.quarantineTtlMs = options.quarantineTtlMs ?? 7 * 24 * 60 * 60 * 1000;
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
    const frames = turns.map((t, i) => encodeRecord(toTurnRecord(t, this.clock, i)));
    const args = [String(options.maxTurns ?? 0), String(options.ttlMs ?? 0), String(options.expectedVersion ?? -1), ...frames];
    let reply: number[];
    try {
      reply = (await this.evalScript([keys.turns, keys.version], args)) as number[];
    } catch (err) {
      if (err instanceof Error && err.message.includes('SDL_BAD_VERSION')) {
        throw await this.quarantineSession(sessionId, keys, this.badVersion(sessionId, keys));
      }
      throw err;
    }
    if (reply[0] === 0) throw new StateConflictError(sessionId, options.expectedVersion ?? -1, Number(reply[1]));
    return { version: Number(reply[1]), length: Number(reply[2]) };
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const keys = this.sessionKeys(sessionId);
    const results = await this.redis.multi().get(keys.version).lrange(keys.turns, 0, -1).pttl(keys.version).exec();
    if (!results) throw new Error(`reading session ${sessionId} from Redis was aborted`);
    for (const [err] of results) if (err) throw err;
    const [rawVersion, frames, pttl] = results.map(([, value]) => value) as [string | null, string[], number];
    if (rawVersion === null) return undefined;
    if (!/^\d+$/.test(rawVersion)) throw await this.quarantineSession(sessionId, keys, this.badVersion(sessionId, keys));
    const version = Number(rawVersion);
    let records: TurnRecord[];
    try {
      records = frames.map((frame, i) => {
        const origin = { key: `session:${sessionId}`, location: `redis ${keys.turns}[${i}]` };
        return parseTurnRecord(decodeRecord(frame, origin), origin);
      });
    } catch (err) {
      if (err instanceof StateCorruptionError) throw await this.quarantineSession(sessionId, keys, err);
      throw err;
    }
    const session: Session = { id: sessionId, turns: numberTurns(records, version), version };
    if (pttl > 0) session.expiresAt = this.clock.now() + pttl;
    return session;
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    const keys = this.sessionKeys(sessionId);
    const deleted = await this.redis.del(keys.version, keys.turns);
    return deleted > 0;
  }

  async putSnapshot(runId: string, snapshot: JsonValue, options?: PutOptions): Promise<void> {
    return this.putValue(this.snapshotKey(runId), snapshot, options);
  }

  async getSnapshot(runId: string): Promise<StoredValue | undefined> {
    return this.getValue(`snapshot:${runId}`, this.snapshotKey(runId));
  }

  async deleteSnapshot(runId: string): Promise<boolean> {
    return (await this.redis.del(this.snapshotKey(runId))) > 0;
  }

  async set(namespace: string, key: string, value: JsonValue, options?: PutOptions): Promise<void> {
    return this.putValue(this.valueKey(namespace, key), value, options);
  }

  async get(namespace: string, key: string): Promise<StoredValue | undefined> {
    return this.getValue(`kv:${namespace}/${key}`, this.valueKey(namespace, key));
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return (await this.redis.del(this.valueKey(namespace, key))) > 0;
  }

  /** Closes the connection if the store opened it. */
  async close(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async putValue(redisKey: string, value: JsonValue, options: PutOptions = {}): Promise<void> {
    checkTtl(options);
    const frame = encodeRecord({ savedAt: this.clock.now(), value });
    if (options.ttlMs !== undefined) await this.redis.set(redisKey, frame, 'PX', options.ttlMs);
    else await this.redis.set(redisKey, frame);
  }

  private async getValue(logicalKey: string, redisKey: string): Promise<StoredValue | undefined> {
    const results = await this.redis.multi().get(redisKey).pttl(redisKey).exec();
    if (!results) throw new Error(`reading ${logicalKey} from Redis was aborted`);
    for (const [err] of results) if (err) throw err;
    const [frame, pttl] = results.map(([, value]) => value) as [string | null, number];
    if (frame === null) return undefined;
    const origin = { key: logicalKey, location: `redis ${redisKey}` };
    let decoded: { savedAt?: unknown; value?: JsonValue };
    try {
      decoded = decodeRecord(frame, origin) as typeof decoded;
      if (typeof decoded !== 'object' || decoded === null || typeof decoded.savedAt !== 'number' || !('value' in decoded)) {
        throw new StateCorruptionError(logicalKey, origin.location, undefined, undefined, 'the record is not a stored value');
      }
    } catch (err) {
      if (err instanceof StateCorruptionError && this.quarantine) {
        const dest = this.quarantineKey(redisKey);
        await this.redis.multi().rename(redisKey, dest).pexpire(dest, this.quarantineTtlMs).exec();
        throw err.quarantined(`redis ${dest}`);
      }
      throw err;
    }
    const stored: StoredValue = { value: decoded.value as JsonValue, savedAt: decoded.savedAt as number };
    if (pttl > 0) stored.expiresAt = this.clock.now() + pttl;
    return stored;
  }

  private badVersion(sessionId: string, keys: SessionKeys): StateCorruptionError {
    return new StateCorruptionError(`session:${sessionId}`, `redis ${keys.version}`, undefined, undefined, 'the version counter is not an integer');
  }

  /** Moves a corrupt session's keys aside (same hash slot) so it is never read again. */
  private async quarantineSession(sessionId: string, keys: SessionKeys, err: StateCorruptionError): Promise<StateCorruptionError> {
    if (!this.quarantine) return err;
    const dest = this.quarantineKey(keys.turns);
    const tx = this.redis.multi();
    // RENAME fails when the list is absent (only the counter was bad); the EXEC still applies the rest.
    tx.rename(keys.turns, dest).pexpire(dest, this.quarantineTtlMs).del(keys.version);
    await tx.exec();
    return err.quarantined(`redis ${dest}`);
  }

  /** `<prefix>quarantine:<rest of the key>:<time>`, keeping the hash tag of the original key. */
  private quarantineKey(redisKey: string): string {
    return `${this.prefix}quarantine:${redisKey.slice(this.prefix.length)}:${Date.now()}`;
  }

  private async evalScript(keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(APPEND_SHA, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(APPEND_SCRIPT, keys.length, ...keys, ...args);
    }
  }
}
