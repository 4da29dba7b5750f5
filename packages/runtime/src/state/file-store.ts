/**
 * An embedded, durable store in one directory. Session changes go through a journal (write-ahead
 * log) shared by every process using the directory: the appends, deletes and quarantines of every
 * session that arrive together are committed as one batch, under one store-wide lock, with one
 * journal write and one fdatasync; then each changed session file is replaced (temp file + rename)
 * and every caller is answered. Session files are fsynced later, by a checkpoint that empties the
 * journal (when the store goes idle, when the journal grows past `journalMaxBytes`, and on close);
 * after a crash or a power loss the journal is replayed onto them. Snapshots and values are written
 * one by one (temp file, fsync, rename, fsync of the directory) under a lock file per record.
 * Readers need no lock: they always see a whole record.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { JsonValue } from '@sdl/adapters';
import { StateConflictError, StateCorruptionError, StateValueError } from './errors.js';
import { removeCrashLeftovers } from './crash-leftovers.js';
import { acquireFileLock, breakIfStale, LockLostError } from './file-lock.js';
import type { FileLock } from './file-lock.js';
import { assertIdentifier, fileNameFor } from './keys.js';
import { canonicalJson, decodeRecord, encodeRecord } from './record.js';
import type { RecordOrigin } from './record.js';
import { encodeJournalFrame, journalSessionNames, parseJournal, readJournalFrom, readJournalPrefix } from './session-journal.js';
import type { JournalEntry } from './session-journal.js';
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
  /**
   * A busy store checkpoints (fsyncs the session files and empties the session journal) once this
   * instance has written this many journal bytes since the last checkpoint (default 4 MiB). An idle
   * store checkpoints after every batch.
   */
  journalMaxBytes?: number;
}

interface SessionFile {
  id: string;
  version: number;
  expiresAt?: number;
  turns: TurnRecord[];
}

/** One caller's change to a session. */
type SessionChange = { sessionId: string; target: Target } & (
  | { kind: 'append'; drafts: TurnDraft[]; options: AppendOptions }
  | { kind: 'delete' }
  /** Deletes the session if it has expired (purgeExpired). */
  | { kind: 'expire' }
  /**
   * A reader found the file unreadable: read it again under the lock (a writer replacing it in place
   * may have been half done) and move it aside if it is still corrupt. Answers the file's frame.
   */
  | { kind: 'recheck'; error: StateCorruptionError }
);

/** A change waiting for its batch; `settle` answers its caller. */
type SessionOp = SessionChange & { settle(outcome: unknown, failed: boolean): void };

/**
 * A session as a batch works on it: its turns kept as their canonical JSON, so an append frames the
 * new file by joining strings instead of re-serializing the whole window.
 */
interface SessionImage {
  version: number;
  expiresAt?: number;
  /** Each retained turn's canonical JSON, UTF-8. */
  turnJson: Buffer[];
}

/** A session file as a batch found it. */
type SessionState =
  | { kind: 'missing' }
  | { kind: 'ok'; value: SessionImage; frame?: Buffer }
  | { kind: 'corrupt'; error: StateCorruptionError };

