/**
 * Typed errors raised by the state stores. Each one says which record is affected and what the
 * caller can do about it; none of them carries record contents (they may hold personal data).
 */

/** Base class so hosts can catch every state-store failure with one `instanceof`. */
export class StateError extends Error {
  override name = 'StateError';
}

/**
 * A stored record failed its CRC32 check (or its framing is unreadable). The record is never
 * served; when the store quarantines corrupt records, `quarantinedTo` says where it was moved.
 */
export class StateCorruptionError extends StateError {
  override name = 'StateCorruptionError';
  constructor(
    /** The logical key, e.g. `session:user-42`. */
    readonly key: string,
    /** Where the bytes live: a file path, a Redis key, or `memory`. */
    readonly location: string,
    /** The CRC32 stored with the record (8 lowercase hex digits), or `undefined` when the header is unreadable. */
    readonly expectedCrc: string | undefined,
    /** The CRC32 computed over the stored payload, or `undefined` when the header is unreadable. */
    readonly actualCrc: string | undefined,
    /** A short description of what was wrong. */
    readonly reason: string,
    /**
     * What the store did with the record: a path or key it was moved to (kept for inspection, never
     * read again), `discarded`, or `undefined` when it was left in place.
     */
    readonly quarantinedTo?: string,
  ) {
    super(
      `state record ${key} at ${location} is corrupt: ${reason}` +
        (expectedCrc !== undefined ? ` (stored CRC32 ${expectedCrc}, computed ${actualCrc})` : '') +
        (quarantinedTo === 'discarded'
          ? '; it was discarded and will not be used'
          : quarantinedTo !== undefined
            ? `; it was moved to ${quarantinedTo} and will not be used`
            : '; it will not be used; delete it to start over'),
    );
  }

  /** The same error, recording what the store did with the record. */
  quarantined(to: string): StateCorruptionError {
    return new StateCorruptionError(this.key, this.location, this.expectedCrc, this.actualCrc, this.reason, to);
  }
}

/** A session id, snapshot id or key that a store refuses (it could escape the store's namespace). */
export class InvalidStateKeyError extends StateError {
  override name = 'InvalidStateKeyError';
  constructor(
    readonly kind: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(
      `${kind} ${JSON.stringify(key.length > 80 ? key.slice(0, 80) + '…' : key)} is not allowed: ${reason}. ` +
        'Use 1-128 characters from A-Z a-z 0-9 _ . : @ + = - starting with a letter, digit or _ ' +
        '(hash or encode other identifiers first).',
    );
  }
}

/** `appendTurns` was given `expectedVersion` and the session had moved on (optimistic concurrency). */
export class StateConflictError extends StateError {
  override name = 'StateConflictError';
  constructor(
    readonly sessionId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `session ${sessionId} is at version ${actualVersion}, not the expected ${expectedVersion}: ` +
        'another writer appended first; re-read the session and retry',
    );
  }
}

/** The file store could not take its cross-process lock in time. */
export class StateLockTimeoutError extends StateError {
  override name = 'StateLockTimeoutError';
  constructor(
    readonly lockPath: string,
    readonly waitedMs: number,
  ) {
    super(
      `could not lock ${lockPath} within ${waitedMs} ms: another process holds it; ` +
        'if no process is using the store, delete the lock file',
    );
  }
}

/** A value given to a store cannot be stored as JSON (NaN, a function, a cycle, a bigint...). */
export class StateValueError extends StateError {
  override name = 'StateValueError';
}

/**
 * A store's backend did not answer: Redis is down, unreachable or too slow. Raised within the
 * store's `timeoutMs` (default 2 s); says which address and operation, never credentials.
 */
export class StateUnavailableError extends StateError {
  override name = 'StateUnavailableError';
  constructor(
    /** `host:port` (or socket path) of the backend. */
    readonly address: string,
    /** The store operation that failed, e.g. `appendTurns(user-42)`. */
    readonly operation: string,
    /** How long the operation waited before failing (ms). */
    readonly waitedMs: number,
    /** What the client reported (e.g. `connect ECONNREFUSED 127.0.0.1:6399`). */
    readonly causeMessage: string,
  ) {
    super(
      `Redis at ${address} is unavailable: ${operation} failed after ${waitedMs} ms (${causeMessage}); ` +
        'check that Redis is running and that state.url points at it',
    );
  }
}
