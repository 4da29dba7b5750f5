/**
 * Soak through `runtime.run` with conversation sessions on each real store (memory, file, Redis):
 * the real adapters (official SDKs over HTTP) against two emulators that inject wire faults into a
 * share of requests (5xx, 429 with retry-after, connection resets, bodies cut mid-way, malformed
 * JSON) and refuse a few for good (400), the default middleware chain (retry, breaker, failover) in
 * between. Afterwards the store
 * itself is read back (a fresh store instance over the same data): every acknowledged run's turns
 * are there exactly once and in order, and no failed run left anything.
 *
 * The longer run of the same check: `SDL_SOAK_SESSIONS=200 SDL_SOAK_TURNS=25 npx vitest run test/session-soak.test.ts`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { AnthropicAdapter, OpenAIAdapter, startEmulator, type Emulator } from '@sdl/adapters';
import {
  CircuitBreakers,
  DEFAULT_POLICIES,
  EngineRegistry,
  EngineRouter,
  FileStore,
  MemoryBreakerStore,
  MemoryRateLimiter,
  MemoryStore,
  RedisStore,
  createDefaultChain,
  createRuntime,
  loadSkillFile,
  systemClock,
  type LoadedSkill,
  type StateStore,
} from '@sdl/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from './support/redis.js';

const SESSIONS = Number(process.env.SDL_SOAK_SESSIONS ?? 12);
const TURNS = Number(process.env.SDL_SOAK_TURNS ?? 6);
/** Sessions talking at once (each session's own runs go one after another, as a conversation does). */
const CONCURRENCY = 6;
/** Seconds on an idle machine for the default size; the long run gets more. */
const TIMEOUT_MS = 60_000 + SESSIONS * TURNS * 100;
const FAULTS = '500:0.06,503:0.04,429ms@5:0.05,reset:0.05,disconnect:0.05,malformed:0.03';

const CHAT = `
sdl: "1.0"
name: soak-chat
version: 1.0.0
description: Replies to a message, remembering the conversation.
inputs:
  type: object
  required: [message]
  properties:
    message: { type: string }
steps:
  - id: reply
    prompt:
      user: "{{ inputs.message }}"
memory: { conversation: true, max_turns: 1000 }
policies:
  retry: { max_attempts: 3, base_ms: 1, max_ms: 4, jitter: 0 }
`;

interface StoreCase {
  name: string;
  open(): Promise<StateStore>;
  /** A second instance over the same data, to read back what the first one acknowledged. */
  reopen(): Promise<StateStore>;
  /** Closes an instance (the memory store is only closed at the end: closing clears it). */
  release(store: StateStore): Promise<void>;
  cleanup(): Promise<void>;
}

let dir: string;
let skill: LoadedSkill;
const emulators: Emulator[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sdl-soak-'));
  await writeFile(path.join(dir, 'chat.skill.yaml'), CHAT);
  skill = await loadSkillFile(path.join(dir, 'chat.skill.yaml'));
  emulators.push(
    await startEmulator({ provider: 'anthropic', faults: FAULTS, seed: 7 }),
    await startEmulator({ provider: 'openai', faults: FAULTS, seed: 11 }),
  );
});
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  await rm(dir, { recursive: true, force: true });
});

function runtimeOn(state: StateStore) {
  const options = { apiKey: 'sk-soak-not-a-key', timeoutMs: 5_000 };
  const registry = new EngineRegistry(
    [
      { name: 'claude', provider: 'anthropic', model: 'claude-sonnet-5', adapter: new AnthropicAdapter({ ...options, baseURL: emulators[0]!.url }) },
      { name: 'gpt', provider: 'openai', model: 'gpt-5.4', adapter: new OpenAIAdapter({ ...options, baseURL: emulators[1]!.url }) },
    ],
    'claude',
  );
  const chain = createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), limiter: new MemoryRateLimiter(systemClock) });
  const router = new EngineRouter({
    registry,
    chain,
    defaults: { ...DEFAULT_POLICIES, retry: { maxAttempts: 3, baseMs: 1, maxMs: 4, jitter: 'full', maxRetryAfterMs: 50 }, timeoutMs: 5_000 },
  });
  return createRuntime({ router, state });
}

