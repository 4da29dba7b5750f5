import { describe, expect, it } from 'vitest';
import { EngineError, type EngineRequest } from '@sdl/adapters';
import { createRuntime, DeadlineExceededError, InputValidationError, RunCancelledError, type RunEvent } from '@sdl/runtime';
import { binding, FakeEngine, lastUser, until } from './support/fake-engine.js';
import { promptStep, skill, template } from './support/skill-builder.js';

/** An engine whose calls hang until their signal aborts; it records what it saw. */
function hangingEngine() {
  const aborted: unknown[] = [];
  const requests: EngineRequest[] = [];
  const engine = new FakeEngine(
    (request) =>
      new Promise((_, reject) => {
        requests.push(request);
        request.signal!.addEventListener('abort', () => {
          aborted.push(request.signal!.reason);
          reject(new EngineError('cancelled', 'request aborted', { provider: 'scripted' }));
        });
      }),
  );
  return { engine, aborted, requests };
}

describe('cancellation and deadlines', () => {
  it('aborting the signal aborts the in-flight call; the run rejects with RunCancelledError', async () => {
    const { engine, aborted, requests } = hangingEngine();
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const controller = new AbortController();
    const running = runtime.run(skill({ steps: [promptStep('a', 'a'), promptStep('b', 'b')] }), {}, { signal: controller.signal });
    await until(() => requests.length === 2);
    controller.abort('user pressed stop');
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunCancelledError);
    expect((error as Error).message).toBe('run cancelled: user pressed stop');
    expect(aborted).toHaveLength(2); // both concurrent calls saw the abort
  });

  it('requests carry a signal only when something can abort them', async () => {
    const engine = new FakeEngine(() => 'ok');
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const one = skill({ steps: [promptStep('a', 'a')] });
    await runtime.run(one, {});
    expect(engine.requests[0]!.signal).toBeUndefined(); // nothing could ever fire it
    await runtime.run(one, {}, { signal: new AbortController().signal });
    await runtime.run(one, {}, { deadlineMs: 60_000 });
    await runtime.run(skill({ steps: [promptStep('a', 'a'), promptStep('b', 'b')] }), {}); // a failing sibling may
    expect(engine.requests.slice(1).map((r) => r.signal instanceof AbortSignal)).toEqual([true, true, true, true]);
  });

  it('an already aborted signal runs nothing', async () => {
    const { engine, requests } = hangingEngine();
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const error = await runtime.run(skill({ steps: [promptStep('a', 'a')] }), {}, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunCancelledError);
    expect(requests).toHaveLength(0);
  });

  /** A manual clock: time moves only when the test says so. */
  function manualClock() {
    let now = 0;
    const timers = new Set<{ at: number; fn: () => void }>();
    return {
      now: () => now,
      setTimer(ms: number, fn: () => void) {
        const timer = { at: now + ms, fn };
        timers.add(timer);
        return () => void timers.delete(timer);
      },
      advance(ms: number) {
        now += ms;
        for (const timer of [...timers]) if (timer.at <= now) (timers.delete(timer), timer.fn());
      },
      pending: () => timers.size,
    };
  }

  it('deadlineMs holds: the call is aborted and the run rejects with DeadlineExceededError', async () => {
    const clock = manualClock();
    const { engine, aborted, requests } = hangingEngine();
    const runtime = createRuntime({ engines: { fake: binding(engine) }, clock });
    const settled = runtime.run(skill({ steps: [promptStep('a', 'a')] }), {}, { deadlineMs: 5_000 }).catch((e: unknown) => e);
    await until(() => requests.length === 1);
    clock.advance(4_999);
    expect(aborted).toHaveLength(0);
    clock.advance(1);
    const error = await settled;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toBe('run did not finish within its deadline of 5000 ms');
    expect(aborted[0]).toBeInstanceOf(DeadlineExceededError);
  });

  it('a run that finishes in time clears its deadline timer', async () => {
    const clock = manualClock();
    const runtime = createRuntime({ engines: { fake: binding(new FakeEngine(() => 'ok')) }, clock });
    await expect(runtime.run(skill({ steps: [promptStep('a', 'a')] }), {}, { deadlineMs: 1_000 })).resolves.toMatchObject({ output: 'ok' });
    expect(clock.pending()).toBe(0);
  });
});

