/**
 * An embedded, durable store in one directory. Every write goes to a temporary file that is
 * fsynced, renamed over the record (atomic on POSIX file systems) and followed by an fsync of the
 * directory, so a crash leaves either the old or the new record, never a torn one. Writers take an
 * in-process mutex and a cross-process lock file per record, so appends from many callers and many
 * processes serialize. Readers need no lock: they always see a whole record.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { JsonValue } from '@sdl/adapters';
import { StateConflictError, StateCorruptionError, StateValueError } from './errors.js';
import { acquireFileLock, LockLostError } from './file-lock.js';
import type { FileLock } from './file-lock.js';
import { assertIdentifier, fileNameFor } from './keys.js';
import { decodeRecord, encodeRecord } from './record.js';
import type { RecordOrigin } from './record.js';
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

interface ValueFile {
  savedAt: number;
  expiresAt?: number;
  value: JsonValue;
}

/** One record's paths. */
interface Target {
  key: string;
  file: string;
  lock: string;
}

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;
/** Leftover temp files older than this are removed by `purgeExpired()`. */
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
    const records = turns.map((t, i) => toTurnRecord(t, this.clock, i));
    return this.withLock(target, async (lock) => {
      const now = this.clock.now();
      const current = await this.readLive<SessionFile>(target, sessionParser(sessionId), now, lock);
      const version = current?.version ?? 0;
      if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
        throw new StateConflictError(sessionId, options.expectedVersion, version);
      }
      let kept = [...(current?.turns ?? []), ...records];
      if (options.maxTurns !== undefined && kept.length > options.maxTurns) kept = kept.slice(-options.maxTurns);
      const next: SessionFile = { id: sessionId, version: version + records.length, turns: kept };
      if (options.ttlMs !== undefined) next.expiresAt = now + options.ttlMs;
      await this.writeAtomic(target.file, encodeRecord(next), lock);
      return { version: next.version, length: kept.length };
    });
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const target = this.sessionTarget(sessionId);
    const file = await this.readLive<SessionFile>(target, sessionParser(sessionId), this.clock.now());
    if (!file) return undefined;
    const session: Session = { id: sessionId, turns: numberTurns(file.turns, file.version), version: file.version };
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
   * Deletes expired records and temp files left by crashed writers; returns how many records were
   * deleted. Corrupt records are left for the read path to report and quarantine.
   */
  async purgeExpired(): Promise<number> {
    let purged = 0;
    const now = this.clock.now();
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
        if (name.startsWith('.') && name.endsWith('.tmp')) {
          const st = await stat(file).catch(() => undefined);
          if (st && Date.now() - st.mtimeMs > TEMP_MAX_AGE_MS) await unlink(file).catch(() => undefined);
          continue;
        }
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
    const now = this.clock.now();
    const record: ValueFile = { savedAt: now, value };
    if (options.ttlMs !== undefined) record.expiresAt = now + options.ttlMs;
    const frame = encodeRecord(record); // refuses non-JSON values before any lock is taken
    await this.withLock(target, (lock) => this.writeAtomic(target.file, frame, lock));
  }

  private async getValue(target: Target): Promise<StoredValue | undefined> {
    const record = await this.readLive<ValueFile>(target, parseValueFile, this.clock.now());
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
      if (err instanceof StateCorruptionError && this.quarantine) throw await this.quarantineRecord(target, err, heldLock);
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
   * Moves a corrupt record to `quarantine/` (under the record's lock, and only if it is still the
   * same corrupt bytes) and returns the error to throw.
   */
  private async quarantineRecord(target: Target, err: StateCorruptionError, heldLock?: FileLock): Promise<StateCorruptionError> {
    const move = async (lock: FileLock): Promise<StateCorruptionError> => {
      try {
        await this.readRecord(target, (v) => v);
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

  private async syncDir(dir: string): Promise<void> {
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

  private ensureDir(dir: string): Promise<unknown> {
    let made = this.madeDirs.get(dir);
    if (!made) {
      made = mkdir(dir, { recursive: true, mode: 0o700 });
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
    return { ...v, turns: v.turns.map((t) => parseTurnRecord(t, origin)) } as SessionFile;
  };
}

function parseValueFile(value: unknown, origin: RecordOrigin): ValueFile {
  const v = value as Partial<ValueFile> | null;
  if (typeof v !== 'object' || v === null || typeof v.savedAt !== 'number' || !('value' in v)) {
    throw new StateCorruptionError(origin.key, origin.location, undefined, undefined, 'the record is not a stored value');
  }
  return v as ValueFile;
}
