/**
 * The one interface the runtime uses for conversation memory, run snapshots and small keyed
 * values, whichever backend holds them (memory, a directory, Redis).
 */
import type { JsonValue, Message } from '@sdl/adapters';

/** A turn as the runtime hands it to a store. */
export interface TurnInput {
  message: Message;
  /** The engine (config name) that produced or received the turn. */
  engine?: string;
  /** Epoch milliseconds; the store's clock when omitted. */
  at?: number;
}

/** A stored turn. */
export interface SessionTurn {
  /** 1-based position in the whole conversation; stays stable when older turns are trimmed. */
  seq: number;
  message: Message;
  engine?: string;
  /** Epoch milliseconds. */
  at: number;
}

/** A conversation as read from a store. */
export interface Session {
  id: string;
  /** The retained window, oldest first (at most the last `maxTurns` appended). */
  turns: SessionTurn[];
  /** Total number of turns ever appended (trimmed ones included); the optimistic-concurrency token. */
  version: number;
  /** Epoch milliseconds after which the session is gone, or `undefined` when it never expires. */
  expiresAt?: number;
}

/** Options of {@link StateStore.appendTurns}: window size, time to live and optimistic concurrency. */
export interface AppendOptions {
  /** Keep only the last `maxTurns` turns (a positive integer); unbounded when omitted. */
  maxTurns?: number;
  /** Time to live in ms, refreshed by every append; the session never expires when omitted. */
  ttlMs?: number;
  /**
   * Append only if the session's `version` is still this (0 for a new session); otherwise throw
   * `StateConflictError` and append nothing.
   */
  expectedVersion?: number;
}

/** What {@link StateStore.appendTurns} reports after a successful append. */
export interface AppendResult {
  /** The session's version after the append. */
  version: number;
  /** How many turns the session retains after trimming. */
  length: number;
}

/** A run snapshot or keyed value as read back. */
export interface StoredValue<T = JsonValue> {
  value: T;
  /** Epoch milliseconds of the write. */
  savedAt: number;
  expiresAt?: number;
}

/** Options of {@link StateStore.putSnapshot} and {@link StateStore.set}. */
export interface PutOptions {
  /** Time to live in ms; kept until deleted when omitted. */
  ttlMs?: number;
}

/** Time for TTLs; any object with `now()` (e.g. the runtime's `Clock` or a test's fake clock). */
export interface StateClock {
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * Conversation sessions, run snapshots and namespaced values behind one interface.
 *
 * Guarantees every implementation keeps (and the shared test suite checks): appends are atomic
 * (concurrent appends never lose or duplicate a turn), trimming and TTL refresh happen in the same
 * atomic step, expired data is never returned, and a record whose CRC32 does not match is never
 * returned (a `StateCorruptionError` is thrown instead).
 */
export interface StateStore {
  /** `memory`, `file` or `redis`. */
  readonly kind: string;

  /** Appends turns atomically, trims to `maxTurns`, refreshes the TTL. */
  appendTurns(sessionId: string, turns: readonly TurnInput[], options?: AppendOptions): Promise<AppendResult>;
  /** The session, or `undefined` when it does not exist or has expired. */
  getSession(sessionId: string): Promise<Session | undefined>;
  /** Deletes a session; `true` when there was one. */
  deleteSession(sessionId: string): Promise<boolean>;

  /** Saves a run's state (replacing any earlier snapshot of the same run). */
  putSnapshot(runId: string, snapshot: JsonValue, options?: PutOptions): Promise<void>;
  /** The run's last snapshot, or `undefined` when there is none or it has expired. */
  getSnapshot(runId: string): Promise<StoredValue | undefined>;
  /** Deletes a run's snapshot; `true` when there was one. */
  deleteSnapshot(runId: string): Promise<boolean>;

  /** Small namespaced values (e.g. per-session cost totals). */
  set(namespace: string, key: string, value: JsonValue, options?: PutOptions): Promise<void>;
  /** The value stored under `namespace`/`key`, or `undefined` when absent or expired. */
  get(namespace: string, key: string): Promise<StoredValue | undefined>;
  /** Deletes one namespaced value; `true` when there was one. */
  delete(namespace: string, key: string): Promise<boolean>;

  /** Releases connections, timers and locks held by this instance. */
  close(): Promise<void>;
}
