/**
 * `policies.budget.max_tokens` is enforced per run: a skill file compiled from YAML, run through
 * `runtime.run` (from source and from IR) on an engine that reports real usage.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProject } from '@sdl/compiler';
import { createRuntime, loadIr, loadSkillSource, TokenBudgetExceededError, type LoadedSkill } from '@sdl/runtime';
import { binding, FakeEngine } from './support/fake-engine.js';

const SKILL = (budget: number) => `sdl: "1.0"
name: three-steps
version: 1.0.0
description: Three prompt steps in a row, with a token budget.
inputs:
  type: object
  properties: { text: { type: string } }
outputs:
  type: object
policies:
  budget: { max_tokens: ${budget} }
steps:
  - id: a
    prompt: { user: "First: {{ inputs.text }}" }
  - id: b
    prompt: { user: "Second: {{ steps.a.output }}" }
  - id: c
    prompt: { user: "Third: {{ steps.b.output }}" }
return: "{'c': steps.c.output}"
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sdl-token-budget-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(budget: number, from: 'source' | 'ir'): Promise<LoadedSkill> {
  const file = path.join(dir, `b${budget}.skill.yaml`);
  await writeFile(file, SKILL(budget));
  if (from === 'source') return loadSkillSource(file);
  const built = buildProject([file], { cwd: dir, root: dir });
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loadIr(JSON.parse(built.outputs[0]!.text));
}

/** Every call reports 10 input and 5 output tokens (15 a call); replies are short. */
const engine = () => new FakeEngine(() => 'ok');

describe.each(['source', 'ir'] as const)('policies.budget.max_tokens (skill loaded from %s)', (from) => {
  it('refuses the call that would go over, sending nothing, with a typed error naming the step', async () => {
    const fake = engine();
    const runtime = createRuntime({ engines: { fake: binding(fake) } });
    // Two calls use 30 tokens; the third call's input (about 5 tokens estimated) does not fit in the 4 left of 34.
    const err = await runtime.run(await load(34, from), { text: 'x'.repeat(40) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenBudgetExceededError);
    const e = err as TokenBudgetExceededError;
    expect(e).toMatchObject({ code: 'token_budget_exceeded', skill: 'three-steps', budgetTokens: 34, usedTokens: 30 });
    expect(e.message).toMatch(/b34\.skill\.yaml:17:5: step `c` of skill `three-steps` was not sent: the run has used 30 of its 34 tokens/);
    expect(e.message).toContain('raise policies.budget.max_tokens');
    expect(fake.requests).toHaveLength(2);
  });

  it('lowers each call\'s output cap to what is left of the budget', async () => {
    const fake = engine();
    const runtime = createRuntime({ engines: { fake: binding(fake) } });
    const result = await runtime.run(await load(1000, from), { text: 'hi' });
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 15 });
    const caps = fake.requests.map((r) => r.maxTokens!);
    // Each cap is the budget minus the run's tokens so far minus the call's input estimate (all below 4096).
    expect(caps[0]).toBeLessThan(1000);
    expect(caps[1]).toBeLessThan(caps[0]! - 15 + 1);
    expect(caps[2]).toBeLessThan(caps[1]! - 15 + 1);
    expect(caps.every((c) => c > 900)).toBe(true);
  });

  it('leaves the output cap alone while the budget has room for what the call may produce anyway', async () => {
    const fake = engine();
    const runtime = createRuntime({ engines: { fake: binding(fake) } });
    await runtime.run(await load(300_000, from), { text: 'hi' });
    expect(fake.requests.map((r) => r.maxTokens)).toEqual([undefined, undefined, undefined]);
  });

  it('lets a run without a budget through untouched', async () => {
    const fake = engine();
    const runtime = createRuntime({ engines: { fake: binding(fake) } });
    const file = path.join(dir, 'none.skill.yaml');
    await writeFile(file, SKILL(1).replace(/policies:\n  budget: \{ max_tokens: 1 \}\n/, ''));
    const skill = from === 'source' ? await loadSkillSource(file) : await load(1, from).then(() => loadSkillSource(file));
    await runtime.run(skill, { text: 'x'.repeat(4000) });
    expect(fake.requests.map((r) => r.maxTokens)).toEqual([undefined, undefined, undefined]);
  });
});
