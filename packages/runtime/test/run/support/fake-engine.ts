/**
 * A tiny in-test EngineAdapter: each call is answered by a handler the test writes, and every
 * request is recorded. Not an SDK mock: it implements the engine-neutral contract directly.
 */
import type { EngineAdapter, EngineRequest, EngineResponse, ModelDescriptor, StreamEvent, ToolCall } from '@sdl/adapters';
import { EngineError } from '@sdl/adapters';
import type { EngineBinding } from '@sdl/runtime';

export type FakeReply = string | { text?: string; toolCalls?: ToolCall[] };

export class FakeEngine implements EngineAdapter {
  readonly provider = 'scripted' as const;
  readonly requests: EngineRequest[] = [];

  constructor(private readonly handler: (request: EngineRequest, call: number) => FakeReply | Promise<FakeReply>) {}

  async generate(request: EngineRequest): Promise<EngineResponse> {
    const call = this.requests.push(request) - 1;
    if (request.signal?.aborted) throw new EngineError('cancelled', 'fake: cancelled', { provider: 'scripted' });
    const reply = await this.handler(request, call);
    const { text = '', toolCalls = [] } = typeof reply === 'string' ? { text: reply } : reply;
    return {
      text,
      toolCalls,
      usage: { inputTokens: 10, outputTokens: 5 },
      stopReason: toolCalls.length > 0 ? 'tool_use' : 'end',
      model: request.model,
    };
  }

  async *stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    const response = await this.generate(request);
    for (const piece of response.text.match(/\S+\s*|\s+/g) ?? []) yield { type: 'text-delta', text: piece };
    yield { type: 'usage', usage: response.usage };
    yield { type: 'stop', response };
  }
}

/** The user prompt of a request (its last user message). */
export function lastUser(request: EngineRequest): string {
  const message = [...request.messages].reverse().find((m) => m.role === 'user');
  return message?.content ?? '';
}

export function descriptor(overrides: Partial<ModelDescriptor> = {}): ModelDescriptor {
  return {
    provider: 'scripted',
    id: 'fake-model',
    contextWindow: 200_000,
    maxOutputTokens: 8_000,
    features: ['tools', 'json_schema', 'streaming'],
    pricing: { inputPerMTok: 3, outputPerMTok: 15 },
    ...overrides,
  };
}

export function binding(adapter: EngineAdapter, overrides: Partial<ModelDescriptor> = {}): EngineBinding {
  const d = descriptor(overrides);
  return { adapter, model: d.id, descriptor: d };
}

/** A promise resolved from outside, to hold a fake call open until the test lets it go. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Waits until `predicate` holds, yielding to the event loop between checks (no timers). */
export async function until(predicate: () => boolean, rounds = 1000): Promise<void> {
  for (let i = 0; i < rounds && !predicate(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!predicate()) throw new Error('condition never became true');
}
