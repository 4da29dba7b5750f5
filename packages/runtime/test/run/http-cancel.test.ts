import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicAdapter, startEmulator, type Emulator } from '@sdl/adapters';
import { createRuntime, DeadlineExceededError, RunCancelledError } from '@sdl/runtime';
import { until } from './support/fake-engine.js';
import { promptStep, skill } from './support/skill-builder.js';

// The real Anthropic adapter (official SDK, real HTTP) against the wire-compatible emulator.
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function setup() {
  emulator = await startEmulator({ provider: 'anthropic' });
  const adapter = new AnthropicAdapter({ apiKey: 'sk-test-not-a-key', baseURL: emulator.url });
  const runtime = createRuntime({ engines: { claude: { adapter, model: 'claude-sonnet-5' } } });
  return { emulator, runtime };
}

describe('cancellation over real HTTP', () => {
  it('aborting the signal aborts the in-flight HTTP request', async () => {
    const { emulator, runtime } = await setup();
    emulator.enqueueFault('slow@60000'); // the reply would take a minute
    const controller = new AbortController();
    const running = runtime.run(skill({ steps: [promptStep('a', 'hello')] }), {}, { signal: controller.signal });
    await until(() => emulator.requests.length === 1, 100_000);
    controller.abort();
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunCancelledError);
  });

  it('a deadline aborts the in-flight HTTP request', async () => {
    const { emulator, runtime } = await setup();
    emulator.enqueueFault('slow@60000');
    const error = await runtime.run(skill({ steps: [promptStep('a', 'hello')] }), {}, { deadlineMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(emulator.requests).toHaveLength(1);
  });

  it('a normal call goes through end to end', async () => {
    const { runtime } = await setup();
    const result = await runtime.run(skill({ steps: [promptStep('a', 'hello')] }), {});
    expect(typeof result.output).toBe('string');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.engines).toEqual(['claude']);
  });
});
