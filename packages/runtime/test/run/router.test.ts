import { describe, expect, it } from 'vitest';
import { EngineError } from '@sdl/adapters';
import { createRuntime, EngineRegistry, EngineRouter, MiddlewareChain, type RunEvent } from '@sdl/runtime';
import { descriptor, FakeEngine, lastUser } from './support/fake-engine.js';
import { promptStep, skill } from './support/skill-builder.js';

function setup() {
  const primary = new FakeEngine(() => {
    throw new EngineError('overloaded', 'primary is overloaded', { provider: 'scripted' });
  });
  const backup = new FakeEngine((request) => `backup says ${lastUser(request)}`);
  const registry = new EngineRegistry([
    { name: 'primary', provider: 'scripted', model: 'fake-model', adapter: primary },
    { name: 'backup', provider: 'scripted', model: 'fake-model', adapter: backup },
  ]);
  // No stages: the chain goes straight to the adapter, so failover is what this test sees.
  const router = new EngineRouter({ registry, chain: new MiddlewareChain([]) });
  const runtime = createRuntime({ router, describeModel: () => descriptor() });
  return { primary, backup, registry, runtime };
}

describe('runtime on the engine router', () => {
  it('fails over down the qualified engines and reports the switch', async () => {
    const { primary, backup, runtime } = setup();
    const events: RunEvent[] = [];
    for await (const event of runtime.stream(skill({ steps: [promptStep('a', 'hi')] }), {})) events.push(event);
    expect(events.find((e) => e.type === 'engine-switch')).toMatchObject({ from: 'primary', to: 'backup', reason: 'overloaded', step: 'a' });
    const done = events.at(-1) as Extract<RunEvent, { type: 'done' }>;
    expect(done.result).toMatchObject({ output: 'backup says hi', engines: ['backup'] });
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests[0]!.signal).toBeDefined();
  });

  it('a registry change applies to the next run without a restart', async () => {
    const { registry, runtime, primary } = setup();
    registry.setDefaultEngine('backup');
    const result = await runtime.run(skill({ steps: [promptStep('a', 'again')] }), {});
    expect(result.engines).toEqual(['backup']);
    expect(primary.requests).toHaveLength(0);
    expect(runtime.engineNames()).toEqual(['backup', 'primary']);
  });

  it('never fails over to an engine that does not satisfy requires:', async () => {
    const { registry } = setup();
    registry.set({ name: 'small', provider: 'scripted', model: 'tiny', adapter: new FakeEngine(() => 'small') });
    const needsBig = skill({ requires: { context_window: 100_000 }, engines: { prefer: ['primary', 'small', 'backup'], models: {}, params: {} }, steps: [promptStep('a', 'x')] });
    const small = createRuntime({
      router: new EngineRouter({ registry, chain: new MiddlewareChain([]) }),
      describeModel: (_, model) => descriptor(model === 'tiny' ? { id: 'tiny', contextWindow: 8_000 } : {}),
    });
    const result = await small.run(needsBig, {});
    expect(result.engines).toEqual(['backup']);
    expect(small.load(needsBig).engineQualifications.find((q) => q.engine === 'small')?.reasons).toEqual(['context window 8000 < required 100000']);
  });
});
