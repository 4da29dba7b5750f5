/**
 * Files a crashed file-store writer can leave behind, and their removal. A writer that is killed
 * between creating and renaming its temp file leaves `.<record>.<pid>.<random>.tmp`; one killed while
 * taking a lock leaves `<lock>.<pid>.<token>.tmp`, and one killed while breaking a stale lock leaves
 * `<lock>.<uuid>.stale`. Temp files carry the writer's pid, so a file whose writer is no longer
 * running is removed at once; one whose pid is running (maybe reused by an unrelated process) is
 * removed once it is older than `maxAgeMs`.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { processAlive } from './file-lock.js';

const RECORD_TEMP = /^\..+\.rec\.(\d+)\.[0-9a-z]+\.tmp$/;
const LOCK_TEMP = /\.lock\.(\d+)\.[0-9a-f-]{36}\.tmp$/;
const LOCK_ASIDE = /\.lock\.[0-9a-f-]{36}\.stale$/;
/** A lock moved aside is deleted by its breaker within milliseconds; older ones are leftovers. */
const ASIDE_MAX_AGE_MS = 60_000;

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** The pid in a crash-leftover file name, `null` for a moved-aside lock, `undefined` for any other file. */
function leftoverPid(name: string): number | null | undefined {
  const m = RECORD_TEMP.exec(name) ?? LOCK_TEMP.exec(name);
  if (m) return Number(m[1]);
  return LOCK_ASIDE.test(name) ? null : undefined;
}

/** Removes the crash leftovers in `dir` (not recursive); returns how many were removed. */
export async function removeCrashLeftovers(dir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    const pid = leftoverPid(name);
    if (pid === undefined || pid === process.pid) continue;
    const file = path.join(dir, name);
    let remove = pid !== null && !processAlive(pid);
    if (!remove) {
      const st = await stat(file).catch(() => undefined);
      remove = st !== undefined && now - st.mtimeMs > (pid === null ? ASIDE_MAX_AGE_MS : maxAgeMs);
    }
    if (remove && (await unlink(file).then(() => true, () => false))) removed++;
  }
  return removed;
}
