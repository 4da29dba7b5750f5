/** What only the file store does: file layout, durability details and its cross-process lock. */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore, StateLockTimeoutError } from '../../src/state/index.js';

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
