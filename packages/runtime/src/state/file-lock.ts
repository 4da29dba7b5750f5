/**
 * A cross-process lock on one file, holding the owner's pid, host and a random token. The content is
 * written to a private temp file first and then hard-linked to the lock path (`link` fails when the
 * path exists, like O_EXCL), so a lock file is never seen empty or half-written: one that is
 * empty or unreadable was left by a crash (or a power loss before its data reached the disk) and is
 * broken at once. A lock is also stale when its owner process is gone (same host) or it is older
 * than `staleMs`; a stale lock is moved aside (rename) and only deleted if it is still the lock that
 * was judged stale, so two processes breaking the same stale lock cannot delete a fresh one.
 * Holders call `assertHeld()` right before they commit, which catches the remaining race.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StateLockTimeoutError } from './errors.js';

export interface FileLockOptions {
  /** A lock older than this is considered abandoned (ms). */
  staleMs: number;
  /** Give up waiting after this long (ms). */
  timeoutMs: number;
}

/** Thrown by `assertHeld()` when the lock was broken by another process; the caller retries. */
export class LockLostError extends Error {
  override name = 'LockLostError';
}

export interface FileLock {
  readonly path: string;
  /**
   * Whether taking it broke a stale lock (its holder died or hung while holding it), so whatever
   * that holder was committing may be half done.
   */
  readonly brokeStale: boolean;
  /** Throws {@link LockLostError} unless this holder still owns the lock file. */
  assertHeld(): Promise<void>;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  at: number;
}

const HOST = hostname();

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

function parseInfo(text: string): LockInfo | undefined {
  try {
    const info = JSON.parse(text) as Partial<LockInfo>;
    return typeof info.pid === 'number' && typeof info.token === 'string' ? (info as LockInfo) : undefined;
  } catch {
    return undefined; // empty or garbage: a crash leftover (locks are never seen half-written)
  }
}

/** Whether a process with this pid runs on this host (a pid owned by another user counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM'; // exists, owned by someone else
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Takes the lock at `path`, waiting (with jittered backoff) up to `timeoutMs`. */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<FileLock> {
  const token = randomUUID();
  const content = JSON.stringify({ pid: process.pid, host: HOST, token, at: Date.now() } satisfies LockInfo);
  const started = Date.now();
  const temp = lockTempPath(path, token);
  await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
  let delay = 1;
  let brokeStale = false;
  const broke = () => (brokeStale = true);
  try {
    for (;;) {
      try {
        await link(temp, path);
        return heldLock(path, token, brokeStale);
      } catch (err) {
        if (errCode(err) !== 'EEXIST') throw err;
      }
      if (await breakIfStale(path, options.staleMs, broke)) continue;
      const waited = Date.now() - started;
      if (waited >= options.timeoutMs) throw new StateLockTimeoutError(path, waited);
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 20);
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** `<lock>.<pid>.<token>.tmp`: the content a writer links into place (see `crash-leftovers.ts`). */
function lockTempPath(path: string, token: string): string {
  return `${path}.${process.pid}.${token}.tmp`;
}

function heldLock(path: string, token: string, brokeStale: boolean): FileLock {
  // A lock file is a few dozen bytes on a local disk: a synchronous read costs less than the
  // thread-pool round trips of an asynchronous one, and holders check before every commit.
  const owns = () => {
    try {
      return parseInfo(readFileSync(path, 'utf8'))?.token === token;
    } catch {
      return false;
    }
  };
  return {
    path,
    brokeStale,
    async assertHeld() {
      if (!owns()) throw new LockLostError(`lock ${path} was taken over by another process`);
    },
    async release() {
      if (owns()) await unlink(path).catch(() => undefined);
    },
  };
}

/**
 * Removes the lock at `path` if it is abandoned; `true` when the caller should try again at once.
 * `onBroken` is called when this call removed an abandoned lock (not when it was released meanwhile).
 */
export async function breakIfStale(path: string, staleMs: number, onBroken?: () => void): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(path)).mtimeMs;
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return true; // released meanwhile
    throw err;
  }
  const info = parseInfo(text);
  // Locks are linked into place whole, so an empty or unreadable one can only be a crash's leftover.
  const ownerGone = info === undefined || (info.host === HOST && !processAlive(info.pid));
  if (!ownerGone && Date.now() - mtimeMs <= staleMs) return false;
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return true; // someone else broke it first
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== text) {
    // The stale lock had already been replaced by a live one: put that back unless someone
    // locked again meanwhile (then the displaced holder's assertHeld() fails and it retries).
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  onBroken?.();
  return true;
}
