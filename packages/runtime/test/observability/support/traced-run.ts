/**
 * A run that exercises every kind of span: a prompt step with a tool call whose first attempt gets
 * a 429 (retried), a `for_each` over two items, and a `use:` step whose skill prefers an engine
 * that answers 503 until the router fails over. Real adapters (official SDKs over HTTP) against
 * the emulators, behind the default chain and the router.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatedProvider, type Emulator, type EmulatorRequest, type EmulatorReply } from '@sdl/adapters';
import { createRuntime, loadSkillFile, type LoadedSkill, type Middleware, type Runtime, type TelemetryOptions } from '@sdl/runtime';
import { emulatedRouter } from '../../../../../test/support/emulated-engines.js';

export const API_KEY = 'sk-trace-test-secret-0123456789abcdef';
/** Personal data and a skill-defined secret in the input: neither may reach a span or a trace. */
export const EMAIL = 'jane.doe@example.com';
export const ORDER = 'ORD-482913';
export const PROMPT_WORDS = 'Find the order of';

const ENGINE = { anthropic: 'claude', openai: 'gpt', cohere: 'command' } as const;
const MODEL = { anthropic: 'claude-sonnet-5', openai: 'gpt-5.4', cohere: 'command-a-plus-05-2026' } as const;

const PARENT = `
sdl: "1.0"
name: traced-parent
version: 1.2.0
description: Looks an order up, says something per item, and asks a nested skill.
inputs:
  type: object
  required: [email, items]
  properties:
    email: { type: string }
    items: { type: array, items: { type: string } }
tools:
  lookup_order:
    description: Look up an order by id.
    parameters:
      type: object
      required: [order_id]
      properties:
        order_id: { type: string }
uses:
  child: { skill: ./traced-child.skill.yaml, version: ^1.0.0 }
engines:
  prefer: [gpt, claude]
steps:
  - id: ask
    prompt:
      system: You help customers with their orders.
      user: "${PROMPT_WORDS} {{ inputs.email }}"
    tools: [lookup_order]
  - id: each
    for_each: inputs.items
    as: item
    concurrency: 1
    prompt:
      user: "Say {{ item }} after {{ steps.ask.output }}"
  - id: nested
    use: child
    with:
      text: steps.each.output[0]
policies:
  retry: { max_attempts: 3, base_ms: 1, max_ms: 5, jitter: 0 }
  redact:
    - { name: order_id, pattern: "ORD-[0-9]{6}" }
`;

const CHILD = `
sdl: "1.0"
name: traced-child
version: 1.0.0
description: Shortens a text.
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string }
engines:
  prefer: [command, claude]
steps:
  - id: shorten
    prompt:
      user: "Shorten: {{ inputs.text }}"
policies:
  retry: { max_attempts: 2, base_ms: 1, max_ms: 5, jitter: 0 }
`;

function reply(request: EmulatorRequest): EmulatorReply {
  const last = request.messages[request.messages.length - 1];
  if (last?.role === 'tool') return { text: `order found for ${ORDER}` };
  if (request.tools.length > 0) return { toolCalls: [{ name: 'lookup_order', arguments: { order_id: ORDER } }] };
  return { text: `ok ${request.model}` };
}

/** Emulators, the traced skill and a runtime factory; `close()` when done. */
export async function tracedFixture(): Promise<{
  skill: LoadedSkill;
  emulators: Record<EmulatedProvider, Emulator>;
  /** `innermost`: a host middleware put next to the adapter call (it runs once per attempt). */
  runtime(telemetry?: TelemetryOptions, innermost?: Middleware): Runtime;
  /** Queues the faults of the scenario: one 429 on gpt, 503s on command until failover. */
  injectFaults(): void;
  toolCalls: unknown[];
  /** Called inside the host tool (e.g. to start a span of the host's own). */
  onTool: { current?: () => void };
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdl-traced-'));
  writeFileSync(path.join(dir, 'traced-parent.skill.yaml'), PARENT);
  writeFileSync(path.join(dir, 'traced-child.skill.yaml'), CHILD);
  const skill = await loadSkillFile(path.join(dir, 'traced-parent.skill.yaml'));
  const emulators = {
    anthropic: await startEmulator({ provider: 'anthropic', reply }),
    openai: await startEmulator({ provider: 'openai', reply }),
    cohere: await startEmulator({ provider: 'cohere', reply }),
  } as Record<EmulatedProvider, Emulator>;
  const toolCalls: unknown[] = [];
  const onTool: { current?: () => void } = {};
  return {
    onTool,
    skill,
    emulators,
    toolCalls,
    runtime: (telemetry, innermost) => {
      const router = emulatedRouter({ emulators, engines: ENGINE, models: MODEL, apiKey: API_KEY, only: ['openai', 'anthropic', 'cohere'] });
      if (innermost !== undefined) router.chain.use('probe', innermost, 'innermost');
      return createRuntime({
        router,
        tools: {
          lookup_order: {
            parameters: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' } } },
            execute: (args) => {
              toolCalls.push(args);
              onTool.current?.();
              return { status: 'shipped', order: args.order_id ?? null };
            },
          },
        },
        ...(telemetry === undefined ? {} : { telemetry }),
      });
    },
    injectFaults: () => {
      emulators.openai.enqueueFault('429ms@1');
      emulators.cohere.enqueueFault('503', '503');
    },
    close: async () => {
      await Promise.all(Object.values(emulators).map((e) => e.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The input of the traced run. */
export const TRACED_INPUT = { email: EMAIL, items: ['alpha', 'beta'] };
