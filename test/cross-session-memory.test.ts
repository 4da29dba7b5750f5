/**
 * Memory across sessions (`memoryTools`: `remember` / `recall`) on every store: a fact written in one
 * session is read in another session of the same user, not by another user, is gone after its TTL
 * (the runtime's fake clock; the store's own TTL only collects it), and is redacted before it is
 * stored (read back from the store itself). Skills call the tools from `tool:` steps.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ScriptedAdapter } from '@sdl/adapters';
import { createRuntime, FileStore, loadSkillFile, MemoryStore, memoryTools, RedisStore, type LoadedSkill, type StateStore } from '@sdl/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from './support/redis.js';

const TOOLS = `
tools:
  remember:
    description: Remember a fact about the user.
    parameters:
      type: object
      required: [key, value]
      properties: { key: { type: string }, value: {}, ttl_s: { type: integer, minimum: 1 } }
  recall:
    description: Recall a fact about the user.
    parameters: { type: object, required: [key], properties: { key: { type: string } } }
`;

const WRITE = `sdl: "1.0"
name: learn
version: 1.0.0
description: Remembers what the user said about themselves.
inputs: { type: object, required: [key, value], properties: { key: { type: string }, value: { type: string }, ttl_s: { type: integer } } }
${TOOLS}
steps:
  - id: store
    tool: remember
    with: { key: "inputs.key", value: "inputs.value", ttl_s: "has(inputs.ttl_s) ? inputs.ttl_s : 3600" }
`;

const READ = `sdl: "1.0"
name: ask
version: 1.0.0
description: Recalls a fact about the user.
inputs: { type: object, required: [key], properties: { key: { type: string } } }
${TOOLS}
steps:
  - id: fetch
    tool: recall
    with: { key: "inputs.key" }
`;

let dir: string;
let learn: LoadedSkill;
let ask: LoadedSkill;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sdl-facts-'));
  await writeFile(path.join(dir, 'learn.skill.yaml'), WRITE);
  await writeFile(path.join(dir, 'ask.skill.yaml'), READ);
  learn = await loadSkillFile(path.join(dir, 'learn.skill.yaml'));
  ask = await loadSkillFile(path.join(dir, 'ask.skill.yaml'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface StoreCase {
  name: string;
  open(): StateStore;
  cleanup(store: StateStore): Promise<void>;
}
const stores: StoreCase[] = [
  { name: 'memory', open: () => new MemoryStore(), cleanup: (s) => s.close() },
  { name: 'file', open: () => new FileStore({ dir: path.join(dir, `state-${Date.now()}`) }), cleanup: (s) => s.close() },
  {
    name: 'redis',
    open: () => new RedisStore({ redis: REDIS_URL, prefix: `sdltest:facts:${process.pid}:${Date.now()}:` }),
    cleanup: async (s) => {
      const prefix = (s as RedisStore).prefix;
      await s.close();
      const admin = new Redis(REDIS_URL);
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.del(...keys);
      await admin.quit();
    },
  },
];

// Redis is one of the rows: the table needs it (in CI it must be there; locally it may skip).
describeWithRedis('memory across sessions: remember / recall', () => {
  it.each(stores)('$name store: written in one session, read in another, per user, expired by TTL, redacted', async (row) => {
    const store = row.open();
    let now = 1_750_000_000_000;
    const clock = { now: () => now };
    const runtime = createRuntime({ engines: { e: { adapter: new ScriptedAdapter({ model: 'm' }), model: 'm' } }, tools: memoryTools(store, { clock }), state: store });
    try {
      await runtime.run(learn, { key: 'colour', value: 'teal', ttl_s: 60 }, { user: 'ana', session: 'monday' });
      await runtime.run(learn, { key: 'contact', value: 'write to ana@example.com or call +1 415 555 0100' }, { user: 'ana', session: 'monday' });

      // Another session of the same user reads it; another user does not.
      expect((await runtime.run(ask, { key: 'colour' }, { user: 'ana', session: 'tuesday' })).output).toEqual({ key: 'colour', found: true, value: 'teal' });
      expect((await runtime.run(ask, { key: 'colour' }, { user: 'ben', session: 'tuesday' })).output).toEqual({ key: 'colour', found: false });

      // Redacted before it was stored: the store itself holds no address and no number.
      const stored = JSON.stringify(await store.get('facts:ana', 'contact'));
      expect(stored).not.toContain('ana@example.com');
      expect(stored).not.toContain('555 0100');
      const recalled = (await runtime.run(ask, { key: 'contact' }, { user: 'ana', session: 'wednesday' })).output as { value: string };
      expect(recalled.value).not.toContain('ana@example.com');
      expect(recalled.value).toContain('write to');

      // The TTL: 59 s later it is there, at 60 s it is gone.
      now += 59_000;
      expect((await runtime.run(ask, { key: 'colour' }, { user: 'ana' })).output).toMatchObject({ found: true });
      now += 1_000;
      expect((await runtime.run(ask, { key: 'colour' }, { user: 'ana' })).output).toEqual({ key: 'colour', found: false });

      // Without a user there is nobody to remember for: a located tool-step error, nothing stored.
      await expect(runtime.run(learn, { key: 'x', value: 'y' }, {})).rejects.toThrow(/RunOptions\.user/);
    } finally {
      await row.cleanup(store);
    }
  });
});
