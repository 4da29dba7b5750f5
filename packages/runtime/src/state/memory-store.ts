/**
 * The default store: everything in this process's memory. Records are kept framed (canonical JSON
 * + CRC32), exactly as the other stores keep them, so callers never share mutable objects with the
 * store and every read goes through the same integrity check.
 */
import type { JsonValue } from '@sdl/adapters';
import { StateConflictError, StateCorruptionError, StateValueError } from './errors.js';
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

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Time source for TTLs (default: `Date.now`). */
  clock?: StateClock;
  /** Expired entries are swept at most this often, during writes (default 60 000 ms). */
  sweepIntervalMs?: number;
}

interface SessionEntry {
  frames: string[];
  version: number;
  expiresAt?: number;
}

interface ValueEntry {
  frame: string;
  expiresAt?: number;
}

/** In-process {@link StateStore}; fast, not shared, gone when the process exits. */
export class MemoryStore implements StateStore {
  readonly kind = 'memory';
  private readonly clock: StateClock;
  private readonly sweepIntervalMs: number;
  private nextSweepAt: number;
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly values = new Map<string, ValueEntry>();

  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? systemStateClock;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.nextSweepAt = this.clock.now() + this.sweepIntervalMs;
  }

  /** How many sessions are held (expired ones not yet swept included). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  async appendTurns(sessionId: string, turns: readonly TurnInput[], options: AppendOptions = {}): Promise<AppendResult> {
    assertIdentifier('session id', sessionId);
    checkAppendOptions(options);
    if (!Array.isArray(turns)) throw new StateValueError('turns must be an array');
    // Check everything before touching the map: a bad turn leaves the session unchanged.
    const drafts = turns.map((t, i) => toTurnDraft(t, this.clock, i));
    const now = this.clock.now();
    this.maybeSweep(now);
    let entry = this.liveSession(sessionId, now);
    if (entry && entry.frames.length > entry.version) {
      // The counter no longer matches the turns (see parseWindow): refuse rather than renumber.
      this.sessions.delete(sessionId);
      throw new StateCorruptionError(
        `session:${sessionId}`,
        'memory',
        undefined,
        undefined,
        `the version counter (${entry.version}) is smaller than the ${entry.frames.length} retained turns`,
        'discarded',
      );
    }
    const version = entry?.version ?? 0;
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new StateConflictError(sessionId, options.expectedVersion, version);
    }
    const frames = bindTurns(drafts, sessionId, version + 1).map(encodeRecord);
    if (!entry) {
      entry = { frames: [], version: 0 };
      this.sessions.set(sessionId, entry);
    }
    entry.frames.push(...frames);
    entry.version += frames.length;
    if (options.maxTurns !== undefined && entry.frames.length > options.maxTurns) {
      entry.frames.splice(0, entry.frames.length - options.maxTurns);
    }
    if (options.ttlMs !== undefined) entry.expiresAt = now + options.ttlMs;
    else delete entry.expiresAt;
    return { version: entry.version, length: entry.frames.length };
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    assertIdentifier('session id', sessionId);
    const entry = this.liveSession(sessionId, this.clock.now());
    if (!entry) return undefined;
    const origin = { key: `session:${sessionId}`, location: 'memory' };
    let records: TurnRecord[];
    try {
      records = parseWindow(entry.frames, entry.version, sessionId, (f) => ({ value: decodeRecord(f, origin), origin }));
    } catch (err) {
      if (err instanceof StateCorruptionError) {
        this.sessions.delete(sessionId);
        throw err.quarantined('discarded');
      }
      throw err;
    }
    const session: Session = { id: sessionId, turns: numberTurns(records), version: entry.version };
    if (entry.expiresAt !== undefined) session.expiresAt = entry.expiresAt;
    return session;
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    assertIdentifier('session id', sessionId);
    const existed = this.liveSession(sessionId, this.clock.now()) !== undefined;
    this.sessions.delete(sessionId);
    return existed;
  }

  async putSnapshot(runId: string, snapshot: JsonValue, options?: PutOptions): Promise<void> {
    assertIdentifier('run id', runId);
    return this.putValue(`snapshot:${runId}`, snapshot, options);
  }

  async getSnapshot(runId: string): Promise<StoredValue | undefined> {
    assertIdentifier('run id', runId);
    return this.getValue(`snapshot:${runId}`);
  }

  async deleteSnapshot(runId: string): Promise<boolean> {
    assertIdentifier('run id', runId);
    return this.deleteValue(`snapshot:${runId}`);
  }

  async set(namespace: string, key: string, value: JsonValue, options?: PutOptions): Promise<void> {
    assertIdentifier('namespace', namespace);
    assertIdentifier('key', key);
    return this.putValue(`kv:${namespace}:${key}`, value, options);
  }

  async get(namespace: string, key: string): Promise<StoredValue | undefined> {
    assertIdentifier('namespace', namespace);
    assertIdentifier('key', key);
    return this.getValue(`kv:${namespace}:${key}`);
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    assertIdentifier('namespace', namespace);
    assertIdentifier('key', key);
    return this.deleteValue(`kv:${namespace}:${key}`);
  }

  /** Drops every expired session and value now; returns how many were dropped. */
  purgeExpired(): number {
    const now = this.clock.now();
    let dropped = 0;
    for (const map of [this.sessions, this.values] as Map<string, { expiresAt?: number }>[]) {
      for (const [key, entry] of map) {
        if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
          map.delete(key);
          dropped++;
        }
      }
    }
    return dropped;
  }

  async close(): Promise<void> {
    this.sessions.clear();
    this.values.clear();
  }

  private liveSession(sessionId: string, now: number): SessionEntry | undefined {
    const entry = this.sessions.get(sessionId);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= now) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return entry;
  }

  private async putValue(key: string, value: JsonValue, options: PutOptions = {}): Promise<void> {
    checkTtl(options);
    const now = this.clock.now();
    this.maybeSweep(now);
    const entry: ValueEntry = { frame: encodeRecord(toValueRecord(key, now, value)) };
    if (options.ttlMs !== undefined) entry.expiresAt = now + options.ttlMs;
    this.values.set(key, entry);
  }

  private async getValue(key: string): Promise<StoredValue | undefined> {
    const entry = this.values.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) {
      this.values.delete(key);
      return undefined;
    }
    let decoded: { savedAt: number; value: JsonValue };
    try {
      const origin = { key, location: 'memory' };
      decoded = parseValueRecord(decodeRecord(entry.frame, origin), origin, key);
    } catch (err) {
      if (err instanceof StateCorruptionError) {
        this.values.delete(key);
        throw err.quarantined('discarded');
      }
      throw err;
    }
    const stored: StoredValue = { value: decoded.value, savedAt: decoded.savedAt };
    if (entry.expiresAt !== undefined) stored.expiresAt = entry.expiresAt;
    return stored;
  }

  private async deleteValue(key: string): Promise<boolean> {
    const entry = this.values.get(key);
    this.values.delete(key);
    return entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > this.clock.now());
  }

  private maybeSweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.sweepIntervalMs;
    this.purgeExpired();
  }
}
