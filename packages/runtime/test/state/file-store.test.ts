/** What only the file store does: file layout, durability details and its cross-process lock. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecord, FileStore, StateLockTimeoutError } from '../../src/state/index.js';
import { encodeJournalFrame, parseJournal } from '../../src/state/session-journal.js';

const CHILD = fileURLToPath(new URL('./fixtures/store-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

let dir: string;
/** Every store a test opens; closed before the directory goes (an idle store checkpoints after answering). */
const opened: FileStore[] = [];
const track = (store: FileStore): FileStore => (opened.push(store), store);
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sdl-file-store-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

const turn = (content: string) => ({ message: { role: 'user' as const, content } });

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/** Writes the store's sessions lock (one per store: every session change takes it once per batch). */
async function writeLock(store: FileStore, info: object, ageMs = 0): Promise<string> {
  const lock = store.sessionsLockFile;
  await mkdir(path.dirname(lock), { recursive: true });
  await writeFile(lock, JSON.stringify(info));
  if (ageMs) {
    const t = new Date(Date.now() - ageMs);
    await utimes(lock, t, t);
  }
  return lock;
}

/**
 * Runs a child that keeps 16 appends in flight (store-child's appendForever) and kills it with
 * SIGKILL once `count` appends were acknowledged; returns the acknowledged contents.
 */
async function appendUntilKilled(job: { session: string; label: string; sessions?: number }, count: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ store: { kind: 'file', dir }, action: 'appendForever', ...job })], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const acked: string[] = [];
  let buffered = '';
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      acked.push(...lines);
      if (acked.length >= count) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  await new Promise((resolve) => child.once('exit', resolve));
  return acked;
}

