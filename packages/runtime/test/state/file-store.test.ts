/** What only the file store does: file layout, durability details and its cross-process lock. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore, StateLockTimeoutError } from '../../src/state/index.js';

const CHILD = fileURLToPath(new URL('./fixtures/store-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sdl-file-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const turn = (content: string) => ({ message: { role: 'user' as const, content } });

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function writeLock(store: FileStore, sessionId: string, info: object, ageMs = 0): Promise<string> {
  const lock = path.join(store.dir, 'locks', `session.${path.basename(store.sessionFile(sessionId), '.rec')}.lock`);
  await mkdir(path.dirname(lock), { recursive: true });
  await writeFile(lock, JSON.stringify(info));
  if (ageMs) {
    const t = new Date(Date.now() - ageMs);
    await utimes(lock, t, t);
  }
  return lock;
}

describe('FileStore', () => {
  it('writes one CRC-framed file per session and leaves no temp or lock files behind', async () => {
    const store = new FileStore({ dir });
    await Promise.all([store.appendTurns('s-1', [turn('a')]), store.appendTurns('s-1', [turn('b')])]);
    const text = await readFile(store.sessionFile('s-1'), 'utf8');
    expect(text).toMatch(/^sdl1:[0-9a-f]{8}:\{"id":"s-1","turns":\[/);
    expect(await readdir(path.join(dir, 'sessions'))).toEqual(['s-1.rec']);
    expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
  });

  it('gives ids that differ only in case their own files (case-insensitive file systems)', async () => {
    const store = new FileStore({ dir });
    await store.appendTurns('User', [turn('upper')]);
    await store.appendTurns('user', [turn('lower')]);
    expect(path.basename(store.sessionFile('User'))).toBe('%55ser.rec');
    expect((await store.getSession('User'))!.turns[0]!.message.content).toBe('upper');
    expect((await store.getSession('user'))!.turns[0]!.message.content).toBe('lower');
  });

  it('hashes ids whose escaped file name would be too long', async () => {
    const store = new FileStore({ dir });
    const id = 'A'.repeat(128);
    await store.appendTurns(id, [turn('long')]);
    expect(path.basename(store.sessionFile(id))).toMatch(/^~[0-9a-f]{64}\.rec$/);
    expect((await store.getSession(id))!.turns).toHaveLength(1);
  });

  it('creates nothing outside its directory whatever the id', async () => {
    const store = new FileStore({ dir: path.join(dir, 'store') });
    for (const id of ['../x', '..%2Fx', '%2e%2e', 'a:b@c=d+e-f.g_h']) {
      await store.appendTurns(id, [turn('x')]).catch(() => undefined);
    }
    expect(await readdir(dir)).toEqual(['store']);
    // `%` is refused in ids, so only the last one was stored, under an escaped name.
    expect(await readdir(path.join(dir, 'store', 'sessions'))).toEqual(['a%3Ab%40c%3Dd%2Be-f.g_h.rec']);
  });

  it('with quarantine off, leaves a corrupt record in place, keeps refusing it, and lets it be deleted', async () => {
    const store = new FileStore({ dir, quarantine: false });
    await store.appendTurns('c', [turn('hello')]);
    const file = store.sessionFile('c');
    await writeFile(file, (await readFile(file, 'utf8')).replace('hello', 'jello'));
    for (let i = 0; i < 2; i++) await expect(store.getSession('c')).rejects.toThrow(/CRC32 mismatch.*delete it to start over/);
    await expect(store.appendTurns('c', [turn('more')])).rejects.toThrow(/CRC32 mismatch/);
    expect(await store.deleteSession('c')).toBe(true);
    expect(await store.getSession('c')).toBeUndefined();
  });

  it('refuses a valid record copied over another session', async () => {
    const store = new FileStore({ dir });
    await store.appendTurns('alice', [turn('for alice')]);
    await store.appendTurns('bob', [turn('for bob')]);
    await writeFile(store.sessionFile('bob'), await readFile(store.sessionFile('alice')));
    await expect(store.getSession('bob')).rejects.toThrow(/belongs to session "alice"/);
    expect((await store.getSession('alice'))!.turns[0]!.message.content).toBe('for alice');
  });

  it('breaks a lock left by a process that has exited', async () => {
    const store = new FileStore({ dir, lockTimeoutMs: 2000 });
    await writeLock(store, 's', { pid: deadPid(), host: hostname(), token: 't', at: 0 });
    expect(await store.appendTurns('s', [turn('after crash')])).toEqual({ version: 1, length: 1 });
  });

  it('breaks a lock older than lockStaleMs even when its pid is alive', async () => {
    const store = new FileStore({ dir, lockStaleMs: 5_000, lockTimeoutMs: 2000 });
    await writeLock(store, 's', { pid: process.pid, host: 'other-host', token: 't', at: 0 }, 60_000);
    expect((await store.appendTurns('s', [turn('x')])).version).toBe(1);
  });

  it('waits for a live lock and times out with a message naming the lock file', async () => {
    const store = new FileStore({ dir, lockTimeoutMs: 60 });
    const lock = await writeLock(store, 's', { pid: process.pid, host: hostname(), token: 't', at: Date.now() });
    const err = await store.appendTurns('s', [turn('x')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockTimeoutError);
    expect((err as Error).message).toContain(lock);
    expect(await store.getSession('s')).toBeUndefined();
  });

  it('purges expired records and stale temp files', async () => {
    const clock = { t: 1000, now: () => clock.t };
    const store = new FileStore({ dir, clock });
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
    const store = new FileStore({ dir });
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => store.appendTurns('g', [turn(`a${i}`), turn(`b${i}`)])));
    expect(store.stats).toEqual({ appends: 16, commits: 1 });
    expect(results.map((r) => r.version)).toEqual(Array.from({ length: 16 }, (_, i) => 2 * (i + 1)));
    const session = await new FileStore({ dir }).getSession('g');
    expect(session!.turns.map((t) => t.message.content)).toEqual(Array.from({ length: 16 }, (_, i) => [`a${i}`, `b${i}`]).flat());
    expect(session!.turns.map((t) => t.seq)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  it('applies each append of a batch with its own expectedVersion, maxTurns and ttlMs, as one by one', async () => {
    const clock = { t: 1000, now: () => clock.t };
    const store = new FileStore({ dir, clock });
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
    expect(store.stats).toEqual({ appends: 3, commits: 1 });
  });

  it('keeps every acknowledged append across kill -9 of a writer with 16 appends in flight, and cleans up after it', async () => {
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ store: { kind: 'file', dir }, session: 'crash', action: 'appendForever', label: `r${round}` })], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const acked: string[] = [];
      let buffered = '';
      await new Promise<void>((resolve) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          acked.push(...lines);
          if (acked.length >= 40 + round * 17) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      await new Promise((resolve) => child.once('exit', resolve));
      const store = new FileStore({ dir });
      const session = await store.getSession('crash'); // never corrupt: it would throw
      const stored = new Set(session!.turns.map((t) => t.message.content));
      expect(acked.filter((c) => !stored.has(c))).toEqual([]);
      expect(session!.turns.map((t) => t.seq)).toEqual(Array.from({ length: session!.version }, (_, i) => i + 1));
      // The next writer (the restarted process) cleans whatever the killed one left behind.
      await store.appendTurns('crash', [turn(`after-${round}`)]);
      expect((await readdir(path.join(dir, 'sessions'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
    }
  }, 90_000); // three child processes: a few seconds idle, much more on a loaded CI machine
});

describe('FileStore crash leftovers', () => {
  it('breaks an empty (0-byte) lock file at once', async () => {
    const store = new FileStore({ dir, lockTimeoutMs: 10_000, lockStaleMs: 10_000 });
    const lock = await writeLock(store, 's', {});
    await writeFile(lock, '');
    const started = Date.now();
    expect(await store.appendTurns('s', [turn('x')])).toEqual({ version: 1, length: 1 });
    expect(Date.now() - started).toBeLessThan(1000);
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
    const store = new FileStore({ dir });
    await store.appendTurns('s', [turn('after')]);
    expect((await readdir(path.join(dir, 'sessions'))).sort()).toEqual([path.basename(live), 's.rec'].sort());
    expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
    expect(await store.removeLeftovers()).toBe(0);
  });
});
