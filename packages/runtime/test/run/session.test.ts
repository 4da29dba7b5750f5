import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineRequest, Message } from '@sdl/adapters';
import { createRuntime } from '@sdl/runtime';
import { FileStore } from '../../src/state/file-store.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { RedisStore } from '../../src/state/redis-store.js';
import { StateCorruptionError } from '../../src/state/errors.js';
import type { StateStore } from '../../src/state/types.js';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';
import { binding, FakeEngine, lastUser } from './support/fake-engine.js';
import { promptStep, skill, template } from './support/skill-builder.js';

const chat = (maxTurns = 4) =>
  skill({
    name: 'chat',
    inputs: { type: 'object', required: ['say'], properties: { say: { type: 'string' } } },
    memory: { conversation: true, max_turns: maxTurns, ttl_s: 3600 },
    steps: [promptStep('reply', template('{{ inputs.say }}', (v) => String((v.inputs as { say: string }).say)))],
  });

/** An engine that answers with the number of earlier turns it was given, and records requests. */
function historyEngine() {
  const requests: EngineRequest[] = [];
  const engine = new FakeEngine((request) => {
    requests.push(request);
    return `reply to ${lastUser(request)} (saw ${request.messages.length - 1} earlier)`;
  });
  return { engine, requests };
}

const dirs: string[] = [];
/** File stores the tests open: closed before their folders go (an idle store checkpoints after answering). */
const fileStores: FileStore[] = [];
const fileStore = (dir: string): FileStore => {
  const store = new FileStore({ dir });
  fileStores.push(store);
  return store;
};
afterAll(async () => {
  await Promise.all(fileStores.splice(0).map((store) => store.close()));
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Each backend: `open()` gives a fresh store instance over the same data (a process restart). */
const backends: Array<{ name: string; open: () => Promise<() => StateStore> }> = [
  { name: 'memory', open: async () => { const store = new MemoryStore(); return () => store; } },
  {
    name: 'file',
    open: async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'sdl-run-session-'));
      dirs.push(dir);
      return () => fileStore(dir);
    },
  },
];

function sessionSuite(name: string, open: () => Promise<() => StateStore>) {
  it(`${name}: continues a conversation across runtimes (a restart) within max_turns`, async () => {
    const newStore = await open();
    const sessionId = `s-${randomUUID()}`;
    const first = historyEngine();
    const store1 = newStore();
    const runtime1 = createRuntime({ engines: { fake: binding(first.engine) }, state: store1 });
    expect((await runtime1.run(chat(), { say: 'hello' }, { session: sessionId })).output).toBe('reply to hello (saw 0 earlier)');
    expect((await runtime1.run(chat(), { say: 'again' }, { session: sessionId })).output).toBe('reply to again (saw 2 earlier)');
    if (store1 !== newStore()) await store1.close();

    const second = historyEngine();
    const store2 = newStore();
    const runtime2 = createRuntime({ engines: { fake: binding(second.engine) }, state: store2 });
    const result = await runtime2.run(chat(), { say: 'third' }, { session: sessionId });
    // max_turns 4: the window holds the last two exchanges.
    expect(result.output).toBe('reply to third (saw 4 earlier)');
    expect(second.requests[0]!.messages.map((m: Message) => m.content)).toEqual([
      'hello',
      'reply to hello (saw 0 earlier)',
      'again',
      'reply to again (saw 2 earlier)',
      'third',
    ]);
    const stored = await store2.getSession(sessionId);
    expect(stored?.turns.map((t) => t.message.content)).toEqual([
      'again',
      'reply to again (saw 2 earlier)',
      'third',
      'reply to third (saw 4 earlier)',
    ]);
    await store2.close();
  });

  it(`${name}: a run without a session id, or a failed run, stores nothing`, async () => {
    const store = (await open())();
    const sessionId = `s-${randomUUID()}`;
    const failing = new FakeEngine(() => Promise.reject(new Error('engine down')));
    const runtime = createRuntime({ engines: { fake: binding(failing) }, state: store });
    await expect(runtime.run(chat(), { say: 'x' }, { session: sessionId })).rejects.toThrow('engine down');
    expect(await store.getSession(sessionId)).toBeUndefined();
    await store.close();
  });
}

describe('sessions', () => {
  for (const backend of backends) sessionSuite(backend.name, backend.open);

  it('file: a corrupt session record is reported and never sent to the model', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sdl-run-corrupt-'));
    dirs.push(dir);
    const sessionId = 'corrupt-me';
    const runtime = createRuntime({ engines: { fake: binding(historyEngine().engine) }, state: fileStore(dir) });
    await runtime.run(chat(), { say: 'secret plans' }, { session: sessionId });
    const sessions = path.join(dir, 'sessions');
    for (const file of await readdir(sessions)) {
      const full = path.join(sessions, file);
      const text = await readFile(full, 'utf8');
      await writeFile(full, text.replace('secret plans', 'secret plant'));
    }
    const after = historyEngine();
    const restarted = createRuntime({ engines: { fake: binding(after.engine) }, state: fileStore(dir) });
    const error = await restarted.run(chat(), { say: 'next' }, { session: sessionId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateCorruptionError);
    expect(after.requests).toHaveLength(0);
  });
});

describeWithRedis('sessions on Redis', () => {
  const prefix = `sdl-test-run-${randomUUID().slice(0, 8)}:`;
  sessionSuite('redis', async () => () => new RedisStore({ redis: REDIS_URL, prefix }));
});
