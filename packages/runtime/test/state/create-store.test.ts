import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkText, createStateStore, FileStore, MemoryStore, parseConfig, RedisStore } from '@sdl/runtime';
import type { ConversationStore, StateStore } from '@sdl/runtime';

describe('createStateStore', () => {
  it('defaults to memory and builds each store from its config section', async () => {
    expect(createStateStore(undefined)).toBeInstanceOf(MemoryStore);
    const dir = await mkdtemp(path.join(tmpdir(), 'sdl-create-'));
    try {
      const file = createStateStore({ store: 'file', dir: 'state' }, { baseDir: dir });
      expect(file).toBeInstanceOf(FileStore);
      expect((file as FileStore).dir).toBe(path.join(dir, 'state'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const redis = createStateStore({ store: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'app:' });
    expect(redis).toBeInstanceOf(RedisStore);
    expect((redis as RedisStore).prefix).toBe('app:');
    await redis.close();
  });

  // The documented way (spec/state.md): the loaded config's `state:` section as it is, Secret URL included.
  it.each([
    ['memory', 'state: { store: memory }', MemoryStore],
    ['file', 'state: { store: file, path: .sdl/state }', FileStore],
    ['redis', 'state: { store: redis, url: "${env:TEST_REDIS_URL}", prefix: "app:" }', RedisStore],
  ] as const)('createStateStore(config.state) builds the %s store of a loaded sdl.config.yaml', async (_store, section, type) => {
    const text = `engines:\n  offline: { provider: scripted, model: scripted }\n${section}\n`;
    const { config, diagnostics } = parseConfig(text, 'sdl.config.yaml', { env: { TEST_REDIS_URL: 'redis://user:pw@127.0.0.1:6379' } });
    expect(diagnostics).toEqual([]);
    const dir = await mkdtemp(path.join(tmpdir(), 'sdl-create-'));
    const store = createStateStore(config!.state, { baseDir: dir });
    try {
      expect(store).toBeInstanceOf(type);
      if (store instanceof FileStore) expect(store.dir).toBe(path.join(dir, '.sdl', 'state'));
      if (store instanceof RedisStore) expect(store.prefix).toBe('app:');
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('explains a bad configuration', () => {
    expect(() => createStateStore({ store: 'file' } as never)).toThrow(/needs `path`/);
    expect(() => createStateStore({ store: 'redis', url: 'localhost' } as never)).toThrow(/redis:\/\/host:port/);
    expect(() => createStateStore({ store: 'sqlite' } as never)).toThrow(/use "memory", "file" or "redis"/);
  });

  it('is what the runtime needs for conversation memory (exported from @sdl/runtime)', async () => {
    const store: StateStore = new MemoryStore();
    const conversation: ConversationStore = store; // compile-time check of the contract
    await conversation.appendTurns('s', [{ message: { role: 'user', content: 'hi' }, engine: 'claude' }], { maxTurns: 10 });
    expect((await conversation.getSession('s'))!.turns.map((t) => t.message)).toEqual([{ role: 'user', content: 'hi' }]);
    const chunks = chunkText('abcd efgh', { maxTokens: 1 });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.text).join('')).toBe('abcd efgh');
  });
});
