import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@sdl/adapters';
import { createRuntime, ForEachNotListError, type HostTool } from '@sdl/runtime';
import { binding, FakeEngine, gate, lastUser, until } from './support/fake-engine.js';
import { expr, promptStep, skill, template, toolStep, useStep } from './support/skill-builder.js';

describe('scheduler', () => {
  it('runs independent steps concurrently: both started before either finished', async () => {
    const release = gate();
    const started: string[] = [];
    const engine = new FakeEngine(async (request) => {
      started.push(lastUser(request));
      await release.promise;
      return `done ${lastUser(request)}`;
    });
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const s = skill({
      steps: [
        promptStep('a', 'A'),
        promptStep('b', 'B'),
        promptStep('c', template('C', (v) => `C after ${v.steps.a!.output} and ${v.steps.b!.output}`), { dependsOn: ['a', 'b'] }),
      ],
    });
    const running = runtime.run(s, {});
    await until(() => started.length === 2);
    expect(started.sort()).toEqual(['A', 'B']); // c has not started: it waits for both
    release.open();
    const result = await running;
    expect(result.output).toBe('done C after done A and done B');
    expect(started).toHaveLength(3);
  });

  it('for_each keeps input order and never exceeds its concurrency bound', async () => {
    let inFlight = 0;
    let peak = 0;
    let startedCount = 0;
    const waiting: Array<() => void> = [];
    const engine = new FakeEngine(async (request) => {
      inFlight++;
      startedCount++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      return lastUser(request).toUpperCase();
    });
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const s = skill({
      steps: [
        promptStep('upper', template('{{ item }}', (v) => String(v.item)), {
          forEach: { over: expr('inputs.words', (v) => (v.inputs as { words: JsonValue }).words), as: 'item', concurrency: 2 },
        }),
      ],
    });
    const words = ['a', 'b', 'c', 'd', 'e'];
    const running = runtime.run(s, { words });
    // Always release the most recently started item, so completion order differs from input order.
    for (let released = 0; released < words.length; released++) {
      await until(() => waiting.length === Math.min(2, words.length - released));
      waiting.pop()!();
    }
    const result = await running;
    expect(result.output).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(peak).toBe(2);
    expect(startedCount).toBe(5);
    expect(result.trace.filter((t) => t.step === 'upper').map((t) => t.index)).not.toEqual([0, 1, 2, 3, 4]);
  });

  it('for_each exposes `as` and `index`, and an empty list gives []', async () => {
    const engine = new FakeEngine((request) => lastUser(request));
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const s = skill({
      steps: [
        promptStep('each', template('{{ index }}:{{ word }}', (v) => `${String(v.index)}:${String(v.word)}`), {
          forEach: { over: expr('inputs.list', (v) => (v.inputs as { list: JsonValue }).list), as: 'word' },
        }),
      ],
    });
    expect((await runtime.run(s, { list: ['x', 'y'] })).output).toEqual(['0:x', '1:y']);
    expect((await runtime.run(s, { list: [] })).output).toEqual([]);
  });

  it('a for_each that is not a list is a located error', async () => {
    const runtime = createRuntime({ engines: { fake: binding(new FakeEngine(() => 'x')) } });
    const over = expr('inputs.n', (v) => (v.inputs as { n: JsonValue }).n);
    const s = skill({ steps: [promptStep('each', 'x', { forEach: { over, as: 'item' } })] });
    const error = await runtime.run(s, { n: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForEachNotListError);
    expect((error as Error).message).toBe(
      `test.skill.yaml:${over.source.line}:5: step \`each\`: for_each \`inputs.n\` must produce a list, got int`,
    );
  });

  it('when: false skips the step (output null) and dependants still run', async () => {
    const engine = new FakeEngine((request) => `reply to ${lastUser(request)}`);
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const s = skill({
      steps: [
        promptStep('maybe', 'maybe', { when: expr('inputs.go', (v) => (v.inputs as { go: JsonValue }).go) }),
        promptStep('after', template('x', (v) => `saw ${JSON.stringify(v.steps.maybe!.output)}`), { dependsOn: ['maybe'] }),
      ],
    });
    const skipped = await runtime.run(s, { go: false });
    expect(skipped.output).toBe('reply to saw null');
    expect(skipped.trace.find((t) => t.step === 'maybe')?.status).toBe('skipped');
    expect(engine.requests).toHaveLength(1);
    const ran = await runtime.run(s, { go: true });
    expect(ran.output).toBe('reply to saw "reply to maybe"');
  });

  it('`return` picks the result; without it the last step output is the result', async () => {
    const engine = new FakeEngine((request) => lastUser(request));
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const steps = [promptStep('first', 'one'), promptStep('second', 'two')];
    expect((await runtime.run(skill({ steps }), {})).output).toBe('two');
    const withReturn = skill({ steps, returns: expr('{"a": steps.first.output}', (v) => ({ a: v.steps.first!.output })) });
    expect((await runtime.run(withReturn, {})).output).toEqual({ a: 'one' });
  });

  it('runs nested skills through use:, with validated arguments and shared usage', async () => {
    const engine = new FakeEngine((request) => `[${lastUser(request)}]`);
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const child = skill({
      name: 'child',
      version: '1.2.0',
      hash: 'sha256:child',
      inputs: { type: 'object', required: ['text'], properties: { text: { type: 'string' }, mark: { type: 'string', default: '!' } } },
      steps: [promptStep('shout', template('{{ inputs.text }}{{ inputs.mark }}', (v) => {
        const i = v.inputs as { text: string; mark: string };
        return i.text + i.mark;
      }))],
    });
    const parent = skill({
      name: 'parent',
      dependencies: {
        kid: { alias: 'kid', reference: './child.skill.yaml', versionRange: '^1.0.0', expectedHash: 'sha256:child', skill: child, source: { file: 'p', line: 3, column: 3 } },
      },
      steps: [
        useStep('call', 'kid', { text: expr('inputs.t', (v) => (v.inputs as { t: JsonValue }).t) }),
        promptStep('wrap', template('w', (v) => `wrap ${String(v.steps.call!.output)}`), { dependsOn: ['call'] }),
      ],
    });
    const result = await runtime.run(parent, { t: 'hi' });
    expect(result.output).toBe('[wrap [hi!]]');
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(result.trace.map((t) => t.path.join('/'))).toEqual(['call/shout', 'call', 'wrap']);

    const bad = await runtime.run(parent, { t: 42 }).catch((e: unknown) => e);
    expect((bad as Error).message).toContain('/text: must be string');
  });

  it('tool steps call the host tool with arguments checked against the declared schema', async () => {
    const calls: JsonValue[] = [];
    const add: HostTool = {
      parameters: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'number' }, b: { type: 'number' } } },
      execute: (args) => {
        calls.push(args);
        return (args.a as number) + (args.b as number);
      },
    };
    const runtime = createRuntime({ engines: {}, tools: { add } });
    const s = skill({
      tools: { add: { name: 'add', description: 'adds', parameters: add.parameters, source: { file: 't', line: 9, column: 3 } } },
      steps: [toolStep('sum', 'add', { a: expr('inputs.a', (v) => (v.inputs as { a: JsonValue }).a), b: 2 })],
    });
    expect((await runtime.run(s, { a: 40 })).output).toBe(42);
    expect(calls).toEqual([{ a: 40, b: 2 }]);
    const error = await runtime.run(s, { a: 'forty' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/step `sum`: tool `add` failed: invalid arguments: \/a: must be number/);
    expect(calls).toHaveLength(1);
  });

  it('the first failing step cancels its running siblings and the error names the step', async () => {
    let siblingSignal: AbortSignal | undefined;
    const engine = new FakeEngine(async (request) => {
      if (lastUser(request) === 'slow') {
        siblingSignal = request.signal;
        await new Promise((_, reject) => request.signal!.addEventListener('abort', () => reject(request.signal!.reason)));
      }
      return 'x';
    });
    const boom: HostTool = { parameters: { type: 'object' }, execute: () => { throw new Error('disk full'); } };
    const runtime = createRuntime({ engines: { fake: binding(engine) }, tools: { boom } });
    const s = skill({
      tools: { boom: { name: 'boom', description: 'fails', parameters: { type: 'object' }, source: { file: 't', line: 1, column: 1 } } },
      steps: [promptStep('slow', 'slow'), toolStep('bad', 'boom', {})],
    });
    const running = runtime.run(s, {});
    const error = await running.catch((e: unknown) => e);
    expect((error as Error).message).toContain('step `bad`: tool `boom` failed: disk full');
    expect(siblingSignal?.aborted).toBe(true);
  });
});