/** One record's paths. */
interface Target {
  key: string;
  file: string;
  lock: string;
}

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;
/** Temp files whose writer pid still runs (maybe reused) are removed once older than this. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;
/** Session files fsynced at once by a checkpoint (bounded so thousands of sessions do not exhaust fds). */
const CHECKPOINT_PARALLELISM = 16;
/** Longest a busy instance keeps the sessions lock across batches before letting others in. */
const SESSIONS_LEASE_MS = 50;
/** Sessions whose last written frame (and its image) this instance remembers. */
const IMAGE_CACHE_SIZE = 1024;

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
  private readonly journalMaxBytes: number;
  private readonly madeDirs = new Map<string, Promise<unknown>>();
  private readonly mutexes = new Map<string, Promise<void>>();
  private readonly dirSyncs = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();
  /**
   * Counters for operators and benchmarks: appends acknowledged, durable journal writes that
   * committed them (fewer commits than appends is group commit at work: one commit serves every
   * session of its batch), and checkpoints.
   */
  readonly stats = { appends: 0, commits: 0, checkpoints: 0 };
  /** Session changes not yet picked up by a batch. */
  private pending: SessionOp[] | undefined;
  /** Journal bytes this instance wrote since its last checkpoint. */
  private journalBytes = 0;
  /** Set when a batch failed after its journal write: the next batch replays the journal first. */
  private mustReplay = false;
  /** Replays a journal left by a crash before this instance first touches a session. */
  private recovered: Promise<void> | undefined;
  private journalDirSynced = false;
  /** The sessions lock while this instance holds it across batches, with the journal open. */
  private lease: { lock: FileLock; since: number; journalFd?: number } | undefined;
  private yieldBeforeLock = false;
  /** The fuzzy checkpoint in flight, if any (one at a time). */
  private checkpointing: Promise<void> | undefined;
  private readonly journalFile: string;
  private readonly sessionsLock: string;
  /**
   * The last frame this instance read or wrote per session, with its image. A batch still reads
   * every session file; when the bytes are exactly these, it skips decoding and re-checking them
   * (any other content, another process' write or a damaged file, is decoded and checked in full).
   */
  private readonly images = new Map<string, { frame: Buffer; image: SessionImage }>();

  constructor(options: FileStoreOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '') throw new TypeError('FileStore needs a `dir`');
    this.dir = path.resolve(options.dir);
    this.clock = options.clock ?? systemStateClock;
    this.lockOptions = { staleMs: options.lockStaleMs ?? 10_000, timeoutMs: options.lockTimeoutMs ?? 10_000 };
    this.quarantine = options.quarantine ?? true;
    this.journalMaxBytes = options.journalMaxBytes ?? 4 * 1024 * 1024;
    this.journalFile = this.inside('journal', 'sessions.wal');
    this.sessionsLock = this.lockPath('sessions');
  }

  async appendTurns(sessionId: string, turns: readonly TurnInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const target = this.sessionTarget(sessionId);
    checkAppendOptions(options);
    if (!Array.isArray(turns)) throw new StateValueError('turns must be an array');
    const drafts = turns.map((t, i) => toTurnDraft(t, this.clock, i));
    await this.recover();
    return this.enqueue<AppendResult>({ kind: 'append', sessionId, target, drafts, options: { ...options } });
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const target = this.sessionTarget(sessionId);
    await this.recover();
    const parse = sessionParser(sessionId);
    let file: SessionFile | undefined;
    try {
      file = await this.readRecord(target, parse);
    } catch (err) {
      if (!(err instanceof StateCorruptionError)) throw err;
      // Session files are rewritten in place under the lock, so a lockless read can see one half
      // written: read again under the lock, where a file that is still corrupt is quarantined.
      const frame = await this.enqueue<Buffer | null>({ kind: 'recheck', sessionId, target, error: err });
      const origin = { key: target.key, location: target.file };
      file = frame === null ? undefined : parse(decodeRecord(frame.toString('utf8'), origin), origin);
    }
    if (!file || (file.expiresAt !== undefined && file.expiresAt <= this.clock.now())) return undefined;
    const session: Session = { id: sessionId, turns: numberTurns(file.turns), version: file.version };
    if (file.expiresAt !== undefined) session.expiresAt = file.expiresAt;
    return session;
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    const target = this.sessionTarget(sessionId);
    await this.recover();
    return this.enqueue<boolean>({ kind: 'delete', sessionId, target });
  }

  /** The session journal (write-ahead log) shared by every process using this directory. */
  get sessionJournalFile(): string {
    return this.journalFile;
  }

  /** The lock file every session change takes (one per store, held once per batch). */
  get sessionsLockFile(): string {
    return this.sessionsLock;
  }

  // ---- session batches -----------------------------------------------------------------------

  /**
   * Queues a session change for the next batch. The first change of a batch starts it; it takes
   * the store lock when the previous batch is done, and commits every change queued by then.
   */
  private enqueue<T>(op: SessionChange): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queued = { ...op, settle: (outcome: unknown, failed: boolean) => (failed ? reject(outcome) : resolve(outcome as T)) } as SessionOp;
      if (this.pending) {
        this.pending.push(queued);
        return;
      }
      this.pending = [queued];
      void this.commitBatch();
    });
  }

  /**
   * Commits every session change queued when the store lock is taken (those arriving later form
   * the next batch): one read per session, one journal write and fdatasync for all of them, then
   * each changed session file is replaced. Each change is applied in arrival order with its own
   * options, exactly as if they had run one by one, and is answered only after the journal write
   * reached the disk and the session file was replaced. When nothing is queued for the next batch
   * (or the journal has grown past `journalMaxBytes`) the lock is kept for a checkpoint.
   */
  private async commitBatch(): Promise<void> {
    let batch: SessionOp[] | undefined;
    const takeBatch = (): SessionOp[] => {
      if (!batch) {
        batch = this.pending ?? [];
        this.pending = undefined;
      }
      return batch;
    };
    const answered = new Set<SessionOp>();
    const answer = (op: SessionOp, outcome: unknown, failed: boolean) => {
      answered.add(op);
      op.settle(outcome, failed);
    };
    try {
      await this.withSessionsLock(async (lock, fresh) => {
        const ops = takeBatch();
        if (this.mustReplay || (fresh && lock.brokeStale)) await this.settleJournal(lock, true);
        const outcomes = await this.applyBatch(ops, lock);
        for (const [op, [outcome, failed]] of outcomes) {
          if (!failed && op.kind === 'append') this.stats.appends++;
          answer(op, outcome, failed);
        }
        await new Promise<void>((resolve) => setImmediate(resolve)); // lets answered callers queue their next change
        if (this.journalBytes > 0 && this.pending === undefined) {
          await this.settleJournal(lock, false).catch(() => {
            this.mustReplay = true; // the next batch tries again, and reports its error
          });
        } else if (this.journalBytes >= this.journalMaxBytes && !this.checkpointing) {
          this.startFuzzyCheckpoint();
        }
      });
    } catch (err) {
      for (const op of takeBatch()) if (!answered.has(op)) answer(op, err, true);
    }
  }

  /** Works out each session's new state, commits them to the journal, then replaces the files. */
  private async applyBatch(ops: readonly SessionOp[], lock: FileLock): Promise<Map<SessionOp, [unknown, boolean]>> {
    const outcomes = new Map<SessionOp, [unknown, boolean]>();
    const bySession = new Map<string, SessionOp[]>();
    for (const op of ops) {
      const list = bySession.get(op.sessionId);
      if (list) list.push(op);
      else bySession.set(op.sessionId, [op]);
    }
    const now = this.clock.now();
    const changes: { target: Target; entry: JournalEntry }[] = [];
    await Promise.all(
      [...bySession].map(async ([sessionId, sessionOps]) => {
        const target = sessionOps[0]!.target;
        let state: SessionState;
        try {
          state = this.readSessionState(target, sessionId);
        } catch (err) {
          for (const op of sessionOps) outcomes.set(op, [err, true]);
          return;
        }
        const existed = state.kind !== 'missing';
        let changed = false;
        const quarantineNow = async (error: StateCorruptionError): Promise<StateCorruptionError> => {
          if (!this.quarantine) return error;
          const dest = await this.moveToQuarantine(target, lock);
          state = { kind: 'missing' };
          changed = true;
          return error.quarantined(dest);
        };
        for (const op of sessionOps) {
          try {
            if (op.kind === 'recheck') {
              if (state.kind === 'corrupt') outcomes.set(op, [await quarantineNow(state.error), true]);
              else if (state.kind === 'missing') outcomes.set(op, [null, false]);
              else outcomes.set(op, [state.frame ?? sessionFrame(sessionId, state.value), false]);
              continue;
            }
            if (op.kind === 'delete' || op.kind === 'expire') {
              const live = state.kind === 'corrupt' || (state.kind === 'ok' && !expired(state.value, now));
              const remove = op.kind === 'delete' ? state.kind !== 'missing' : state.kind === 'ok' && expired(state.value, now);
              outcomes.set(op, [op.kind === 'delete' ? live : remove, false]);
              if (remove) {
                state = { kind: 'missing' };
                changed = true;
              }
              continue;
            }
            if (state.kind === 'corrupt') {
              outcomes.set(op, [await quarantineNow(state.error), true]);
              continue;
            }
            const current = state.kind === 'ok' && !expired(state.value, now) ? state.value : undefined;
            const version = current?.version ?? 0;
            const { drafts, options } = op;
            if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
              outcomes.set(op, [new StateConflictError(sessionId, options.expectedVersion, version), true]);
              continue;
            }
            let kept = (current?.turnJson ?? []).concat(bindTurns(drafts, sessionId, version + 1).map((t) => Buffer.from(canonicalJson(t))));
            if (options.maxTurns !== undefined && kept.length > options.maxTurns) kept = kept.slice(-options.maxTurns);
            const next: SessionImage = { version: version + drafts.length, turnJson: kept };
            if (options.ttlMs !== undefined) next.expiresAt = now + options.ttlMs;
            state = { kind: 'ok', value: next };
            changed = true;
            outcomes.set(op, [{ version: next.version, length: kept.length }, false]);
          } catch (err) {
            outcomes.set(op, [err, true]);
          }
        }
        if (!changed) return;
        if (state.kind === 'ok') {
          const frame = sessionFrame(sessionId, state.value);
          this.remember(sessionId, frame, state.value);
          changes.push({ target, entry: { id: sessionId, frame } });
        } else {
          this.images.delete(sessionId);
          if (existed) changes.push({ target, entry: { id: sessionId, frame: null } });
        }
      }),
    );
    if (changes.length === 0) return outcomes;
    await lock.assertHeld();
    await this.journalWrite(changes.map((c) => c.entry));
    this.stats.commits++;
    try {
      await Promise.all(changes.map(({ target, entry }) => this.replaceSessionFile(target.file, entry.frame)));
    } catch (err) {
      // The journal holds the batch: the next batch replays it onto the session files.
      this.mustReplay = true;
      throw err;
    }
    return outcomes;
  }

  /**
   * Reads a session file for a batch; a corrupt one is reported as such, not thrown. Session files
   * are small and local, and the batch holds the lock: synchronous calls cost a fraction of four
   * thread-pool round trips each (only fsyncs, which wait for the disk, stay asynchronous).
   */
  private readSessionState(target: Target, sessionId: string): SessionState {
    let frame: Buffer;
    try {
      frame = readFileSync(target.file);
    } catch (err) {
      if (errCode(err) === 'ENOENT') {
        this.images.delete(sessionId);
        return { kind: 'missing' };
      }
      throw err;
    }
    const known = this.images.get(sessionId);
    if (known?.frame.equals(frame)) return { kind: 'ok', value: known.image, frame };
    this.images.delete(sessionId);
    try {
      const origin = { key: target.key, location: target.file };
      const file = sessionParser(sessionId)(decodeRecord(frame.toString('utf8'), origin), origin);
      const image: SessionImage = { version: file.version, turnJson: file.turns.map((t) => Buffer.from(canonicalJson(t))) };
      if (file.expiresAt !== undefined) image.expiresAt = file.expiresAt;
      this.remember(sessionId, frame, image);
      return { kind: 'ok', value: image, frame };
    } catch (err) {
      if (err instanceof StateCorruptionError) return { kind: 'corrupt', error: err };
      throw err;
    }
  }

  private remember(sessionId: string, frame: Buffer, image: SessionImage): void {
    this.images.delete(sessionId);
    this.images.set(sessionId, { frame, image });
    if (this.images.size > IMAGE_CACHE_SIZE) this.images.delete(this.images.keys().next().value!);
  }

  /** Appends one commit to the journal through the lease's descriptor and waits for fdatasync. */
  private async journalWrite(entries: readonly JournalEntry[]): Promise<void> {
    const frame = encodeJournalFrame(entries);
    const lease = this.lease!;
    if (lease.journalFd === undefined) {
      if (!this.journalDirSynced) await this.ensureDir(path.dirname(this.journalFile));
      lease.journalFd = openSync(this.journalFile, 'a', 0o600);
    }
    const fd = lease.journalFd;
    for (let offset = 0; offset < frame.length; ) offset += writeSync(fd, frame, offset, frame.length - offset);
    await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    if (!this.journalDirSynced) {
      await this.syncDir(path.dirname(this.journalFile)); // the journal's own directory entry
      this.journalDirSynced = true;
    }
    this.journalBytes += frame.length;
  }

  /**
   * A session file's new content, written in place (no temp file, no rename: on ext4 a rename over
   * a file forces its data out, and creating files is the dearest directory operation) and without
   * an fsync of its own: the journal holds the content durably until a checkpoint fsyncs the file,
   * and a write torn by a crash is replayed from the journal. Readers that see a half-written file
   * read it again under the lock. Synchronous, like the reads of a batch (small local files, lock
   * held). `null` removes the file.
   */
  private async replaceSessionFile(file: string, frame: Buffer | string | null): Promise<void> {
    if (frame === null) {
      try {
        unlinkSync(file);
      } catch (err) {
        if (errCode(err) !== 'ENOENT') throw err;
      }
      return;
    }
    let fd: number;
    try {
      fd = openSync(file, 'r+');
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
      await this.ensureDir(path.dirname(file));
      fd = openSync(file, 'wx', 0o600);
    }
    try {
      const data = typeof frame === 'string' ? Buffer.from(frame) : frame;
      for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset, offset);
      ftruncateSync(fd, data.length);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Checkpoint, under the store lock: makes the session files named in the journal durable (fsync
   * each, then the directory) and replaces the journal with an empty one. With `replay`, first
   * writes the journal's last state of each session over its file where they differ: after a
   * writer died holding the lock, or a power loss lost writes that were not fsynced yet. A torn
   * tail (a frame a killed writer did not finish, never acknowledged) is dropped.
   */
  private async settleJournal(lock: FileLock, replay: boolean): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.journalFile);
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
      bytes = Buffer.alloc(0);
    }
    if (bytes.length > 0) {
      let names: Map<string, boolean>;
      if (replay) {
        const { last } = parseJournal(bytes);
        names = new Map([...last].map(([id, frame]) => [id, frame === null]));
        for (const [id, frame] of last) {
          const target = this.journaledTarget(id);
          if (!target) continue;
          const text = await readFile(target.file, 'utf8').catch((err) => {
            if (errCode(err) === 'ENOENT') return null;
            throw err;
          });
          if (text !== frame) {
            await lock.assertHeld();
            await this.replaceSessionFile(target.file, frame);
          }
        }
      } else {
        names = journalSessionNames(bytes);
      }
      await this.syncSessionFiles(names);
      await this.replaceJournal(lock, Buffer.alloc(0));
      this.stats.checkpoints++;
    }
    this.journalBytes = 0;
    this.mustReplay = false;
  }

  /**
   * A checkpoint that does not hold up batches, for a busy store whose journal passed
   * `journalMaxBytes`. It notes the journal's length (and inode) now; fsyncs, without the lock, the
   * session files the journal names up to there (their content from then on is in the rest of the
   * journal, so a file caught mid-write is still replayed whole); then, briefly under the lock,
   * replaces the journal with its rest. If another checkpoint replaced the journal meanwhile
   * (another inode), it stops: that one did the work.
   */
  private startFuzzyCheckpoint(): void {
    const fd = this.lease?.journalFd;
    if (fd === undefined) return;
    const { ino, size } = fstatSync(fd);
    this.journalBytes = 0;
    this.checkpointing = (async () => {
      const prefix = await readJournalPrefix(this.journalFile, ino, size);
      if (!prefix) return;
      await this.syncSessionFiles(journalSessionNames(prefix));
      await this.withSessionsLock(async (lock) => {
        // Only the frames written since the prefix was noted are read (and checked) under the lock.
        const rest = await readJournalFrom(this.journalFile, ino, size);
        if (!rest) return;
        await this.replaceJournal(lock, rest.subarray(0, parseJournal(rest).validBytes));
        this.stats.checkpoints++;
      });
    })()
      .catch(() => undefined) // the journal stays whole; the next checkpoint covers it
      .finally(() => (this.checkpointing = undefined));
  }

  /** fsyncs the session files whose last journaled state is a file, then the sessions directory. */
  private async syncSessionFiles(names: Map<string, boolean>): Promise<void> {
    const files: string[] = [];
    for (const [id, removed] of names) {
      const target = removed ? undefined : this.journaledTarget(id);
      if (target) files.push(target.file);
    }
    for (let i = 0; i < files.length; i += CHECKPOINT_PARALLELISM) {
      await Promise.all(files.slice(i, i + CHECKPOINT_PARALLELISM).map((file) => fsyncFile(file)));
    }
    await this.syncDir(path.join(this.dir, 'sessions'));
  }

  private journaledTarget(id: string): Target | undefined {
    try {
      return this.sessionTarget(id);
    } catch {
      return undefined; // cannot come from this store (ids are checked before they are journaled)
    }
  }

  /**
   * Replaces the journal (lock held) with `content`: temp file, fdatasync, rename, fsync of the
   * directory. Only lock holders have the journal open, so no writer is left on the old file; this
   * instance's own descriptor is reopened on its next write.
   */
  private async replaceJournal(lock: FileLock, content: Buffer): Promise<void> {
    const dir = path.dirname(this.journalFile);
    await this.ensureDir(dir);
    const temp = path.join(dir, `.sessions.wal.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      if (content.length > 0) await handle.writeFile(content);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await lock.assertHeld();
      await rename(temp, this.journalFile);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    if (this.lease?.journalFd !== undefined) {
      closeSync(this.lease.journalFd);
      this.lease.journalFd = undefined;
    }
    await this.syncDir(dir);
    this.journalDirSynced = true;
  }

  /**
   * Before this instance first touches a session: if the journal is not empty (a writer crashed, the
   * machine lost power, or another process is busy writing), replays it under the store lock.
   */
  private recover(): Promise<void> {
    this.recovered ??= (async () => {
      const size = await stat(this.journalFile).then(
        (s) => s.size,
        () => 0,
      );
      if (size === 0) return;
      await this.withSessionsLock((lock) => this.settleJournal(lock, true));
    })();
    this.recovered.catch(() => (this.recovered = undefined)); // try again on the next call
    return this.recovered;
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
        let record: { expiresAt?: number; id?: unknown } | undefined;
        try {
          record = await this.readRecord(target, (v) => v as { expiresAt?: number; id?: unknown });
        } catch (err) {
          if (err instanceof StateCorruptionError) continue;
          throw err;
        }
        if (record?.expiresAt === undefined || record.expiresAt > now) continue;
        if (keyPrefix === 'session:') {
          // Sessions change only through the journal; the batch deletes it if it is still expired.
          if (typeof record.id !== 'string' || this.sessionFile(record.id) !== file) continue;
          const sessionId = record.id;
          if (await this.enqueue<boolean>({ kind: 'expire', sessionId, target: this.sessionTarget(sessionId) })) purged++;
          continue;
        }
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
    await this.recover();
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
        // The sessions lock is broken only by a writer taking it, which then replays the journal.
        if (!name.endsWith('.lock') || path.join(dir, name) === this.sessionsLock) continue;
        if (await breakIfStale(path.join(dir, name), this.lockOptions.staleMs)) removed++;
      }
    }
    return removed;
  }

  /** Waits for writes in flight; an idle store has checkpointed, so the journal is left empty. */
  async close(): Promise<void> {
    await this.checkpointing;
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
    return { key: `session:${sessionId}`, file: this.inside('sessions', name + '.rec'), lock: this.sessionsLock };
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
      return err.quarantined(await this.moveToQuarantine(target, lock));
    };
    try {
      return heldLock ? await move(heldLock) : await this.withLock(target, move);
    } catch (moveErr) {
      if (moveErr instanceof LockLostError) return err;
      throw moveErr;
    }
  }

  /** Renames a corrupt record to `quarantine/<file>.<time>.<random>.corrupt` (lock held); returns where. */
  private async moveToQuarantine(target: Target, lock: FileLock): Promise<string> {
    const dest = this.inside('quarantine', `${path.basename(target.file)}.${Date.now()}.${randomUUID().slice(0, 8)}.corrupt`);
    await this.ensureDir(path.dirname(dest));
    await lock.assertHeld();
    await rename(target.file, dest);
    await this.syncDir(path.dirname(target.file));
    return dest;
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
   * Runs `fn` holding the sessions lock: the in-process mutex, then the lock file. The lock file is
   * kept as a lease while more batches are queued (one acquisition for a burst of batches, not one
   * per batch), and released when the store goes idle, after an error, or once the lease is
   * `SESSIONS_LEASE_MS` old (then the next acquisition first yields, so other processes get a turn).
   * `fresh` says the lock file was taken for this call (and so `lock.brokeStale` is news).
   */
  private async withSessionsLock<T>(fn: (lock: FileLock, fresh: boolean) => Promise<T>): Promise<T> {
    const key = this.sessionsLock;
    const previous = this.mutexes.get(key) ?? Promise.resolve();
    let unlock!: () => void;
    const gate = new Promise<void>((resolve) => (unlock = resolve));
    const mine = previous.then(() => gate);
    this.mutexes.set(key, mine);
    await previous;
    let failed = false;
    try {
      await this.ensureDir(path.dirname(key));
      for (let attempt = 1; ; attempt++) {
        let fresh = false;
        if (!this.lease) {
          if (this.yieldBeforeLock) {
            this.yieldBeforeLock = false;
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          this.lease = { lock: await acquireFileLock(key, this.lockOptions), since: Date.now() };
          fresh = true;
        }
        try {
          return await fn(this.lease.lock, fresh);
        } catch (err) {
          if (!(err instanceof LockLostError) || attempt >= 3) throw err;
          await this.endLease();
        }
      }
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      const old = this.lease !== undefined && Date.now() - this.lease.since >= SESSIONS_LEASE_MS;
      if (failed || this.pending === undefined || old) {
        await this.endLease().catch(() => undefined);
        if (old) this.yieldBeforeLock = true;
      }
      unlock();
      if (this.mutexes.get(key) === mine) this.mutexes.delete(key);
    }
  }

  private async endLease(): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    this.lease = undefined;
    if (lease.journalFd !== undefined) closeSync(lease.journalFd);
    await lease.lock.release();
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

/**
 * The frame of a session file, `encodeRecord({ expiresAt?, id, turns, version })`, built from the
 * turns' canonical JSON (the keys are written in canonical order: expiresAt, id, turns, version).
 */
function sessionFrame(sessionId: string, image: SessionImage): Buffer {
  const head = '{' + (image.expiresAt === undefined ? '' : `"expiresAt":${JSON.stringify(image.expiresAt)},`) + `"id":${JSON.stringify(sessionId)},"turns":[`;
  const parts: Buffer[] = [Buffer.from(head)];
  image.turnJson.forEach((turn, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(turn);
  });
  parts.push(Buffer.from(`],"version":${JSON.stringify(image.version)}}`));
  const json = Buffer.concat(parts);
  return Buffer.concat([Buffer.from(`sdl1:${crc32(json).toString(16).padStart(8, '0')}:`), json]);
}

const COMMA = Buffer.from(',');

const expired = (file: { expiresAt?: number }, now: number): boolean => file.expiresAt !== undefined && file.expiresAt <= now;

async function fsyncFile(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return; // removed by a later batch: nothing to make durable
    throw err;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
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
