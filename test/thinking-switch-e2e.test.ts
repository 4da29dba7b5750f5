/**
 * A thinking + tool-use conversation through `runtime.run` on Claude (emulated, real SDK over HTTP),
 * continued on OpenAI after a hot switch of the default engine, then back on Claude: Claude's signed
 * thinking goes back to it unchanged (the emulator refuses a tool continuation without it) and never
 * to OpenAI (spec/content.md, "Switching engines").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findModel,
  startEmulator,
  type EmulatedProvider,
  type Emulator,
} from '@sdl/adapters';
import {
  MemoryStore,
  createRuntime,
  loadSkillFile,
  type LoadedSkill,
} from '@sdl/runtime';
import { emulatedRouter } from './support/emulated-engines.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const PROVIDERS: EmulatedProvider[] = ['anthropic', 'openai', 'cohere'];
const ENGINE = { anthropic: 'claude', openai: 'openai', cohere: 'cohere' } as const;
const API_KEY = 'sk-e2e-content-never-printed-0123456789';


const THINKING_SUPPORT = `
sdl: "1.0"
name: thinking-support
version: 1.0.0
description: Answers about an order after thinking, looking the order up with a host tool.
inputs:
  type: object
  required: [message]
  properties:
    message: { type: string }
tools:
  lookup_order:
    description: Look up an order by id.
    parameters: { type: object, required: [order_id], properties: { order_id: { type: string } } }
engines:
  params: { max_tokens: 6000, reasoning: { effort: medium, budget_tokens: 2048 } }
steps:
  - id: reply
    prompt:
      system: You are a careful support agent.
      user: "{{ inputs.message }}"
    tools: [lookup_order]
memory: { conversation: true }
`;

describe('thinking + tools on Claude, continued on OpenAI (emulated)', () => {
  const emulators = {} as Record<EmulatedProvider, Emulator>;
  let dir: string;
  let thinking: LoadedSkill;

  beforeAll(async () => {
    for (const p of PROVIDERS) emulators[p] = await startEmulator({ provider: p });
    dir = mkdtempSync(path.join(tmpdir(), 'sdl-thinking-e2e-'));
    writeFileSync(path.join(dir, 'thinking-support.skill.yaml'), THINKING_SUPPORT);
    thinking = await loadSkillFile(path.join(dir, 'thinking-support.skill.yaml'), { projectRoot: dir });
  });
  afterAll(async () => {
    await Promise.all(PROVIDERS.map((p) => emulators[p].close()));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const p of PROVIDERS) emulators[p].requests.length = 0;
  });

  function setup(models: Record<EmulatedProvider, string>, only: EmulatedProvider[] = PROVIDERS) {
    const router = emulatedRouter({ emulators, engines: ENGINE, models, apiKey: API_KEY, only });
    const orders: string[] = [];
    const runtime = createRuntime({
      router,
      describeModel: findModel,
      state: new MemoryStore(),
      tools: {
        lookup_order: {
          description: 'Look up an order by id.',
          parameters: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' } } },
          execute: async (args) => {
            orders.push(String(args.order_id));
            return { order_id: String(args.order_id), status: 'shipped' };
          },
        },
      },
    });
    return { registry: router.registry, runtime, orders };
  }

  const MODELS = { anthropic: 'claude-sonnet-5', openai: 'gpt-5.4', cohere: 'command-a-plus-05-2026' };

  it('keeps signed thinking on Claude through the tool loop, and continues on OpenAI after a hot switch without it', async () => {
    const { registry, runtime, orders } = setup(MODELS);
    const session = 'customer-9';
    const first = await runtime.run(thinking, { message: 'call lookup_order {"order_id":"A-7"}' }, { session });
    expect(first.engines).toEqual(['claude']);
    expect(orders).toEqual(['A-7']);
    // The tool continuation sent Claude its own thinking block first, signature unchanged (the emulator refuses it otherwise).
    const [call, continuation] = emulators.anthropic.requests;
    expect(call!.status).toBe(200);
    expect(continuation!.status).toBe(200);
    const assistant = (continuation!.body as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> }).messages[1]!;
    expect(assistant.content[0]).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/^emusig_/) });
    expect(assistant.content[1]).toMatchObject({ type: 'tool_use', name: 'lookup_order' });
    const signature = assistant.content[0]!.signature as string;

    registry.setDefaultEngine('openai');
    const second = await runtime.run(thinking, { message: 'When will it arrive?' }, { session });
    expect(second.engines).toEqual(['openai']);
    const openaiRequest = emulators.openai.requests.at(-1)!;
    expect(openaiRequest.parsed!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(JSON.stringify(openaiRequest.body)).not.toContain(signature);
    expect((openaiRequest.body as Record<string, unknown>).reasoning_effort).toBe('medium');

    // Back on Claude, the stored history still carries Claude's signed thinking for its tool turn.
    registry.setDefaultEngine('claude');
    await runtime.run(thinking, { message: 'Thanks.' }, { session });
    const back = emulators.anthropic.requests.at(-1)!;
    expect(back.status).toBe(200);
    const turns = (back.body as { messages: Array<{ role: string; content: unknown }> }).messages;
    expect(JSON.stringify(turns[1])).toContain(signature);
    expect(JSON.stringify(back.body)).not.toContain(API_KEY);
  });
});
