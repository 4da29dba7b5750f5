/**
 * End to end through `runtime.run`: the real adapters (official SDKs over HTTP) against the three
 * wire-compatible emulators, with the default middleware chain and the engine router. Covers
 * failover down the engines, a conversation (tool calls included) continued on other engines after
 * hot switches of the default engine, and per-run budgets.
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
  BudgetExceededError,
  CircuitBreakers,
  CostTracker,
  DEFAULT_POLICIES,
  EngineRegistry,
  EngineRouter,
  MemoryBreakerStore,
  MemoryRateLimiter,
  MemoryStore,
  createDefaultChain,
  createRuntime,
  loadSkillFile,
  systemClock,
  type LoadedSkill,
  type RunEvent,
} from '@sdl/runtime';
import { emulatedAdapter } from './support/emulated-engines.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const PROVIDERS: EmulatedProvider[] = ['anthropic', 'openai', 'cohere'];
const ENGINE = { anthropic: 'claude', openai: 'gpt', cohere: 'command' } as const;
const MODEL = { anthropic: 'claude-sonnet-5', openai: 'gpt-5.4', cohere: 'command-a-plus-05-2026' } as const;
const API_KEY = 'sk-e2e-secret-never-printed-0123456789';

const SUPPORT_CHAT = `
sdl: "1.0"
name: order-support
version: 1.0.0
description: Answers a customer about their order, looking orders up with a host tool.
inputs:
  type: object
  required: [message]
  properties:
    message: { type: string }
tools:
  lookup_order:
    description: Look up an order by id.
    parameters:
      type: object
      required: [order_id]
      properties:
        order_id: { type: string }
steps:
  - id: reply
    prompt:
      system: You are a courteous support agent for an online bookshop.
      user: "{{ inputs.message }}"
    tools: [lookup_order]
memory: { conversation: true, max_turns: 40 }
policies:
  retry: { max_attempts: 2, base_ms: 1, max_ms: 5, jitter: 0 }
`;

const BUDGETED = `
sdl: "1.0"
name: budgeted-answer
version: 1.0.0
description: Answers a question, within a spending limit per run.
inputs:
  type: object
  required: [question]
  properties:
    question: { type: string }
steps:
  - id: answer
    prompt:
      user: "{{ inputs.question }}"
policies:
  budget: { max_cost_usd: 0.000001 }
`;

describe('runtime.run across Claude, OpenAI and Cohere (emulated)', () => {
  const emulators = {} as Record<EmulatedProvider, Emulator>;
  let dir: string;
  let supportChat: LoadedSkill;
  let budgeted: LoadedSkill;

  beforeAll(async () => {
    for (const p of PROVIDERS) emulators[p] = await startEmulator({ provider: p });
    dir = mkdtempSync(path.join(tmpdir(), 'sdl-e2e-'));
    writeFileSync(path.join(dir, 'order-support.skill.yaml'), SUPPORT_CHAT);
    writeFileSync(path.join(dir, 'budgeted-answer.skill.yaml'), BUDGETED);
    supportChat = await loadSkillFile(path.join(dir, 'order-support.skill.yaml'), { projectRoot: dir });
    budgeted = await loadSkillFile(path.join(dir, 'budgeted-answer.skill.yaml'), { projectRoot: dir });
  });
  afterAll(async () => {
    await Promise.all(PROVIDERS.map((p) => emulators[p].close()));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const p of PROVIDERS) emulators[p].requests.length = 0;
  });

  function setup() {
    const registry = new EngineRegistry(
      PROVIDERS.map((p) => ({ name: ENGINE[p], provider: p, model: MODEL[p], adapter: emulatedAdapter(p, emulators[p].url, API_KEY) })),
      'claude',
    );
    const costs = new CostTracker({ describeModel: findModel });
    const chain = createDefaultChain({
      breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock),
      limiter: new MemoryRateLimiter(systemClock),
      costs,
    });
    const router = new EngineRouter({
      registry,
      chain,
      defaults: { ...DEFAULT_POLICIES, retry: { maxAttempts: 2, baseMs: 1, maxMs: 5, jitter: 'full', maxRetryAfterMs: 500 }, timeoutMs: 5_000 },
    });
    const orders: string[] = [];
    const runtime = createRuntime({
      router,
      state: new MemoryStore(),
      tools: {
        lookup_order: {
          description: 'Look up an order by id.',
          parameters: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' } } },
          execute: async (args) => {
            const orderId = String(args.order_id);
            orders.push(orderId);
            return { order_id: orderId, status: 'shipped', carrier: 'DHL' };
          },
        },
      },
    });
    return { registry, runtime, orders };
  }

  it('fails over through all three adapters in one run: overloaded Claude, rejected key on OpenAI, Cohere answers', async () => {
    const { runtime } = setup();
    emulators.anthropic.enqueueFault('529', '529');
    emulators.openai.enqueueFault('401');
    const events: RunEvent[] = [];
    for await (const event of runtime.stream(supportChat, { message: 'Where is my parcel?' })) events.push(event);

    const switches = events.filter((e) => e.type === 'engine-switch').map((e) => [e.from, e.to, e.reason]);
    expect(switches).toEqual([
      ['claude', 'gpt', 'overloaded'],
      ['gpt', 'command', 'auth'],
    ]);
    const done = events.at(-1) as Extract<RunEvent, { type: 'done' }>;
    expect(done.type).toBe('done');
    expect(done.result.output).toBe('echo: Where is my parcel?');
    expect(done.result.engines).toEqual(['command']);
    expect(emulators.anthropic.requests.map((r) => r.status)).toEqual([529, 529]);
    expect(JSON.stringify(events)).not.toContain(API_KEY);
  });

  it('continues one conversation, tool calls included, on OpenAI and then Cohere after hot switches', async () => {
    const { registry, runtime, orders } = setup();
    const session = 'customer-4711';

    // Turn 1 on Claude: the model calls the host tool, then answers from its result.
    const first = await runtime.run(supportChat, { message: 'call lookup_order {"order_id":"A-1047"}' }, { session });
    expect(first.engines).toEqual(['claude']);
    expect(first.output).toBe('tool lookup_order returned: {"order_id":"A-1047","status":"shipped","carrier":"DHL"}');
    expect(orders).toEqual(['A-1047']);

    // Hot switch: new runs go to OpenAI; the history (with the tool exchange) is converted for it.
    registry.setDefaultEngine('gpt');
    const second = await runtime.run(supportChat, { message: 'Thanks! And when will it arrive?' }, { session });
    expect(second.engines).toEqual(['gpt']);
    const seenByOpenAI = emulators.openai.requests.at(-1)!.parsed!.messages;
    expect(seenByOpenAI.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(seenByOpenAI[1]!.toolCalls![0]).toMatchObject({ name: 'lookup_order', arguments: '{"order_id":"A-1047"}' });
    expect(seenByOpenAI[2]!.toolCallId).toBe(seenByOpenAI[1]!.toolCalls![0]!.id);
    expect(seenByOpenAI[2]!.text).toContain('"carrier":"DHL"');

    // And on to Cohere, with both earlier turns.
    registry.setDefaultEngine('command');
    const third = await runtime.run(supportChat, { message: 'Great, goodbye.' }, { session });
    expect(third.engines).toEqual(['command']);
    const seenByCohere = emulators.cohere.requests.at(-1)!.parsed!.messages;
    expect(seenByCohere.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'user']);
    expect(seenByCohere[4]!.text).toBe('Thanks! And when will it arrive?');
    expect(seenByCohere[5]!.text).toBe('echo: Thanks! And when will it arrive?');
    expect(seenByCohere[2]!.toolCallId).toBe(seenByCohere[1]!.toolCalls![0]!.id);
  });

  it('refuses a call that would exceed the skill’s per-run budget, before anything is sent', async () => {
    const { runtime } = setup();
    const failure = await runtime.run(budgeted, { question: 'Summarize the history of the printing press in detail.' }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'step_failed', stepId: 'answer' });
    expect((failure as Error).cause).toBeInstanceOf(BudgetExceededError);
    expect((failure as Error).cause).toMatchObject({ scope: 'run' });
    for (const p of PROVIDERS) expect(emulators[p].requests).toHaveLength(0);
  });
});
