import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, DeadlineExceededError, loadSkillSource, RunCancelledError, type HostTool, type LoadedSkill, type RuntimeClock } from '@sdl/runtime';

// A run's deadline must stop an expression that is still evaluating: evaluation is synchronous, so
// the deadline's timer cannot fire during it. Issue 15 saw a run evaluate 67 s past a 20 s deadline
// and report success; here a clock that advances 1 ms per reading makes the same thing deterministic.

const source = `sdl: "1.0"
name: slow-when
version: 1.0.0
description: A step whose argument takes many evaluation steps.
inputs:
  type: object
  properties:
    l: { type: array, items: { type: integer } }
outputs:
  type: object
tools:
  record:
    description: Records its argument.
    parameters: { type: object, properties: { found: { type: boolean } } }
    returns: { type: object }
steps:
  - id: t
    tool: record
    with:
      found: inputs.l.exists(x, x < 0)
`;

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function load(): Promise<LoadedSkill> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sdl-deadline-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'slow.skill.yaml'), source);
  return loadSkillSource(path.join(dir, 'slow.skill.yaml'));
}

/** Time moves 1 ms each time it is read; timers never fire on their own. */
function steppingClock(): RuntimeClock & { reads: number } {
  const clock = {
    reads: 0,
    now: () => 1_000_000 + clock.reads++,
    setTimer: () => () => {},
  };
  return clock;
}

describe('a run\'s deadline stops expression evaluation', () => {
  const list = Array.from({ length: 90_000 }, (_, i) => i); // ~90 interrupt checks of evaluation
  let calls = 0;
  const record: HostTool = { parameters: { type: 'object' }, returns: { type: 'object' }, execute: (args) => (calls++, { got: args.found ?? null }) };

  it('fails with the deadline error, and the tool is never called', async () => {
    const skill = await load();
    const clock = steppingClock();
    const runtime = createRuntime({ engines: {}, tools: { record }, clock });
    calls = 0;
    const error = await runtime.run(skill, { l: list }, { deadlineMs: 40 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).deadlineMs).toBe(40);
    expect(calls).toBe(0);
    expect(clock.reads).toBeLessThan(80); // stopped soon after the deadline, not at the end of the list
  });

  it('the same run finishes when the deadline is far enough', async () => {
    const skill = await load();
    const runtime = createRuntime({ engines: {}, tools: { record }, clock: steppingClock() });
    calls = 0;
    const result = await runtime.run(skill, { l: list }, { deadlineMs: 10_000 });
    expect(result.output).toEqual({ got: false });
    expect(calls).toBe(1);
  });

  it('an already cancelled signal stops it as a cancellation', async () => {
    const skill = await load();
    const runtime = createRuntime({ engines: {}, tools: { record }, clock: steppingClock() });
    const controller = new AbortController();
    controller.abort('stop');
    const error = await runtime.run(skill, { l: list }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunCancelledError);
  });
});