describe('FileStore', () => {
  it('writes one CRC-framed file per session and leaves no temp or lock files behind', async () => {
    const store = track(new FileStore({ dir }));
    await Promise.all([store.appendTurns('s-1', [turn('a')]), store.appendTurns('s-1', [turn('b')])]);
    const text = await readFile(store.sessionFile('s-1'), 'utf8');
    expect(text).toMatch(/^sdl1:[0-9a-f]{8}:\{"id":"s-1","turns":\[/);
    expect(await readdir(path.join(dir, 'sessions'))).toEqual(['s-1.rec']);
    await store.close(); // an answered append may still hold the lock for its checkpoint
    expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
  });

  it('gives ids that differ only in case their own files (case-insensitive file systems)', async () => {
    const store = track(new FileStore({ dir }));
    await store.appendTurns('User', [turn('upper')]);
    await store.appendTurns('user', [turn('lower')]);
    expect(path.basename(store.sessionFile('User'))).toBe('%55ser.rec');
    expect((await store.getSession('User'))!.turns[0]!.message.content).toBe('upper');
    expect((await store.getSession('user'))!.turns[0]!.message.content).toBe('lower');
  });

  it('hashes ids whose escaped file name would be too long', async () => {
    const store = track(new FileStore({ dir }));
    const id = 'A'.repeat(128);
    await store.appendTurns(id, [turn('long')]);
    expect(path.basename(store.sessionFile(id))).toMatch(/^~[0-9a-f]{64}\.rec$/);
    expect((await store.getSession(id))!.turns).toHaveLength(1);
  });

  it('creates nothing outside its directory whatever the id', async () => {
    const store = track(new FileStore({ dir: path.join(dir, 'store') }));
    for (const id of ['../x', '..%2Fx', '%2e%2e', 'a:b@c=d+e-f.g_h']) {
      await store.appendTurns(id, [turn('x')]).catch(() => undefined);
    }
    expect(await readdir(dir)).toEqual(['store']);
    // `%` is refused in ids, so only the last one was stored, under an escaped name.
    expect(await readdir(path.join(dir, 'store', 'sessions'))).toEqual(['a%3Ab%40c%3Dd%2Be-f.g_h.rec']);
  });

  it('with quarantine off, leaves a corrupt record in place, keeps refusing it, and lets it be deleted', async () => {
    const store = track(new FileStore({ dir, quarantine: false }));
    await store.appendTurns('c', [turn('hello')]);
    const file = store.sessionFile('c');
    await writeFile(file, (await readFile(file, 'utf8')).replace('hello', 'jello'));
    for (let i = 0; i < 2; i++) await expect(store.getSession('c')).rejects.toThrow(/CRC32 mismatch.*delete it to start over/);
    await expect(store.appendTurns('c', [turn('more')])).rejects.toThrow(/CRC32 mismatch/);
    expect(await store.deleteSession('c')).toBe(true);
    expect(await store.getSession('c')).toBeUndefined();
  });

  it('refuses a valid record copied over another session', async () => {
    const store = track(new FileStore({ dir }));
    await store.appendTurns('alice', [turn('for alice')]);
    await store.appendTurns('bob', [turn('for bob')]);
    await writeFile(store.sessionFile('bob'), await readFile(store.sessionFile('alice')));
    await expect(store.getSession('bob')).rejects.toThrow(/belongs to session "alice"/);
    expect((await store.getSession('alice'))!.turns[0]!.message.content).toBe('for alice');
  });

  it('breaks a lock left by a process that has exited', async () => {
    const store = track(new FileStore({ dir, lockTimeoutMs: 2000 }));
    await writeLock(store, { pid: deadPid(), host: hostname(), token: 't', at: 0 });
    expect(await store.appendTurns('s', [turn('after crash')])).toEqual({ version: 1, length: 1 });
  });

  it('breaks a lock older than lockStaleMs even when its pid is alive', async () => {
    const store = track(new FileStore({ dir, lockStaleMs: 5_000, lockTimeoutMs: 2000 }));
    await writeLock(store, { pid: process.pid, host: 'other-host', token: 't', at: 0 }, 60_000);
    expect((await store.appendTurns('s', [turn('x')])).version).toBe(1);
  });

  it('waits for a live lock and times out with a message naming the lock file', async () => {
    const store = track(new FileStore({ dir, lockTimeoutMs: 60 }));
    const lock = await writeLock(store, { pid: process.pid, host: hostname(), token: 't', at: Date.now() });
    const err = await store.appendTurns('s', [turn('x')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockTimeoutError);
    expect((err as Error).message).toContain(lock);
    expect(await store.getSession('s')).toBeUndefined();
  });

  it('purges expired records and stale temp files', async () => {
    const clock = { t: 1000, now: () => clock.t };
    const store = track(new FileStore({ dir, clock }));
    await store.appendTurns('old', [turn('x')], { ttlMs: 10 });
    await store.appendTurns('keep', [turn('y')]);
    await store.set('ns', 'k', 1, { ttlMs: 10 });
    const temp = path.join(dir, 'sessions', '.keep.rec.1.abcd.tmp');
    await writeFile(temp, 'partial');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(temp, old, old);
    clock.t += 10;
    expect(await store.purgeExpired()).toBe(2);
    expect((await readdir(path.join(dir, 'sessions'))).sort()).toEqual(['keep.rec']);
    expect(await readdir(path.join(dir, 'kv', 'ns'))).toEqual([]);
  });
});

describe('FileStore group commit', () => {
  it('commits appends that arrive together in one durable write, answering each one', async () => {
    const store = track(new FileStore({ dir }));
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => store.appendTurns('g', [turn(`a${i}`), turn(`b${i}`)])));
    expect(store.stats).toMatchObject({ appends: 16, commits: 1 });
    expect(results.map((r) => r.version)).toEqual(Array.from({ length: 16 }, (_, i) => 2 * (i + 1)));
    const session = await track(new FileStore({ dir })).getSession('g');
    expect(session!.turns.map((t) => t.message.content)).toEqual(Array.from({ length: 16 }, (_, i) => [`a${i}`, `b${i}`]).flat());
    expect(session!.turns.map((t) => t.seq)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  it('applies each append of a batch with its own expectedVersion, maxTurns and ttlMs, as one by one', async () => {
    const clock = { t: 1000, now: () => clock.t };
    const store = track(new FileStore({ dir, clock }));
    const outcomes = await Promise.allSettled([
      store.appendTurns('occ', [turn('first')], { expectedVersion: 0 }),
      store.appendTurns('occ', [turn('stale')], { expectedVersion: 0 }),
      store.appendTurns('occ', [turn('second')], { expectedVersion: 1, ttlMs: 50 }),
      store.appendTurns('occ', [turn('third'), turn('fourth')], { maxTurns: 3 }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'StateConflictError', expectedVersion: 0, actualVersion: 1 });
    expect((outcomes[3] as PromiseFulfilledResult<unknown>).value).toEqual({ version: 4, length: 3 });
    const session = await store.getSession('occ');
    expect(session!.turns.map((t) => [t.seq, t.message.content])).toEqual([
      [2, 'second'],
      [3, 'third'],
      [4, 'fourth'],
    ]);
    expect(session!.expiresAt).toBeUndefined(); // the last append had no ttlMs
    expect(store.stats).toMatchObject({ appends: 3, commits: 1 });
  });

  it('keeps every acknowledged append across kill -9 of a writer with 16 appends in flight, and cleans up after it', async () => {
    for (let round = 0; round < 3; round++) {
      const acked = await appendUntilKilled({ session: 'crash', label: `r${round}` }, 40 + round * 17);
      const store = track(new FileStore({ dir }));
      const session = await store.getSession('crash'); // never corrupt: it would throw
      const stored = new Set(session!.turns.map((t) => t.message.content));
      expect(acked.filter((c) => !stored.has(c))).toEqual([]);
      expect(session!.turns.map((t) => t.seq)).toEqual(Array.from({ length: session!.version }, (_, i) => i + 1));
      // The next writer (the restarted process) cleans whatever the killed one left behind.
      await store.appendTurns('crash', [turn(`after-${round}`)]);
      await store.close();
      expect((await readdir(path.join(dir, 'sessions'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
    }
  }, 90_000); // three child processes: a few seconds idle, much more on a loaded CI machine
});

describe('FileStore crash leftovers', () => {
  it('breaks an empty (0-byte) lock file at once', async () => {
    const store = track(new FileStore({ dir, lockTimeoutMs: 10_000, lockStaleMs: 10_000 }));
    const lock = await writeLock(store, {});
    await writeFile(lock, '');
    const started = Date.now();
    expect(await store.appendTurns('s', [turn('x')])).toEqual({ version: 1, length: 1 });
    expect(Date.now() - started).toBeLessThan(1000);
    await store.close();
    expect(await readdir(path.dirname(lock))).toEqual([]);
  });

  it('removes temp files and half-taken locks of writers that are gone before it first writes, and keeps live ones', async () => {
    const dead = deadPid();
    await mkdir(path.join(dir, 'sessions'), { recursive: true });
    await mkdir(path.join(dir, 'locks'), { recursive: true });
    const leftovers = [
      path.join(dir, 'sessions', `.s.rec.${dead}.1a2b3c4d.tmp`),
      path.join(dir, 'locks', `session.s.lock.${dead}.${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}.tmp`),
      path.join(dir, 'locks', `session.other.lock`),
    ];
    for (const file of leftovers) await writeFile(file, file.endsWith('other.lock') ? '' : 'partial');
    // A temp file of a running writer (this process' parent stands in for one) is left alone.
    const live = path.join(dir, 'sessions', `.t.rec.${process.ppid}.5e6f7a8b.tmp`);
    await writeFile(live, 'in flight');
    const store = track(new FileStore({ dir }));
    await store.appendTurns('s', [turn('after')]);
    await store.close();
    expect((await readdir(path.join(dir, 'sessions'))).sort()).toEqual([path.basename(live), 's.rec'].sort());
    expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
    expect(await store.removeLeftovers()).toBe(0);
  });
});

describe('FileStore session journal', () => {
  /** A session file's frame as the store writes it (turns bound to the session and their seq). */
  const sessionFrame = (id: string, contents: string[]) =>
    encodeRecord({ id, version: contents.length, turns: contents.map((c, i) => ({ at: 1, message: { role: 'user', content: c }, session: id, seq: i + 1 })) });

  it('commits appends to 16 sessions that arrive together in one journal write, in canonical frames, and leaves the journal empty at rest', async () => {
    const store = track(new FileStore({ dir }));
    await Promise.all(Array.from({ length: 16 }, (_, i) => store.appendTurns(`s${i}`, [turn(`first ${i}`)], { ttlMs: 60_000 })));
    expect(store.stats).toMatchObject({ appends: 16, commits: 1 });
    await Promise.all(Array.from({ length: 16 }, (_, i) => store.appendTurns(`s${i}`, [turn(`second ${i}`), turn(`third ${i}`)], { maxTurns: 2 })));
    expect(store.stats).toMatchObject({ appends: 32, commits: 2 });
    await store.close();
    expect((await readFile(store.sessionJournalFile)).length).toBe(0);
    const fresh = track(new FileStore({ dir }));
    for (let i = 0; i < 16; i++) {
      const session = await fresh.getSession(`s${i}`);
      expect(session!.turns.map((t) => [t.seq, t.message.content])).toEqual([
        [2, `second ${i}`],
        [3, `third ${i}`],
      ]);
      expect(session!.expiresAt).toBeUndefined();
      // The file is built from the turns' canonical JSON: exactly what encodeRecord frames.
      const text = await readFile(store.sessionFile(`s${i}`), 'utf8');
      const { decodeRecord } = await import('../../src/state/index.js');
      expect(encodeRecord(decodeRecord(text, { key: 'k', location: 'l' }))).toBe(text);
    }
  });

  // After a crash or a power loss the session file can be behind the journal, half written or gone.
  const damages: [string, (file: string) => Promise<void>][] = [
    ['half written (a write torn by kill -9 or lost by a power loss)', async (file) => writeFile(file, (await readFile(file, 'utf8')).slice(0, 40))],
    ['gone (its creation was not yet on disk)', async (file) => rm(file)],
    ['an older state (the in-place write never reached the disk)', async (file) => writeFile(file, sessionFrame('s1', ['a']))],
  ];
  for (const [what, damage] of damages) {
    it(`replays the journal before the first read when the session file is ${what}; a torn last frame and removed sessions stay out`, async () => {
      const first = track(new FileStore({ dir }));
      await first.appendTurns('s1', [{ ...turn('a'), at: 1 }]);
      await first.appendTurns('gone', [turn('deleted later')]);
      await first.close();
      // What the journal holds when a writer died after committing, before the checkpoint: s1 with
      // two turns, "gone" deleted, and a frame it never finished (never acknowledged).
      const committed = encodeJournalFrame([
        { id: 's1', frame: Buffer.from(sessionFrame('s1', ['a', 'b'])) },
        { id: 'gone', frame: null },
      ]);
      const torn = encodeJournalFrame([{ id: 's1', frame: Buffer.from(sessionFrame('s1', ['a', 'b', 'never acknowledged'])) }]);
      await writeFile(first.sessionJournalFile, Buffer.concat([committed, torn.subarray(0, torn.length - 7)]));
      expect(parseJournal(await readFile(first.sessionJournalFile)).frames).toBe(1);
      await damage(first.sessionFile('s1'));
      await writeLock(first, { pid: deadPid(), host: hostname(), token: 't', at: 0 });

      const store = track(new FileStore({ dir }));
      expect((await store.getSession('s1'))!.turns.map((t) => t.message.content)).toEqual(['a', 'b']);
      expect(await store.getSession('gone')).toBeUndefined();
      expect(await store.appendTurns('s1', [turn('c')])).toEqual({ version: 3, length: 3 });
      await store.close();
      expect((await readFile(store.sessionJournalFile)).length).toBe(0);
      expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
      expect(await readdir(path.join(dir, 'quarantine')).catch(() => [])).toEqual([]);
    });
  }

  it('serves a session file a lockless read caught half rewritten by reading it again under the lock, without quarantining it', async () => {
    const first = track(new FileStore({ dir }));
    await first.appendTurns('r', [turn('one'), turn('two')]);
    await first.close();
    const file = first.sessionFile('r');
    const whole = await readFile(file);
    await writeFile(file, whole.subarray(0, whole.length - 20)); // a writer mid-way through its rewrite
    const lock = await writeLock(first, { pid: process.pid, host: hostname(), token: 'writer', at: Date.now() });
    const store = track(new FileStore({ dir }));
    const reading = store.getSession('r');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writeFile(file, whole); // the writer finishes and releases the lock
    await rm(lock);
    expect((await reading)!.turns.map((t) => t.message.content)).toEqual(['one', 'two']);
    expect(await readdir(path.join(dir, 'quarantine')).catch(() => [])).toEqual([]);
  });

  it('checkpoints a busy store without losing a turn when the journal passes journalMaxBytes', async () => {
    const store = track(new FileStore({ dir, journalMaxBytes: 1 }));
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 12; i++) await store.appendTurns(`w${w % 4}`, [turn(`${w}-${i}`)]);
      }),
    );
    await store.close();
    expect(store.stats.checkpoints).toBeGreaterThanOrEqual(2);
    expect((await readFile(store.sessionJournalFile)).length).toBe(0);
    const fresh = track(new FileStore({ dir }));
    for (let s = 0; s < 4; s++) {
      const session = await fresh.getSession(`w${s}`);
      expect(session!.turns.map((t) => t.seq)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
      expect(new Set(session!.turns.map((t) => t.message.content)).size).toBe(48);
    }
  });

  it('keeps every acknowledged append across kill -9 of a writer appending to 16 sessions at once', async () => {
    const acked = await appendUntilKilled({ session: 'multi', sessions: 16, label: 'm' }, 200);
    const store = track(new FileStore({ dir }));
    for (let w = 0; w < 16; w++) {
      const session = await store.getSession(`multi-${w}`); // never corrupt: it would throw
      const stored = new Set(session?.turns.map((t) => t.message.content) ?? []);
      expect(acked.filter((c) => c.startsWith(`m-${w}-`) && !stored.has(c))).toEqual([]);
      expect(session?.turns.map((t) => t.seq) ?? []).toEqual(Array.from({ length: session?.version ?? 0 }, (_, i) => i + 1));
    }
    await store.appendTurns('multi-0', [turn('after')]);
    await store.close();
    expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
    expect((await readFile(store.sessionJournalFile)).length).toBe(0);
  }, 60_000);
});