async function soak(store: StoreCase): Promise<void> {
  const state = await store.open();
  const runtime = runtimeOn(state);
  const requestsBefore = emulators.map((e) => e.requests.length);
  const acknowledged = new Map<string, { user: string; assistant: string }[]>();
  let failed = 0;
  const sessionIds = Array.from({ length: SESSIONS }, (_, i) => `soak-${store.name}-${i}`);
  let next = 0;
  const talk = async () => {
    while (next < sessionIds.length) {
      const index = next++;
      const session = sessionIds[index]!;
      const acked: { user: string; assistant: string }[] = [];
      acknowledged.set(session, acked);
      for (let turn = 0; turn < TURNS; turn++) {
        const message = `${session} says ${turn}`;
        // A few requests the engine refuses for good (400: the prompt is too long): whichever run
        // meets one fails and must leave nothing behind.
        if (turn === 2 && index < 3) emulators[0]!.enqueueFault('context');
        try {
          const result = await runtime.run(skill, { message }, { session });
          acked.push({ user: message, assistant: result.output as string });
        } catch {
          failed++; // not acknowledged: must leave nothing in the store
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, talk));
  } finally {
    await store.release(state);
  }

  const injected = emulators.reduce((n, e, i) => n + e.requests.slice(requestsBefore[i]).filter((r) => r.fault !== undefined).length, 0);
  expect(injected, 'faults were injected').toBeGreaterThan(SESSIONS * TURNS * 0.1);
  const total = SESSIONS * TURNS;
  expect(failed, 'most runs are acknowledged despite the faults').toBeLessThan(total * 0.2);
  expect(failed, 'some runs failed for good').toBeGreaterThan(0);

  const reader = await store.reopen();
  try {
    for (const [session, acked] of acknowledged) {
      const stored = await reader.getSession(session);
      const expected = acked.flatMap(({ user, assistant }) => [
        ['user', user],
        ['assistant', assistant],
      ]);
      // Exactly the acknowledged turns, once each, in order, numbered 1..n.
      expect(stored?.turns.map((t) => [t.message.role, t.message.content]) ?? [], session).toEqual(expected);
      expect(stored?.turns.map((t) => t.seq) ?? []).toEqual(expected.map((_, i) => i + 1));
      expect(stored?.version ?? 0).toBe(expected.length);
    }
  } finally {
    await store.release(reader);
    await store.cleanup();
  }
  console.info(`[soak] ${store.name}: ${total} runs, ${total - failed} acknowledged, ${failed} failed, ${injected} faults injected`);
}

describe('session soak through runtime.run with wire faults', () => {
  it('memory store', async () => {
    // The memory store lives in the process: reading it back means reading the same instance.
    const memory = new MemoryStore();
    await soak({ name: 'memory', open: async () => memory, reopen: async () => memory, release: async () => undefined, cleanup: () => memory.close() });
  }, TIMEOUT_MS);

  it('file store', async () => {
    const storeDir = path.join(dir, 'state');
    await soak({
      name: 'file',
      open: async () => new FileStore({ dir: storeDir }),
      reopen: async () => new FileStore({ dir: storeDir }),
      release: (s) => s.close(),
      cleanup: () => rm(storeDir, { recursive: true, force: true }),
    });
  }, TIMEOUT_MS);
});

describeWithRedis('session soak through runtime.run with wire faults (Redis)', () => {
  it('redis store', async () => {
    const prefix = `sdltest:soak:${process.pid}:${Date.now()}:`;
    await soak({
      name: 'redis',
      open: async () => new RedisStore({ redis: REDIS_URL, prefix }),
      reopen: async () => new RedisStore({ redis: REDIS_URL, prefix }),
      release: (s) => s.close(),
      cleanup: async () => {
        const admin = new Redis(REDIS_URL);
        const keys = await admin.keys(`${prefix}*`);
        if (keys.length) await admin.del(...keys);
        await admin.quit();
      },
    });
  }, TIMEOUT_MS);
});
