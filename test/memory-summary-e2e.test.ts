/**
 * Memory that summarizes, on every store (memory, file, Redis): a 200-turn conversation with a
 * 20-turn budget through `runtime.run`, the router and the real adapters against the emulators,
 * alternating two engines. The emulators' replies are scripted: a summary request folds the user
 * turns it is shown into the summary text; a chat request answers the question about turn 3 only
 * when the summary reached its system prompt.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startEmulator, type Emulator, type EmulatorRequest } from '@sdl/adapters';
import {
  DEFAULT_SUMMARY_PROMPT,
  FileStore,
  MemoryStore,
  RedisStore,
  createRuntime,
  loadSkillFile,
  type LoadedSkill,
  type StateStore,
} from '@sdl/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatedRouter } from './support/emulated-engines.js';
import { describeWithRedis, REDIS_URL } from './support/redis.js';

const CHAT = `
sdl: "1.0"
name: long-chat
version: 1.0.0
description: Replies to a message, remembering the conversation.
inputs:
  type: object
  required: [message]
  properties:
    message: { type: string }
engines:
  prefer: [claude, gpt]
steps:
  - id: reply
    prompt:
      user: "{{ inputs.message }}"
memory: { conversation: true, max_turns: 20, summarize: true }
`;

const RUNS = 100; // two turns each: 200 turns
const FACT = 'my favourite colour is teal';

/** The emulators' script: summaries fold the user turns they are shown; chat turns answer from the summary. */
function reply(request: EmulatorRequest) {
  const last = request.messages.at(-1)?.text ?? '';
  if (request.system === DEFAULT_SUMMARY_PROMPT) {
    const previous = /Summary so far \(turns 1–\d+\):\n([\s\S]*?)\n\nNew turns/.exec(last)?.[1] ?? '';
    const folded = [...last.matchAll(/^\[(\d+)\] user: (.*)$/gm)].map((m) => `turn ${m[1]}: ${m[2]}`);
    return { text: [...(previous === '(none yet)' ? [] : [previous]), ...folded].join('; ') };
  }
  if (last.startsWith('question:')) return { text: request.system?.includes(`turn 3: ${FACT}`) ? 'teal' : 'I do not know' };
  return { text: `noted (${request.provider})` };
}

interface StoreCase {
  name: string;
  open(): Promise<StateStore>;
  cleanup(store: StateStore): Promise<void>;
}

let dir: string;
let skill: LoadedSkill;
const emulators: Partial<Record<'anthropic' | 'openai' | 'cohere', Emulator>> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sdl-summary-'));
  await writeFile(path.join(dir, 'chat.skill.yaml'), CHAT);
  skill = await loadSkillFile(path.join(dir, 'chat.skill.yaml'));
  emulators.anthropic = await startEmulator({ provider: 'anthropic', reply });
  emulators.openai = await startEmulator({ provider: 'openai', reply });
});
afterAll(async () => {
  await Promise.all(Object.values(emulators).map((e) => e.close()));
  await rm(dir, { recursive: true, force: true });
});

/** The turn positions each summary request folded, from what the emulators received. */
function foldedPositions(since: number[]): number[][] {
  return [emulators.anthropic!, emulators.openai!].flatMap((e, i) =>
    e.requests
      .slice(since[i])
      .filter((r) => r.parsed?.system === DEFAULT_SUMMARY_PROMPT)
      .map((r) => [...(r.parsed!.messages.at(-1)!.text.matchAll(/^\[(\d+)\] /gm))].map((m) => Number(m[1]))),
  );
}

async function converse(store: StoreCase): Promise<void> {
  const state = await store.open();
  const router = emulatedRouter({
    emulators: emulators as Record<'anthropic' | 'openai' | 'cohere', Emulator>,
    engines: { anthropic: 'claude', openai: 'gpt', cohere: 'unused' },
    models: { anthropic: 'claude-sonnet-5', openai: 'gpt-5.4', cohere: 'unused' },
    apiKey: 'sk-summary-test',
    only: ['anthropic', 'openai'],
  });
  const runtime = createRuntime({ router, state });
  const session = `summary-${store.name}-${Date.now()}`;
  const since = [emulators.anthropic!.requests.length, emulators.openai!.requests.length];
  const folds: Array<{ from: number; through: number }> = [];
  let answer = '';
  try {
    for (let run = 0; run < RUNS; run++) {
      const turn = run * 2 + 1; // the user turn's position
      const message = run === RUNS - 1 ? 'question: what did I say at turn 3?' : turn === 3 ? FACT : `message at turn ${turn}`;
      // Engines alternate: the summary survives switching (it is sent as system text to either).
      const result = await runtime.run(skill, { message }, { session, engine: run % 2 === 0 ? 'claude' : 'gpt' });
      for (const entry of result.trace) if (entry.summary !== undefined) folds.push(entry.summary);
      const stored = await state.getSession(session);
      expect(stored!.turns.length, `after run ${run}`).toBeLessThanOrEqual(20);
      if (run === RUNS - 1) answer = result.output as string;
    }

    const stored = (await state.getSession(session))!;
    const summary = (await state.get('summary', session))!.value as { from: number; through: number; text: string };
    expect(stored.version).toBe(RUNS * 2);
    // Every turn is either in the summary or kept verbatim after it, never both, never neither.
    expect(stored.turns.map((t) => t.seq)).toEqual(Array.from({ length: RUNS * 2 - summary.through }, (_, i) => summary.through + 1 + i));
    expect(summary.from).toBe(1);
    expect(folds.at(-1)).toEqual({ from: 1, through: summary.through });
    // The folds cover every dropped turn exactly once, in order.
    const positions = foldedPositions(since).flat().sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: summary.through }, (_, i) => i + 1));
    expect(folds.length).toBeGreaterThanOrEqual(15);
    expect(summary.text).toContain(`turn 3: ${FACT}`);
    // The question at turn 199 is answered from the summary (turn 3 is long gone from the window).
    expect(stored.turns.some((t) => t.message.content === FACT)).toBe(false);
    expect(answer).toBe('teal');
  } finally {
    await store.cleanup(state);
  }
}

const stores: StoreCase[] = [
  { name: 'memory', open: async () => new MemoryStore(), cleanup: (s) => s.close() },
  {
    name: 'file',
    open: async () => new FileStore({ dir: path.join(dir, 'state') }),
    cleanup: async (s) => {
      await s.close();
      await rm(path.join(dir, 'state'), { recursive: true, force: true });
    },
  },
  {
    name: 'redis',
    open: async () => new RedisStore({ redis: REDIS_URL, prefix: `sdltest:summary:${process.pid}:${Date.now()}:` }),
    cleanup: async (s) => {
      const prefix = (s as RedisStore).prefix;
      await s.close();
      if (prefix === undefined) return;
      const admin = new Redis(REDIS_URL);
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.del(...keys);
      await admin.quit();
    },
  },
];

// Redis is one of the rows: the whole table needs it (in CI it must be there; locally it may skip).
describeWithRedis('memory.summarize: a 200-turn conversation with a 20-turn budget', () => {
  it.each(stores)('$name store', (store) => converse(store), 120_000);
});
