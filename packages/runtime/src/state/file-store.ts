/**
 * An embedded, durable store in one directory. Every write goes to a temporary file that is
 * fsynced, renamed over the record (atomic on POSIX file systems) and followed by an fsync of the
 * directory, so a crash leaves either the old or the new record, never a torn one. Writers take an
 * in-process mutex and a cross-process lock file per record, so appends from many callers and many
 * processes serialize. Appends to one session that arrive while a write is in flight are committed
 * together (group commit): one lock, one read, one durable write for the batch, each append still
 * checked and answered on its own. Readers need no lock: they always see a whole record.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { JsonValue } from '@sdl/adapters';
import { StateConflictError, StateCorruptionError, StateValueError } from './errors.js';
import { removeCrashLeftovers } from './crash-leftovers.js';
import { acquireFileLock, breakIfStale, LockLostError } from './file-lock.js';
import type { FileLock } from './file-lock.js';
import { assertIdentifier, fileNameFor } from './keys.js';
import { decodeRecord, encodeRecord } from './record.js';
import type { RecordOrigin } from './record.js';
import { bindTurns, checkAppendOptions, checkTtl, numberTurns, parseWindow, systemStateClock, toTurnDraft } from './turns.js';
import type { TurnDraft, TurnRecord } from './turns.js';
import { parseValueRecord, toValueRecord } from './value-record.js';
import type { ValueRecord } from './value-record.js';
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

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** The store's directory (created when missing). Everything the store writes stays inside it. */
  dir: string;
  /** Time source for TTLs (default: `Date.now`). Lock staleness always uses real time. */
  clock?: StateClock;
  /** A lock file older than this is treated as abandoned (default 10 000 ms). */
  lockStaleMs?: number;
  /** How long a writer waits for a lock before `StateLockTimeoutError` (default 10 000 ms). */
  lockTimeoutMs?: number;
  /** Move corrupt records to `quarantine/` instead of leaving them in place (default `true`). */
  quarantine?: boolean;
}

interface SessionFile {
  id: string;
  version: number;
  expiresAt?: number;
  turns: TurnRecord[];
}

/** One caller's append waiting for its batch. */
interface PendingAppend {
  drafts: TurnDraft[];
  options: AppendOptions;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

/** One record's paths. */
interface Target {
  key: string;
  file: string;
  lock: string;
}

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;
/** Temp files whose writer pid still runs (maybe reused) are removed once older than this. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** Keeps file names under common NAME_MAX (255) even for long ids full of escaped characters. */
function safeName(identifier: string): string {
  const name = fileNameFor(identifier);
  return name.length <= 180 ? name : '~' + createHash('sha256').update(identifier).digest('hex');
}

/** Durable {@link StateStore} in one directory (see `spec/state.md` for the layout). */
export class FileStore implements StateStore {
  readonly kind = 'file';
  /** Absolute path of the store's directory. */
  readonly dir: string;
  private readonly clock: StateClock;
  private readonly lockOptions: { staleMs: number; timeoutMs: number };
  private readonly quarantine: boolean;
  private readonly madeDirs = new Map<string, Promise<unknown>>();
  private readonly mutexes = new Map<string, Promise<void>>();
  private readonly dirSyncs = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();
  /**
   * Counters for operators and benchmarks: appends acknowledged, and durable session writes that
   * committed them (fewer writes than appends is group commit at work).
   */
  readonly stats = { appends: 0, commits: 0 };
  /** Appends per session lock path that have not been picked up by a commit yet. */
  private readonly pendingAppends = new Map<string, PendingAppend[]>();

  constructor(options: FileStoreOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '') throw new TypeError('FileStore needs a `dir`');
    this.dir = path.resolve(options.dir);
    this.clock = options.clock ?? systemStateClock;
    this.lockOptions = { staleMs: options.lockStaleMs ?? 10_000, timeoutMs: options.lockTimeoutMs ?? 10_000 };
    this.quarantine = options.quarantine ?? true;
  }

