/** What only the Redis store does: its TTL keys, and failing fast and typed when Redis is down. */
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RedisStore, StateError, StateUnavailableError } from '../../src/state/index.js';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';

const user = (content: string) => ({ message: { role: 'user' as const, content } });

/** A port on 127.0.0.1 that nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('RedisStore with Redis down', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('fails every operation within its timeout with a StateUnavailableError naming the address, printing nothing', async () => {
    const printed: unknown[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void printed.push(args));
    vi.spyOn(console, 'warn').mockImplementation((...args) => void printed.push(args));
    const port = await closedPort();
    const store = new RedisStore({ redis: `redis://:hunter2-password@127.0.0.1:${port}`, timeoutMs: 1500 });
    const operations: [string, () => Promise<unknown>][] = [
      ['appendTurns', () => store.appendTurns('s1', [user('hi')])],
      ['getSession', () => store.getSession('s1')],
      ['deleteSession', () => store.deleteSession('s1')],
      ['putSnapshot', () => store.putSnapshot('r1', { a: 1 })],
      ['getSnapshot', () => store.getSnapshot('r1')],
      ['set', () => store.set('ns', 'k', 1)],
      ['get', () => store.get('ns', 'k')],
    ];
    try {
      for (const [name, operation] of operations) {
        const started = Date.now();
        const err = await operation().catch((e: unknown) => e);
        const took = Date.now() - started;
        expect(err, name).toBeInstanceOf(StateUnavailableError);
        expect(err).toBeInstanceOf(StateError);
        const e = err as StateUnavailableError;
        expect(e.address).toBe(`127.0.0.1:${port}`);
        expect(e.message).toContain(`Redis at 127.0.0.1:${port} is unavailable: ${name}(`);
        expect(e.message).not.toContain('hunter2');
        expect(took, name).toBeLessThanOrEqual(1500 + 250);
      }
    } finally {
      await store.close();
    }
    expect(printed).toEqual([]);
  });

  it('bounds an operation by timeoutMs even when the server accepts the connection but never answers', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => void sockets.push(socket)); // accepts, never replies
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const store = new RedisStore({ redis: `redis://127.0.0.1:${port}`, timeoutMs: 300 });
    try {
      const started = Date.now();
      const err = await store.getSession('s').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateUnavailableError);
      expect((err as Error).message).toMatch(/getSession\(s\) failed after \d+ ms/);
      expect(Date.now() - started).toBeLessThan(300 + 250);
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a timeoutMs that is not a positive integer', () => {
    expect(() => new RedisStore({ redis: 'redis://127.0.0.1:1', timeoutMs: 0 })).toThrow(/timeoutMs must be a positive integer/);
  });
});

describeWithRedis('RedisStore keys', () => {
  const prefix = `sdltest:${process.pid}:${Date.now()}:redis-only:`;
  const admin = new Redis(REDIS_URL);
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  it('sets PEXPIRE on every key of a session, refreshes it on append and clears it without ttlMs', async () => {
    const store = new RedisStore({ redis: REDIS_URL, prefix });
    try {
      const keys = store.sessionKeys('ttl');
      await store.appendTurns('ttl', [user('a')], { ttlMs: 60_000 });
      await admin.pexpire(keys.turns, 1000);
      await admin.pexpire(keys.version, 1000);
      await store.appendTurns('ttl', [user('b')], { ttlMs: 60_000 });
      for (const key of [keys.turns, keys.version]) {
        const pttl = await admin.pttl(key);
        expect(pttl).toBeGreaterThan(55_000);
        expect(pttl).toBeLessThanOrEqual(60_000);
      }
      await store.appendTurns('ttl', [user('c')]);
      expect(await admin.pttl(keys.turns)).toBe(-1);
      expect(await admin.pttl(keys.version)).toBe(-1);
      await store.putSnapshot('run-1', { a: 1 }, { ttlMs: 30_000 });
      expect(await admin.pttl(store.snapshotKey('run-1'))).toBeGreaterThan(25_000);
    } finally {
      await store.close();
    }
  });

  it('renumbers and retries when another client appended after its last read, so every turn sits at its own seq', async () => {
    const a = new RedisStore({ redis: REDIS_URL, prefix });
    const b = new RedisStore({ redis: REDIS_URL, prefix });
    try {
      await a.appendTurns('two-writers', [user('a1')]);
      await b.appendTurns('two-writers', [user('b1'), user('b2')]); // b's first guess (0) is stale
      await a.appendTurns('two-writers', [user('a2')]); // so is a's (1)
      const session = await b.getSession('two-writers');
      expect(session!.turns.map((t) => [t.seq, t.message.content])).toEqual([
        [1, 'a1'],
        [2, 'b1'],
        [3, 'b2'],
        [4, 'a2'],
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
