/**
 * One behavioural suite for every StateStore: memory, file and Redis (the real one at
 * 127.0.0.1:6379; it fails in CI when Redis is missing). Every case runs for every store. What
 * differs between stores is data in the row (`facts`, below), asserted by the same case, never a
 * case that only some stores run. Each row also says how to tamper with its stored bytes, how time
 * passes for its TTLs and how another process reaches it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileStore,
  InvalidStateKeyError,
  MemoryStore,
  RedisStore,
  StateConflictError,
  StateCorruptionError,
  StateValueError,
  decodeRecord,
  encodeRecord,
} from '../../src/state/index.js';
import type { Message } from '@sdl/adapters';
import type { Session, StateStore } from '../../src/state/index.js';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/store-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A clock that moves only when told. */
class ManualClock {
  t = 1_800_000_000_000;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Where the stores differ; each case asserts these, so the differences are visible here. */
interface StoreFacts {
  /** What happens to a corrupt record: kept aside for inspection, or discarded. */
  quarantine: 'kept' | 'discarded';
  /** How far `expiresAt` may be from `now + ttl` (Redis reports `now + PTTL`, counted in real time). */
  expiresAtSlackMs: number;
  /** Whether a process started later (a restart) sees what this one stored. */
  survivesRestart: boolean;
  /** Whether two processes appending at once share one session. */
  sharedAcrossProcesses: boolean;
}

const FACTS: Record<'memory' | 'file' | 'redis', StoreFacts> = {
  memory: { quarantine: 'discarded', expiresAtSlackMs: 0, survivesRestart: false, sharedAcrossProcesses: false },
  file: { quarantine: 'kept', expiresAtSlackMs: 0, survivesRestart: true, sharedAcrossProcesses: true },
  redis: { quarantine: 'kept', expiresAtSlackMs: 250, survivesRestart: true, sharedAcrossProcesses: true },
};

interface StoreRow {
  name: keyof typeof FACTS;
  facts: StoreFacts;
  /** A fresh store over the same backing data (a "restart" within this process). */
  open(): StateStore;
  clock: ManualClock;
  /** Lets `ms` pass for TTLs: the injected clock, and for Redis the keys' PTTLs too. */
  elapse(ms: number): Promise<void>;
  /** Changes one byte inside the stored payload of the session's first record. */
  corruptSession(store: StateStore, sessionId: string, needle: string): Promise<void>;
  corruptSnapshot(store: StateStore, runId: string, needle: string): Promise<void>;
  /** Copies the stored turn at window index `from` over the one at `to`, valid CRC and all. */
  copyTurn(store: StateStore, sessionId: string, from: number, to: number): Promise<void>;
  /** Copies a session's stored bytes over another session's. */
  copySession(store: StateStore, fromId: string, toId: string): Promise<void>;
  /** Sets the session's stored version counter (validly framed where the store frames it). */
  setVersion(store: StateStore, sessionId: string, version: number): Promise<void>;
  /** Copies a snapshot's stored bytes over another run's. */
  copySnapshot(store: StateStore, fromId: string, toId: string): Promise<void>;
  /** The contents of the quarantined records the store kept (none when it discards them). */
  quarantined(): Promise<string[]>;
  /** How another process opens this store. */
  childStore: object;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

/** Flips one letter of `needle` so the payload stays valid JSON and only the CRC can tell. */
function flip(frame: string, needle: string): string {
  const at = frame.indexOf(needle);
  if (at < 0) throw new Error(`test bug: ${needle} not in record`);
  const ch = frame[at]!;
  return frame.slice(0, at) + (ch === 'x' ? 'y' : 'x') + frame.slice(at + 1);
}

const user = (content: string): { message: Message } => ({ message: { role: 'user', content } });

function memoryRow(): StoreRow {
  const clock = new ManualClock();
  let shared: MemoryStore | undefined;
  // Memory has no bytes at rest outside the process, so the test reaches the private frames.
  type Internals = { sessions: Map<string, { frames: string[]; version: number }>; values: Map<string, { frame: string }> };
  const internals = (store: StateStore) => store as unknown as Internals;
  return {
    name: 'memory',
    facts: FACTS.memory,
    clock,
    open: () => (shared ??= new MemoryStore({ clock })),
    async elapse(ms) {
      clock.advance(ms);
    },
    async corruptSession(store, id, needle) {
      const entry = internals(store).sessions.get(id)!;
      entry.frames[0] = flip(entry.frames[0]!, needle);
    },
    async corruptSnapshot(store, id, needle) {
      const entry = internals(store).values.get(`snapshot:${id}`)!;
      entry.frame = flip(entry.frame, needle);
    },
    async copyTurn(store, id, from, to) {
      const frames = internals(store).sessions.get(id)!.frames;
      frames[to] = frames[from]!;
    },
    async copySession(store, fromId, toId) {
      const { sessions } = internals(store);
      sessions.set(toId, structuredClone(sessions.get(fromId)!));
    },
    async setVersion(store, id, version) {
      internals(store).sessions.get(id)!.version = version;
    },
    async copySnapshot(store, fromId, toId) {
      const { values } = internals(store);
      values.set(`snapshot:${toId}`, { ...values.get(`snapshot:${fromId}`)! });
    },
    async quarantined() {
      return [];
    },
    childStore: { kind: 'memory' },
    async setup() {
      shared = undefined;
    },
    async teardown() {},
  };
}

/** Rewrites a file-store record with a change to its decoded payload and a valid CRC. */
async function rewriteRecord(file: string, change: (value: Record<string, unknown>) => void): Promise<void> {
  const value = decodeRecord(await readFile(file, 'utf8'), { key: 'test', location: file }) as Record<string, unknown>;
  change(value);
  await writeFile(file, encodeRecord(value));
}

function fileRow(): StoreRow {
  const clock = new ManualClock();
  const row: StoreRow & { dir: string } = {
    name: 'file',
    facts: FACTS.file,
    dir: '',
    clock,
    open: () => new FileStore({ dir: row.dir, clock }),
    async elapse(ms) {
      clock.advance(ms);
    },
    async corruptSession(store, id, needle) {
      const file = (store as FileStore).sessionFile(id);
      await writeFile(file, flip(await readFile(file, 'utf8'), needle));
    },
    async corruptSnapshot(store, id, needle) {
      const file = (store as FileStore).snapshotFile(id);
      await writeFile(file, flip(await readFile(file, 'utf8'), needle));
    },
    async copyTurn(store, id, from, to) {
      await rewriteRecord((store as FileStore).sessionFile(id), (v) => {
        const turns = v.turns as unknown[];
        turns[to] = turns[from];
      });
    },
    async copySession(store, fromId, toId) {
      await writeFile((store as FileStore).sessionFile(toId), await readFile((store as FileStore).sessionFile(fromId)));
    },
    async setVersion(store, id, version) {
      await rewriteRecord((store as FileStore).sessionFile(id), (v) => {
        v.version = version;
      });
    },
    async copySnapshot(store, fromId, toId) {
      await writeFile((store as FileStore).snapshotFile(toId), await readFile((store as FileStore).snapshotFile(fromId)));
    },
    async quarantined() {
      const dir = path.join(row.dir, 'quarantine');
      const names = await readdir(dir).catch(() => [] as string[]);
      return Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8')));
    },
    get childStore() {
      return { kind: 'file', dir: row.dir };
    },
    async setup() {
      row.dir = await mkdtemp(path.join(tmpdir(), 'sdl-state-'));
    },
    async teardown() {
      await rm(row.dir, { recursive: true, force: true });
    },
  };
  return row;
}

function redisRow(): StoreRow {
  const clock = new ManualClock();
  const runPrefix = `sdltest:${process.pid}:${Date.now()}:`;
  let testNo = 0;
  let admin: Redis | undefined;
  const opened: RedisStore[] = [];
  const row: StoreRow & { prefix: string } = {
    name: 'redis',
    facts: FACTS.redis,
    prefix: '',
    clock,
    open() {
      const store = new RedisStore({ redis: REDIS_URL, prefix: row.prefix, clock });
      opened.push(store);
      return store;
    },
    async elapse(ms) {
      clock.advance(ms);
      // Redis counts TTLs itself, in real time: take `ms` off every key's remaining PTTL.
      for (const key of await admin!.keys(`${row.prefix}*`)) {
        const pttl = await admin!.pttl(key);
        if (pttl < 0) continue;
        if (pttl <= ms) await admin!.del(key);
        else await admin!.pexpire(key, pttl - ms);
      }
    },
    async corruptSession(store, id, needle) {
      const key = (store as RedisStore).sessionKeys(id).turns;
      await admin!.lset(key, 0, flip((await admin!.lindex(key, 0))!, needle));
    },
    async corruptSnapshot(store, id, needle) {
      const key = (store as RedisStore).snapshotKey(id);
      await admin!.set(key, flip((await admin!.get(key))!, needle), 'KEEPTTL');
    },
    async copyTurn(store, id, from, to) {
      const key = (store as RedisStore).sessionKeys(id).turns;
      await admin!.lset(key, to, (await admin!.lindex(key, from))!);
    },
    async copySession(store, fromId, toId) {
      const from = (store as RedisStore).sessionKeys(fromId);
      const to = (store as RedisStore).sessionKeys(toId);
      await admin!.del(to.turns);
      await admin!.rpush(to.turns, ...(await admin!.lrange(from.turns, 0, -1)));
      await admin!.set(to.version, (await admin!.get(from.version))!);
    },
    async setVersion(store, id, version) {
      await admin!.set((store as RedisStore).sessionKeys(id).version, String(version));
    },
    async copySnapshot(store, fromId, toId) {
      const s = store as RedisStore;
      await admin!.set(s.snapshotKey(toId), (await admin!.get(s.snapshotKey(fromId)))!);
    },
    async quarantined() {
      const keys = await admin!.keys(`${row.prefix}quarantine:*`);
      const out: string[] = [];
      for (const key of keys) {
        out.push((await admin!.type(key)) === 'list' ? (await admin!.lrange(key, 0, -1)).join('\n') : ((await admin!.get(key)) ?? ''));
      }
      return out;
    },
    get childStore() {
      return { kind: 'redis', url: REDIS_URL, prefix: row.prefix };
    },
    async setup() {
      admin ??= new Redis(REDIS_URL);
      row.prefix = `${runPrefix}${++testNo}:`;
    },
    async teardown() {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      const keys = await admin!.keys(`${row.prefix}*`);
      if (keys.length) await admin!.del(...keys);
    },
  };
  afterAll(async () => {
    await admin?.quit();
  });
  return row;
}

async function inChild(row: StoreRow, job: object): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ store: row.childStore, ...job })], {
    cwd: REPO_ROOT,
    timeout: 60_000, // a child starts in about a second idle, far slower on a loaded CI machine
  });
  return JSON.parse(stdout) as unknown;
}

