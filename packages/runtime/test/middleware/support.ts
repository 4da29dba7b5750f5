import { EngineError, type EngineAdapter, type EngineRequest, type EngineResponse, type Provider, type StreamEvent } from '@sdl/adapters';
import {
  DEFAULT_POLICIES,
  FakeClock,
  noopLogger,
  type CallContext,
  type CallEvent,
  type ResolvedPolicies,
} from '@sdl/runtime';

/** What the fake engine does on one call. */
export type Step =
  | { reply: string; usage?: { inputTokens: number; outputTokens: number } }
  | { error: EngineError }
  /** Streams `chunks`, then fails with `error` after `failAfter` chunks (if given). */
  | { chunks: string[]; failAfter?: number; error?: EngineError }
  /** Never answers until the request's signal aborts. */
  | { hang: true };

export function response(text: string, usage = { inputTokens: 10, outputTokens: 5 }): EngineResponse {
  return { text, toolCalls: [], usage, stopReason: 'end', model: 'fake-model' };
}

export function engineError(kind: EngineError['kind'], retryAfterMs?: number): EngineError {
  return new EngineError(kind, `fake ${kind}`, retryAfterMs === undefined ? { provider: 'openai' } : { provider: 'openai', retryAfterMs });
}

/**
 * A test double of the engine interface (not of any SDK): plays a script of steps, one per call,
 * repeating the last step when the script runs out, and records every request it saw.
 */
export class FakeAdapter implements EngineAdapter {
  readonly requests: EngineRequest[] = [];
  calls = 0;
  constructor(
    private readonly steps: Step[],
    readonly provider: Provider = 'openai',
  ) {}

  private next(request: EngineRequest): Step {
    this.requests.push(request);
    const step = this.steps[Math.min(this.calls, this.steps.length - 1)]!;
    this.calls++;
    return step;
  }

  async generate(request: EngineRequest): Promise<EngineResponse> {
    const step = this.next(request);
    if ('error' in step && !('chunks' in step)) throw step.error;
    if ('hang' in step) return hang(request.signal);
    if ('chunks' in step) return response(step.chunks.join(''));
    return response(step.reply, step.usage);
  }

  async *stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    const step = this.next(request);
    if ('hang' in step) await hang(request.signal);
    if ('error' in step && !('chunks' in step)) throw step.error;
    const chunks = 'chunks' in step ? step.chunks : [(step as { reply: string }).reply];
    yield { type: 'usage', usage: { inputTokens: 10, outputTokens: 0 } };
    for (let i = 0; i < chunks.length; i++) {
      if ('chunks' in step && step.failAfter === i && step.error) throw step.error;
      yield { type: 'text-delta', text: chunks[i]! };
    }
    if ('chunks' in step && step.failAfter === chunks.length && step.error) throw step.error;
    const final = response(chunks.join(''));
    yield { type: 'usage', usage: final.usage };
    yield { type: 'stop', response: final };
  }
}

function hang(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export interface TestContext {
  ctx: CallContext;
  events: CallEvent[];
  clock: FakeClock;
}

export function policies(overrides: Partial<ResolvedPolicies> = {}): ResolvedPolicies {
  return { ...DEFAULT_POLICIES, ...overrides };
}

/** A CallContext for one call on `adapter`. */
export function makeContext(
  adapter: EngineAdapter,
  options: { policies?: ResolvedPolicies; streaming?: boolean; clock?: FakeClock; deadline?: number; signal?: AbortSignal; engine?: string; tenant?: string; runId?: string; sessionId?: string } = {},
): TestContext {
  const clock = options.clock ?? new FakeClock();
  const events: CallEvent[] = [];
  const ctx: CallContext = {
    engine: options.engine ?? 'fake',
    provider: adapter.provider,
    model: 'fake-model',
    adapter,
    request: { model: 'fake-model', messages: [{ role: 'user', content: 'hello' }] },
    streaming: options.streaming ?? false,
    tenant: options.tenant ?? 'default',
    policies: options.policies ?? policies(),
    signal: options.signal ?? new AbortController().signal,
    deadline: options.deadline ?? Number.POSITIVE_INFINITY,
    attempt: 0,
    clock,
    logger: noopLogger,
    emit: (e) => events.push(e),
    state: new Map(),
  };
  if (options.runId) Object.assign(ctx, { runId: options.runId });
  if (options.sessionId) Object.assign(ctx, { sessionId: options.sessionId });
  return { ctx, events, clock };
}

/** Collects a stream's text, or the error it ended with. */
export async function drain(events: AsyncIterable<StreamEvent>): Promise<{ text: string; error?: unknown; stop: boolean }> {
  let text = '';
  let stop = false;
  try {
    for await (const e of events) {
      if (e.type === 'text-delta') text += e.text;
      if (e.type === 'stop') stop = true;
    }
  } catch (error) {
    return { text, error, stop };
  }
  return { text, stop };
}

/** Polls (real time, microtask turns) until `check` passes; for work that involves real I/O. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