  async appendTurns(sessionId: string, turns: readonly TurnInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const target = this.sessionTarget(sessionId);
    checkAppendOptions(options);
    if (!Array.isArray(turns)) throw new StateValueError('turns must be an array');
    const drafts = turns.map((t, i) => toTurnDraft(t, this.clock, i));
    return new Promise<AppendResult>((resolve, reject) => {
      const waiting = this.pendingAppends.get(target.lock);
      const append: PendingAppend = { drafts, options: { ...options }, resolve, reject };
      if (waiting) {
        waiting.push(append); // joins the batch that has not taken the lock yet
        return;
      }
      this.pendingAppends.set(target.lock, [append]);
      void this.commitAppends(target, sessionId);
    });
  }

  /**
   * Commits every append queued for the session when the lock is taken (those arriving later form
   * the next batch): one read, one durable write. Each append is applied in arrival order with
   * its own `expectedVersion`, `maxTurns` and `ttlMs`, exactly as if they had run one by one, and
   * is answered only after the write reached the disk.
   */
  private async commitAppends(target: Target, sessionId: string): Promise<void> {
    let batch: PendingAppend[] | undefined;
    const takeBatch = (): PendingAppend[] => {
      if (!batch) {
        batch = this.pendingAppends.get(target.lock) ?? [];
        this.pendingAppends.delete(target.lock);
      }
      return batch;
    };
    try {
      const outcomes = await this.withLock(target, async (lock) => {
        const appends = takeBatch();
        const now = this.clock.now();
        const current = await this.readLive<SessionFile>(target, sessionParser(sessionId), now, lock);
        let version = current?.version ?? 0;
        let kept = current?.turns ?? [];
        let expiresAt = current?.expiresAt;
        const results: (AppendResult | StateConflictError)[] = [];
        for (const { drafts, options } of appends) {
          if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
            results.push(new StateConflictError(sessionId, options.expectedVersion, version));
            continue;
          }
          kept = [...kept, ...bindTurns(drafts, sessionId, version + 1)];
          if (options.maxTurns !== undefined && kept.length > options.maxTurns) kept = kept.slice(-options.maxTurns);
          version += drafts.length;
          expiresAt = options.ttlMs !== undefined ? now + options.ttlMs : undefined;
          results.push({ version, length: kept.length });
        }
        if (results.some((r) => !(r instanceof StateConflictError))) {
          const next: SessionFile = { id: sessionId, version, turns: kept };
          if (expiresAt !== undefined) next.expiresAt = expiresAt;
          await this.writeAtomic(target.file, encodeRecord(next), lock);
          this.stats.commits++;
        }
        return results;
      });
      takeBatch().forEach((append, i) => {
        const outcome = outcomes[i]!;
        if (outcome instanceof StateConflictError) return append.reject(outcome);
        this.stats.appends++;
        append.resolve(outcome);
      });
    } catch (err) {
      for (const append of takeBatch()) append.reject(err);
    }
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const target = this.sessionTarget(sessionId);
    const file = await this.readLive<SessionFile>(target, sessionParser(sessionId), this.clock.now());
    if (!file) return undefined;
    const session: Session = { id: sessionId, turns: numberTurns(file.turns), version: file.version };
    if (file.expiresAt !== undefined) session.expiresAt = file.expiresAt;
    return session;
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    return this.deleteTarget(this.sessionTarget(sessionId));
  }

  async putSnapshot(runId: string, snapshot: JsonValue, options?: PutOptions): Promise<void> {
    return this.putValue(this.valueTarget('snapshots', 'run id', runId), snapshot, options);
  }

  async getSnapshot(runId: string): Promise<StoredValue | undefined> {
    return this.getValue(this.valueTarget('snapshots', 'run id', runId));
  }

  async deleteSnapshot(runId: string): Promise<boolean> {
    return this.deleteTarget(this.valueTarget('snapshots', 'run id', runId));
  }

  async set(namespace: string, key: string, value: JsonValue, options?: PutOptions): Promise<void> {
    return this.putValue(this.kvTarget(namespace, key), value, options);
  }

  async get(namespace: string, key: string): Promise<StoredValue | undefined> {
    return this.getValue(this.kvTarget(namespace, key));
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return this.deleteTarget(this.kvTarget(namespace, key));
  }

  /**
   * Deletes expired records and the leftovers of crashed writers (see {@link removeLeftovers});
   * returns how many records were deleted. Corrupt records are left for the read path to report
   * and quarantine.
   */
  async purgeExpired(): Promise<number> {
    let purged = 0;
    const now = this.clock.now();
    await this.removeLeftovers();
    const visit = async (dir: string, lockPrefix: string, keyPrefix: string): Promise<void> => {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if (errCode(err) === 'ENOENT') return;
        throw err;
      }
      for (const name of names) {
        const file = path.join(dir, name);
        if (!name.endsWith('.rec')) continue;
        const base = name.slice(0, -'.rec'.length);
        const target: Target = { key: keyPrefix + base, file, lock: this.lockPath(lockPrefix + base) };
        let expiresAt: number | undefined;
        try {
          expiresAt = ((await this.readRecord(target, (v) => v as { expiresAt?: number })) ?? {}).expiresAt;
        } catch (err) {
          if (err instanceof StateCorruptionError) continue;
          throw err;
        }
        if (expiresAt === undefined || expiresAt > now) continue;
        await this.withLock(target, async (lock) => {
          const again = await this.readRecord(target, (v) => v as { expiresAt?: number }).catch(() => undefined);
          if (again?.expiresAt !== undefined && again.expiresAt <= this.clock.now()) {
            await lock.assertHeld();
            await unlink(target.file);
            await this.syncDir(path.dirname(target.file));
            purged++;
          }
        });
      }
    };
    await visit(path.join(this.dir, 'sessions'), 'session.', 'session:');
    await visit(path.join(this.dir, 'snapshots'), 'snapshots.', 'snapshots:');
    const kvRoot = path.join(this.dir, 'kv');
    const namespaces = await readdir(kvRoot).catch(() => [] as string[]);
    for (const ns of namespaces) await visit(path.join(kvRoot, ns), `kv.${ns}.`, `kv:${ns}:`);
    return purged;
  }

  /**
   * Removes what crashed writers left in the store: temp files and half-taken locks of processes
   * that are gone (at once; of running pids after an hour), lock files whose owner is gone or that
   * are empty, and locks moved aside while being broken. Each directory is also cleaned this way
   * before this instance first writes to it, so a restarted process starts clean. Returns how many
   * files were removed.
   */
  async removeLeftovers(): Promise<number> {
    const dirs = [path.join(this.dir, 'sessions'), path.join(this.dir, 'snapshots'), path.join(this.dir, 'locks')];
    const namespaces = await readdir(path.join(this.dir, 'kv')).catch(() => [] as string[]);
    dirs.push(...namespaces.map((ns) => path.join(this.dir, 'kv', ns)));
    let removed = 0;
    for (const dir of dirs) removed += await this.cleanDir(dir);
    return removed;
  }

  private async cleanDir(dir: string): Promise<number> {
    let removed = await removeCrashLeftovers(dir, TEMP_MAX_AGE_MS);
    if (path.basename(dir) === 'locks' && path.dirname(dir) === this.dir) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (name.endsWith('.lock') && (await breakIfStale(path.join(dir, name), this.lockOptions.staleMs))) removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    await Promise.all([...this.mutexes.values()]);
  }

  /** The file holding a session (it may not exist yet), for operators and tests. */
  sessionFile(sessionId: string): string {
    return this.sessionTarget(sessionId).file;
  }

  /** The file holding a run snapshot. */
  snapshotFile(runId: string): string {
    return this.valueTarget('snapshots', 'run id', runId).file;
  }

  // ---- paths -------------------------------------------------------------------------------

  private sessionTarget(sessionId: string): Target {
    assertIdentifier('session id', sessionId);
    const name = safeName(sessionId);
    return { key: `session:${sessionId}`, file: this.inside('sessions', name + '.rec'), lock: this.lockPath(`session.${name}`) };
  }

  private valueTarget(folder: string, kind: string, id: string): Target {
    assertIdentifier(kind, id);
    const name = safeName(id);
    return { key: `${folder}:${id}`, file: this.inside(folder, name + '.rec'), lock: this.lockPath(`${folder}.${name}`) };
  }

  private kvTarget(namespace: string, key: string): Target {
    assertIdentifier('namespace', namespace);
    assertIdentifier('key', key);
    const ns = safeName(namespace);
    const name = safeName(key);
    return { key: `kv:${namespace}:${key}`, file: this.inside(`kv/${ns}`, name + '.rec'), lock: this.lockPath(`kv.${ns}.${name}`) };
  }

  private lockPath(name: string): string {
    return this.inside('locks', name + '.lock');
  }

  /** Joins under the store directory and checks the result cannot be outside it. */
  private inside(folder: string, name: string): string {
    const full = path.join(this.dir, folder, name);
    const rel = path.relative(this.dir, full);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`refusing a path outside the state directory: ${full}`);
    return full;
  }

  // ---- records -----------------------------------------------------------------------------

  private async putValue(target: Target, value: JsonValue, options: PutOptions = {}): Promise<void> {
    checkTtl(options);
    const frame = encodeRecord(toValueRecord(target.key, this.clock.now(), value, options.ttlMs)); // refuses non-JSON values before any lock is taken
    await this.withLock(target, (lock) => this.writeAtomic(target.file, frame, lock));
  }

  private async getValue(target: Target): Promise<StoredValue | undefined> {
    const record = await this.readLive<ValueRecord>(target, (v, origin) => parseValueRecord(v, origin, target.key), this.clock.now());
    if (!record) return undefined;
    const stored: StoredValue = { value: record.value, savedAt: record.savedAt };
    if (record.expiresAt !== undefined) stored.expiresAt = record.expiresAt;
    return stored;
  }

  private deleteTarget(target: Target): Promise<boolean> {
    return this.withLock(target, async (lock) => {
      let live: boolean;
      try {
        const rec = await this.readRecord(target, (v) => v as { expiresAt?: number });
        if (!rec) return false;
        live = rec.expiresAt === undefined || rec.expiresAt > this.clock.now();
      } catch (err) {
        if (!(err instanceof StateCorruptionError)) throw err;
        live = true; // deleting a corrupt record is how a host starts over
      }
      await lock.assertHeld();
      await unlink(target.file).catch((err) => {
        if (errCode(err) !== 'ENOENT') throw err;
      });
      await this.syncDir(path.dirname(target.file));
      return live;
    });
  }

  /** Reads and verifies a record, hiding it when expired. Corrupt records are quarantined. */
  private async readLive<T extends { expiresAt?: number }>(
    target: Target,
    parse: (value: unknown, origin: RecordOrigin) => T,
    now: number,
    heldLock?: FileLock,
  ): Promise<T | undefined> {
    let record: T | undefined;
    try {
      record = await this.readRecord(target, parse);
    } catch (err) {
      if (err instanceof StateCorruptionError && this.quarantine) throw await this.quarantineRecord(target, err, parse, heldLock);
      throw err;
    }
    if (record?.expiresAt !== undefined && record.expiresAt <= now) return undefined;
    return record;
  }

  private async readRecord<T>(target: Target, parse: (value: unknown, origin: RecordOrigin) => T): Promise<T | undefined> {
    let frame: string;
    try {
      frame = await readFile(target.file, 'utf8');
    } catch (err) {
      if (errCode(err) === 'ENOENT') return undefined;
      throw err;
    }
    const origin = { key: target.key, location: target.file };
    return parse(decodeRecord(frame, origin), origin);
  }

  /**
   * Moves a corrupt record to `quarantine/` (under the record's lock, and only if it still fails the
   * same check: a bad CRC, or a valid frame that is not this record's) and returns the error to throw.
   */
  private async quarantineRecord(
    target: Target,
    err: StateCorruptionError,
    parse: (value: unknown, origin: RecordOrigin) => unknown,
    heldLock?: FileLock,
  ): Promise<StateCorruptionError> {
    const move = async (lock: FileLock): Promise<StateCorruptionError> => {
      try {
        await this.readRecord(target, parse);
        return err; // rewritten meanwhile: nothing to move
      } catch (again) {
        if (!(again instanceof StateCorruptionError)) return err;
      }
      const dest = this.inside('quarantine', `${path.basename(target.file)}.${Date.now()}.${randomUUID().slice(0, 8)}.corrupt`);
      await this.ensureDir(path.dirname(dest));
      await lock.assertHeld();
      await rename(target.file, dest);
      await this.syncDir(path.dirname(target.file));
      return err.quarantined(dest);
    };
    try {
      return heldLock ? await move(heldLock) : await this.withLock(target, move);
    } catch (moveErr) {
      if (moveErr instanceof LockLostError) return err;
      throw moveErr;
    }
  }

  // ---- durability and locking ----------------------------------------------------------------

  /** temp file + fsync + rename + fsync(dir); the lock is re-checked right before the rename. */
  private async writeAtomic(file: string, data: string, lock: FileLock): Promise<void> {
    const dir = path.dirname(file);
    await this.ensureDir(dir);
    const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await lock.assertHeld();
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await this.syncDir(dir);
  }

  /**
   * fsyncs `dir` so the renames done in it before the call are durable. Calls that arrive while an
   * fsync of the same directory is running share the next one (it starts after, so it covers their
   * renames): commits of different sessions at once pay one directory fsync.
   */
  private syncDir(dir: string): Promise<void> {
    const state = this.dirSyncs.get(dir) ?? {};
    this.dirSyncs.set(dir, state);
    if (state.next) return state.next;
    if (!state.running) return this.startDirSync(dir, state);
    state.next = state.running.then(
      () => this.startDirSync(dir, state),
      () => this.startDirSync(dir, state),
    );
    return state.next;
  }

  private startDirSync(dir: string, state: { running?: Promise<void>; next?: Promise<void> }): Promise<void> {
    state.next = undefined;
    const running = this.fsyncDir(dir).finally(() => {
      if (state.running === running) state.running = undefined;
      if (!state.running && !state.next) this.dirSyncs.delete(dir);
    });
    state.running = running;
    return running;
  }

  private async fsyncDir(dir: string): Promise<void> {
    let handle;
    try {
      handle = await open(dir, 'r');
      await handle.sync();
    } catch (err) {
      // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic.
      if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES', 'ENOENT'].includes(errCode(err) ?? '')) throw err;
    } finally {
      await handle?.close();
    }
  }

  /** Creates `dir` if needed and, the first time this instance writes there, cleans crash leftovers. */
  private ensureDir(dir: string): Promise<unknown> {
    let made = this.madeDirs.get(dir);
    if (!made) {
      made = mkdir(dir, { recursive: true, mode: 0o700 }).then(() => this.cleanDir(dir));
      made.catch(() => this.madeDirs.delete(dir));
      this.madeDirs.set(dir, made);
    }
    return made;
  }

  /**
   * Runs `fn` holding the record's in-process mutex and its cross-process lock file. If another
   * process broke the lock as stale meanwhile, the whole operation is retried.
   */
  private async withLock<T>(target: Target, fn: (lock: FileLock) => Promise<T>): Promise<T> {
    const previous = this.mutexes.get(target.lock) ?? Promise.resolve();
    let unlock!: () => void;
    const gate = new Promise<void>((resolve) => (unlock = resolve));
    const mine = previous.then(() => gate);
    this.mutexes.set(target.lock, mine);
    await previous;
    try {
      await this.ensureDir(path.dirname(target.lock));
      for (let attempt = 1; ; attempt++) {
        const lock = await acquireFileLock(target.lock, this.lockOptions);
        try {
          return await fn(lock);
        } catch (err) {
          if (!(err instanceof LockLostError) || attempt >= 3) throw err;
        } finally {
          await lock.release();
        }
      }
    } finally {
      unlock();
      if (this.mutexes.get(target.lock) === mine) this.mutexes.delete(target.lock);
    }
  }
}

/** Checks a session file's shape, and that it is this session's (a file copied over another is caught). */
function sessionParser(sessionId: string) {
  return (value: unknown, origin: RecordOrigin): SessionFile => {
    const v = value as Partial<SessionFile> | null;
    if (typeof v !== 'object' || v === null || typeof v.version !== 'number' || !Array.isArray(v.turns)) {
      throw new StateCorruptionError(origin.key, origin.location, undefined, undefined, 'the record is not a session');
    }
    if (v.id !== sessionId) {
      throw new StateCorruptionError(origin.key, origin.location, undefined, undefined, `the record belongs to session ${JSON.stringify(v.id)}`);
    }
    const turns = parseWindow(v.turns, v.version, sessionId, (t) => ({ value: t, origin }));
    return { ...v, turns } as SessionFile;
  };
}