describe('input validation', () => {
  const inputs = {
    type: 'object',
    required: ['text', 'count'],
    properties: {
      text: { type: 'string', minLength: 1 },
      count: { type: 'integer', minimum: 1 },
      language: { type: 'string', enum: ['en', 'zh', 'ja'], default: 'en' },
    },
    additionalProperties: false,
  };
  const echo = () => skill({ inputs, steps: [promptStep('a', template('x', (v) => JSON.stringify(v.inputs)))] });

  it('lists every problem with its JSON path and runs nothing', async () => {
    const engine = new FakeEngine(() => 'never');
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const error = (await runtime.run(echo(), { text: '', language: 'fr', extra: 1 }).catch((e: unknown) => e)) as InputValidationError;
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.problems).toEqual([
      { path: '/count', message: 'required property `count` is missing' },
      { path: '/extra', message: 'unknown property `extra` is not allowed' },
      { path: '/text', message: 'must NOT have fewer than 1 characters' },
      { path: '/language', message: 'must be one of "en", "zh", "ja"' },
    ]);
    expect(error.message.split('\n')[0]).toBe('invalid input for skill `test-skill`:');
    expect(engine.requests).toHaveLength(0);
  });

  it('applies defaults without mutating the caller’s object', async () => {
    const runtime = createRuntime({ engines: { fake: binding(new FakeEngine((r) => lastUser(r))) } });
    const input = { text: 'hi', count: 2 };
    const result = await runtime.run(echo(), input);
    expect(JSON.parse(result.output as string)).toEqual({ text: 'hi', count: 2, language: 'en' });
    expect(input).toEqual({ text: 'hi', count: 2 });
  });
});

describe('stream', () => {
  it('emits typed events in order and ends with done; run() returns the same result', async () => {
    const runtime = createRuntime({ engines: { fake: binding(new FakeEngine(() => 'hello big world'), { pricing: { inputPerMTok: 1_000_000, outputPerMTok: 0 } }) } });
    const s = skill({ steps: [promptStep('greet', 'hi'), promptStep('after', 'again', { dependsOn: ['greet'] })] });
    const events: RunEvent[] = [];
    for await (const event of runtime.stream(s, {})) events.push(event);
    const compact = events.map((e) => ('step' in e ? `${e.type}:${e.step}` : e.type));
    expect(compact).toEqual([
      'step-start:greet',
      'text-delta:greet',
      'text-delta:greet',
      'text-delta:greet',
      'usage:greet',
      'step-end:greet',
      'step-start:after',
      'text-delta:after',
      'text-delta:after',
      'text-delta:after',
      'usage:after',
      'step-end:after',
      'done',
    ]);
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).slice(0, 3).join('')).toBe('hello big world');
    const done = events.at(-1) as Extract<RunEvent, { type: 'done' }>;
    expect(done.result).toMatchObject({ output: 'hello big world', usage: { inputTokens: 20, outputTokens: 10 }, cost: 20, engines: ['fake'] });
    const viaRun = await runtime.run(s, {});
    expect({ ...viaRun, trace: undefined }).toEqual({ ...done.result, trace: undefined });
  });

  it('events from a nested use: skill carry the nested path and skill name', async () => {
    const runtime = createRuntime({ engines: { fake: binding(new FakeEngine(() => 'inner')) } });
    const child = skill({ name: 'child', steps: [promptStep('shout', 'x')] });
    const parent = skill({
      name: 'parent',
      dependencies: { kid: { alias: 'kid', reference: './child.skill.yaml', skill: child, source: { file: 'p', line: 1, column: 1 } } },
      steps: [{ kind: 'use', id: 'call', use: 'kid', with: {}, dependsOn: [], source: { file: 'p', line: 5, column: 5 } }],
    });
    const events: RunEvent[] = [];
    for await (const event of runtime.stream(parent, {})) events.push(event);
    expect(events.map((e) => ('path' in e ? `${e.type}:${e.skill}:${e.path.join('/')}` : e.type))).toEqual([
      'step-start:parent:call',
      'step-start:child:call/shout',
      'text-delta:child:call/shout',
      'usage:child:call/shout',
      'step-end:child:call/shout',
      'step-end:parent:call',
      'done',
    ]);
  });

  it('ends with an error event when the run fails', async () => {
    const runtime = createRuntime({ engines: { fake: binding(new FakeEngine(() => 'x')) } });
    const s = skill({ inputs: { type: 'object', required: ['q'] }, steps: [promptStep('a', 'a')] });
    const events: RunEvent[] = [];
    for await (const event of runtime.stream(s, {})) events.push(event);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', error: expect.any(InputValidationError) });
  });

  it('breaking out of the stream cancels the run and its in-flight call', async () => {
    const { engine, aborted, requests } = hangingEngine();
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    for await (const event of runtime.stream(skill({ steps: [promptStep('a', 'a')] }), {})) {
      expect(event.type).toBe('step-start');
      await until(() => requests.length === 1);
      break;
    }
    await until(() => aborted.length === 1);
    expect(aborted[0]).toBeInstanceOf(RunCancelledError);
  });
});
