import { describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '@sdl/adapters';
import { createRuntime } from '@sdl/runtime';
import { randomRunId } from '../../src/run/run-id.js';
import { binding } from './support/fake-engine.js';
import { promptStep, skill } from './support/skill-builder.js';

// RFC 4122 version 4, lower case, as crypto.randomUUID() gives.
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('run ids', () => {
  it('are version 4 UUIDs, different every time (also across refills of the random pool)', () => {
    const ids = Array.from({ length: 1000 }, randomRunId);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('use every hex digit in the random positions (the bytes are not biased or cut)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of randomRunId().replaceAll('-', '').slice(0, 12)) seen.add(c);
    expect([...seen].sort().join('')).toBe('0123456789abcdef');
  });

  it('is what a run without `runId` hands its model calls, one per run; a given `runId` is used as is', async () => {
    const runIds: Array<string | undefined> = [];
    const runtime = createRuntime({
      engines: { s: binding(new ScriptedAdapter({ replies: { ask: ['a', 'b', 'c'] } })) },
      callModel: async (call) => (runIds.push(call.runId), { response: await call.binding.adapter.generate(call.request), engine: call.engine }),
    });
    const oneStep = skill({ steps: [promptStep('ask', 'hi')] });
    await runtime.run(oneStep, {});
    await runtime.run(oneStep, {});
    await runtime.run(oneStep, {}, { runId: 'mine' });
    expect(runIds[0]).toMatch(UUID_V4);
    expect(runIds[1]).toMatch(UUID_V4);
    expect(runIds[0]).not.toBe(runIds[1]);
    expect(runIds[2]).toBe('mine');
  });
});
