import { describe, expect, it } from 'vitest';
import { ScriptedAdapter, type JsonSchema } from '@sdl/adapters';
import { createRuntime, InputValidationError, RunCancelledError, type HostTool } from '@sdl/runtime';
import { binding } from './support/fake-engine.js';
import { promptStep, skill, toolStep } from './support/skill-builder.js';

// run() and stream() are not async functions; what fails before the first step must still be a
// rejection (or an error event), never a synchronous throw.
const needsName = skill({
  inputs: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } as JsonSchema,
  steps: [promptStep('ask', 'hi')],
});

describe('run entry', () => {
  const runtime = () => createRuntime({ engines: { s: binding(new ScriptedAdapter({ replies: { ask: 'ok' } })) } });

  it('rejects, and does not throw, on an invalid input, an unknown engine or a cancelled signal', async () => {
    const rt = runtime();
    const calls = [
      () => rt.run(needsName, {}),
      () => rt.run(needsName, { name: 'a' }, { engine: 'nope' }),
      () => rt.run(needsName, { name: 'a' }, { signal: AbortSignal.abort('stop') }),
    ];
    const pending = calls.map((call) => {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = call())).not.toThrow();
      return promise!;
    });
    await expect(pending[0]).rejects.toBeInstanceOf(InputValidationError);
    await expect(pending[1]).rejects.toMatchObject({ code: 'engine_unknown' });
    await expect(pending[2]).rejects.toBeInstanceOf(RunCancelledError);
  });

  it('streams an invalid input as one error event', async () => {
    const events = [];
    for await (const event of runtime().stream(needsName, {})) events.push(event);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', error: expect.any(InputValidationError) });
  });

  it('resolves a plain run with its output, usage, engines and one trace entry', async () => {
    const result = await runtime().run(needsName, { name: 'a' });
    expect(result).toMatchObject({ output: 'ok', engines: ['s'], trace: [{ step: 'ask', status: 'ok', engines: ['s'], modelCalls: 1 }] });
  });

  it("hands out lists that are the caller's own, also when nothing was added to them (no model call, no step)", async () => {
    const one: HostTool = { parameters: { type: 'object' }, execute: () => 1 };
    const rt = createRuntime({ engines: {}, tools: { one } });
    const toolOnly = skill({
      tools: { one: { name: 'one', description: 'one', parameters: { type: 'object' }, source: { file: 't', line: 1, column: 1 } } },
      steps: [toolStep('a', 'one', {})],
    });
    const first = await rt.run(toolOnly, {});
    expect(first).toMatchObject({ output: 1, engines: [], trace: [{ step: 'a', engines: [], toolCalls: 1, status: 'ok' }] });
    first.engines.push('mine');
    first.trace[0]!.engines.push('mine');
    const second = await rt.run(toolOnly, {});
    expect(second.engines).toEqual([]);
    expect(second.trace[0]!.engines).toEqual([]);
    expect(second.engines).not.toBe(first.engines);
    const empty = await rt.run(skill({ steps: [] }), {});
    expect(empty.trace).toEqual([]);
    empty.trace.push(first.trace[0]!);
    expect((await rt.run(skill({ steps: [] }), {})).trace).toEqual([]);
  });
});