const contents = (s: Session | undefined) => s?.turns.map((t) => t.message.content);

function contract(makeRow: () => StoreRow): void {
  const row = makeRow();
  let store: StateStore;

  beforeEach(async () => {
    await row.setup();
    store = row.open();
  });
  afterEach(async () => {
    await store.close();
    await row.teardown();
  });

  it('returns appended turns in order with seq, engine, time and tool calls intact', async () => {
    const call: Message = {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'lookup_term', arguments: { term: 'CRC', nested: { n: [1, 2.5, null] } } }],
    };
    await store.appendTurns('s1', [user('hello'), { message: call, engine: 'claude' }]);
    await store.appendTurns('s1', [
      { message: { role: 'tool', toolCallId: 'call_1', name: 'lookup_term', content: '{"ok":true}' }, engine: 'openai', at: 42 },
    ]);
    const session = await store.getSession('s1');
    expect(session).toMatchObject({ id: 's1', version: 3 });
    expect(session!.turns.map((t) => t.seq)).toEqual([1, 2, 3]);
    expect(session!.turns[0]).toEqual({ seq: 1, message: { role: 'user', content: 'hello' }, at: row.clock.now() });
    expect(session!.turns[1]).toEqual({ seq: 2, message: call, engine: 'claude', at: row.clock.now() });
    expect(session!.turns[2]!.at).toBe(42);
    expect(session!.turns[2]!.message).toEqual({ role: 'tool', toolCallId: 'call_1', name: 'lookup_term', content: '{"ok":true}' });
    expect(await store.getSession('other')).toBeUndefined();
  });

  it('keeps only the last maxTurns turns while the version counts every turn', async () => {
    for (let i = 0; i < 7; i++) {
      const r = await store.appendTurns('win', [user(`t${i}`)], { maxTurns: 5 });
      expect(r).toEqual({ version: i + 1, length: Math.min(i + 1, 5) });
    }
    const r = await store.appendTurns('win', [user('a'), user('b'), user('c')], { maxTurns: 2 });
    expect(r).toEqual({ version: 10, length: 2 });
    const session = await store.getSession('win');
    expect(contents(session)).toEqual(['b', 'c']);
    expect(session!.turns.map((t) => t.seq)).toEqual([9, 10]);
  });

  it('refuses an append whose expectedVersion is stale and appends nothing', async () => {
    await store.appendTurns('occ', [user('one')], { expectedVersion: 0 });
    await expect(store.appendTurns('occ', [user('two')], { expectedVersion: 0 })).rejects.toMatchObject({
      name: 'StateConflictError',
      expectedVersion: 0,
      actualVersion: 1,
    });
    await expect(store.appendTurns('occ', [user('two')], { expectedVersion: 5 })).rejects.toBeInstanceOf(StateConflictError);
    expect(await store.appendTurns('occ', [user('two')], { expectedVersion: 1 })).toEqual({ version: 2, length: 2 });
    expect(contents(await store.getSession('occ'))).toEqual(['one', 'two']);
  });

  it('deletes sessions', async () => {
    await store.appendTurns('gone', [user('x')]);
    expect(await store.deleteSession('gone')).toBe(true);
    expect(await store.getSession('gone')).toBeUndefined();
    expect(await store.deleteSession('gone')).toBe(false);
    expect((await store.appendTurns('gone', [user('fresh')])).version).toBe(1);
  });

  it('expires a session after its TTL, and every append refreshes the TTL', async () => {
    await store.appendTurns('ttl', [user('a')], { ttlMs: 10_000 });
    await row.elapse(6_000);
    await store.appendTurns('ttl', [user('b')], { ttlMs: 10_000 });
    await row.elapse(9_000);
    const alive = await store.getSession('ttl');
    expect(contents(alive)).toEqual(['a', 'b']);
    expect(Math.abs(alive!.expiresAt! - (row.clock.now() + 1_000))).toBeLessThanOrEqual(row.facts.expiresAtSlackMs);
    await row.elapse(1_000);
    expect(await store.getSession('ttl')).toBeUndefined();
    // An expired session is gone: a new one starts from version 0.
    expect(await store.appendTurns('ttl', [user('c')], { ttlMs: 10_000 })).toEqual({ version: 1, length: 1 });
  });

  it('makes a session permanent again when an append has no ttlMs', async () => {
    await store.appendTurns('perm', [user('a')], { ttlMs: 5_000 });
    await store.appendTurns('perm', [user('b')]);
    expect((await store.getSession('perm'))!.expiresAt).toBeUndefined();
    await row.elapse(10_000);
    expect(contents(await store.getSession('perm'))).toEqual(['a', 'b']);
  });

  it('expires snapshots and values after their TTL', async () => {
    await store.putSnapshot('run-1', { step: 'a' }, { ttlMs: 5_000 });
    await store.set('cost', 'sess-1', 0.25, { ttlMs: 10_000 });
    await row.elapse(5_000);
    expect(await store.getSnapshot('run-1')).toBeUndefined();
    expect((await store.get('cost', 'sess-1'))?.value).toBe(0.25);
    await row.elapse(5_000);
    expect(await store.get('cost', 'sess-1')).toBeUndefined();
  });

  it('loses and duplicates nothing under 50 concurrent appends', async () => {
    const appends = Array.from({ length: 50 }, (_, i) => store.appendTurns('busy', [user(`c${i}`)], { maxTurns: 1000 }));
    const results = await Promise.all(appends);
    expect(new Set(results.map((r) => r.version)).size).toBe(50);
    const session = await store.getSession('busy');
    expect(session!.version).toBe(50);
    expect([...contents(session)!].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`).sort());
  });

  it('keeps an exact window under concurrent appends from two store instances', async () => {
    const second = row.open();
    try {
      const appends = Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? second : store).appendTurns('shared', [user(`p${i}`), user(`q${i}`)], { maxTurns: 30 }),
      );
      await Promise.all(appends);
      const session = await second.getSession('shared');
      expect(session!.version).toBe(80);
      expect(session!.turns).toHaveLength(30);
      // Each append's two turns stay adjacent: appends are atomic, never interleaved.
      const c = contents(session)!;
      const start = c[0]!.startsWith('q') ? 1 : 0;
      for (let i = start; i + 1 < c.length; i += 2) expect(c[i + 1]).toBe(c[i]!.replace('p', 'q'));
    } finally {
      if (second !== store) await second.close();
    }
  });

  it('detects a corrupt turn, never serves it, and quarantines it', async () => {
    await store.appendTurns('bad', [user('secret-turn'), user('second')]);
    await row.corruptSession(store, 'bad', 'secret-turn');
    const error = await store.getSession('bad').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StateCorruptionError);
    const e = error as StateCorruptionError;
    expect(e.key).toBe('session:bad');
    expect(e.expectedCrc).toMatch(/^[0-9a-f]{8}$/);
    expect(e.actualCrc).toMatch(/^[0-9a-f]{8}$/);
    expect(e.actualCrc).not.toBe(e.expectedCrc);
    expect(e.message).toContain('CRC32 mismatch');
    expect(e.message).not.toContain('second'); // no record contents in errors
    // Never served afterwards: the record was moved out of the way (kept or discarded, per store).
    expect(e.quarantinedTo === 'discarded' ? 'discarded' : 'kept').toBe(row.facts.quarantine);
    expect(await store.getSession('bad')).toBeUndefined();
    expect((await row.quarantined()).join('\n').includes('second')).toBe(row.facts.quarantine === 'kept');
    expect((await store.appendTurns('bad', [user('fresh')])).version).toBe(1);
  });

  it.each([
    ['a valid turn copied to another position', 'moved'],
    ['a valid turn replayed over a later one', 'replayed'],
  ] as const)('detects %s, never serves it, quarantines it, and later reads work', async (_what, how) => {
    await store.appendTurns('pos', [user('t1'), user('t2'), user('t3')]);
    await row.copyTurn(store, 'pos', how === 'moved' ? 2 : 0, how === 'moved' ? 0 : 2);
    const err = await store.getSession('pos').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateCorruptionError);
    expect((err as StateCorruptionError).message).toMatch(/position/);
    expect(await store.getSession('pos')).toBeUndefined();
    expect(await store.appendTurns('pos', [user('fresh')])).toEqual({ version: 1, length: 1 });
    expect(contents(await store.getSession('pos'))).toEqual(['fresh']);
  });

  it("detects another session's valid record, never serves it, and later reads of both work", async () => {
    await store.appendTurns('alice', [user('for alice')]);
    await store.appendTurns('bob', [user('for bob')]);
    await row.copySession(store, 'alice', 'bob');
    const err = await store.getSession('bob').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateCorruptionError);
    expect((err as Error).message).toMatch(/belongs to session "alice"/);
    expect(await store.getSession('bob')).toBeUndefined();
    expect(contents(await store.getSession('alice'))).toEqual(['for alice']);
    await store.appendTurns('bob', [user('bob again')]);
    expect(contents(await store.getSession('bob'))).toEqual(['bob again']);
  });

  it.each([
    ['smaller than the retained turns', 1],
    ['larger than the last turn', 9],
  ])('treats a version counter %s as corruption (never negative seq numbers), on read and on append', async (_what, version) => {
    await store.appendTurns('ctr', [user('kept-for-inspection'), user('two'), user('three')]);
    await row.setVersion(store, 'ctr', version);
    await expect(store.getSession('ctr')).rejects.toBeInstanceOf(StateCorruptionError);
    expect(await store.getSession('ctr')).toBeUndefined();
    expect((await row.quarantined()).join('\n').includes('kept-for-inspection')).toBe(row.facts.quarantine === 'kept');
    await store.appendTurns('ctr', [user('again'), user('and again')]);
    await row.setVersion(store, 'ctr', 1);
    await expect(store.appendTurns('ctr', [user('lost?')])).rejects.toBeInstanceOf(StateCorruptionError);
    expect(await store.getSession('ctr')).toBeUndefined();
    const fresh = await store.appendTurns('ctr', [user('new')]);
    expect(fresh).toEqual({ version: 1, length: 1 });
    expect((await store.getSession('ctr'))!.turns.map((t) => t.seq)).toEqual([1]);
  });

  it("detects another run's valid snapshot copied over this one's", async () => {
    await store.putSnapshot('run-a', { for: 'a' });
    await store.putSnapshot('run-b', { for: 'b' });
    await row.copySnapshot(store, 'run-a', 'run-b');
    await expect(store.getSnapshot('run-b')).rejects.toThrow(/belongs to "snapshot/);
    expect(await store.getSnapshot('run-b')).toBeUndefined();
    expect((await store.getSnapshot('run-a'))!.value).toEqual({ for: 'a' });
  });

  it('detects a corrupt snapshot and never serves it', async () => {
    await store.putSnapshot('run-9', { step: 'secret-step', outputs: { a: [1, 2] } });
    expect((await store.getSnapshot('run-9'))!.value).toEqual({ step: 'secret-step', outputs: { a: [1, 2] } });
    await row.corruptSnapshot(store, 'run-9', 'secret-step');
    await expect(store.getSnapshot('run-9')).rejects.toBeInstanceOf(StateCorruptionError);
    expect(await store.getSnapshot('run-9')).toBeUndefined();
  });

  it('stores snapshots and namespaced values as JSON and refuses what JSON cannot hold', async () => {
    const snapshot = { steps: { a: { output: 'x', done: true } }, pending: ['b'], n: -1.5e-7, u: 'é漢字😀' };
    await store.putSnapshot('run-2', snapshot);
    const got = await store.getSnapshot('run-2');
    expect(got).toMatchObject({ value: snapshot, savedAt: row.clock.now() });
    await store.set('cost', 'sess:1', { usd: 0.5 });
    expect((await store.get('cost', 'sess:1'))!.value).toEqual({ usd: 0.5 });
    expect(await store.get('cost', 'sess:2')).toBeUndefined();
    expect(await store.delete('cost', 'sess:1')).toBe(true);
    expect(await store.get('cost', 'sess:1')).toBeUndefined();
    expect(await store.deleteSnapshot('run-2')).toBe(true);
    await expect(store.putSnapshot('run-3', { n: Number.NaN } as never)).rejects.toBeInstanceOf(StateValueError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.set('ns', 'k', cyclic as never)).rejects.toThrow(/cyclic/);
    expect(await store.getSnapshot('run-3')).toBeUndefined();
    await expect(store.appendTurns('s', [{ message: { role: 'robot', content: 'x' } as never }])).rejects.toThrow(/role/);
    expect(await store.getSession('s')).toBeUndefined();
  });

  it.each([
    '../../etc/passwd',
    '..',
    '.hidden',
    'a/b',
    '/abs',
    'a\\b',
    '',
    'x'.repeat(129),
    'nul\0byte',
    'sp ace',
    'brace{x}',
  ])('refuses the session id %j', async (id) => {
    await expect(store.appendTurns(id, [user('x')])).rejects.toBeInstanceOf(InvalidStateKeyError);
    await expect(store.getSession(id)).rejects.toBeInstanceOf(InvalidStateKeyError);
    await expect(store.putSnapshot(id, 1)).rejects.toBeInstanceOf(InvalidStateKeyError);
    await expect(store.set(id, 'k', 1)).rejects.toBeInstanceOf(InvalidStateKeyError);
  });

  it('refuses nonsensical options', async () => {
    await expect(store.appendTurns('s', [user('x')], { maxTurns: 0 })).rejects.toThrow(/maxTurns must be a positive integer/);
    await expect(store.appendTurns('s', [user('x')], { ttlMs: -5 })).rejects.toThrow(/ttlMs/);
    await expect(store.appendTurns('s', [user('x')], { expectedVersion: 1.5 })).rejects.toThrow(/expectedVersion/);
  });

  it('continues a session after a process restart, where the store outlives the process', async () => {
    await inChild(row, { session: 'resume', action: 'append', count: 3, label: 'first-process' });
    const fresh = row.open();
    const expected = row.facts.survivesRestart ? ['first-process-0', 'first-process-1', 'first-process-2'] : [];
    try {
      expect(contents(await fresh.getSession('resume')) ?? []).toEqual(expected);
      await fresh.appendTurns('resume', [user('parent')]);
    } finally {
      if (fresh !== store) await fresh.close();
    }
    const seen = (await inChild(row, { session: 'resume', action: 'read' })) as Session | null;
    expect(contents(seen ?? undefined) ?? []).toEqual(row.facts.survivesRestart ? [...expected, 'parent'] : []);
  }, 90_000);

  it('loses no turn when two processes append to the same session at once', async () => {
    // Both children start appending at the same wall-clock moment, after their start-up.
    const startAt = Date.now() + 3000;
    const [a, b] = await Promise.all([
      inChild(row, { session: 'race', action: 'append', count: 15, label: 'A', startAt }),
      inChild(row, { session: 'race', action: 'append', count: 15, label: 'B', startAt }),
      new Promise((resolve) => setTimeout(resolve, startAt - Date.now())).then(async () => {
        await store.appendTurns('race', [user('P-0')]);
        await store.appendTurns('race', [user('P-1')]);
      }),
    ]);
    // Each child saw its own 15 appends acknowledged.
    expect(a).toMatchObject({ version: row.facts.sharedAcrossProcesses ? expect.any(Number) : 15 });
    expect(b).toMatchObject({ version: row.facts.sharedAcrossProcesses ? expect.any(Number) : 15 });
    const session = await store.getSession('race');
    const writers = row.facts.sharedAcrossProcesses ? ['A', 'B', 'P'] : ['P'];
    expect(session!.version).toBe(row.facts.sharedAcrossProcesses ? 32 : 2);
    const c = contents(session)!;
    expect(new Set(c).size).toBe(session!.version);
    // Each writer's turns are all there and keep their own order.
    for (const label of writers) {
      const mine = c.filter((x) => x.startsWith(`${label}-`)).map((x) => Number(x.split('-')[1]));
      expect(mine).toEqual(Array.from({ length: label === 'P' ? 2 : 15 }, (_, i) => i));
    }
  }, 90_000);
}

describe.each([
  ['memory', memoryRow],
  ['file', fileRow],
])('%s store', (_name, makeRow) => contract(makeRow));


describeWithRedis('redis store', () => contract(redisRow));
