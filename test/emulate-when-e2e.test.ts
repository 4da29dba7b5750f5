// `skillc emulate` as a stand-in model lets a skill's `when:` branches fire (issue 13): a classify step
// with a JSON Schema output, then two steps guarded on its label; over a few seeds both run, and
// one seed repeats its run exactly. Real runtime, real adapters (official SDKs) over HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AnthropicAdapter, CohereAdapter, type EngineAdapter, OpenAIAdapter } from '@sdl/adapters';
import { main, type CliIO } from '@sdl/cli';
import { createRuntime, loadSkillFile, type LoadedSkill } from '@sdl/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROVIDERS = ['anthropic', 'openai', 'cohere'] as const;
const ADAPTERS = { anthropic: AnthropicAdapter, openai: OpenAIAdapter, cohere: CohereAdapter } as const;

const TRIAGE = `
sdl: "1.0"
name: triage
version: 1.0.0
description: Routes a ticket by urgency.
inputs:
  type: object
  required: [ticket]
  properties:
    ticket: { type: string }
engines:
  prefer: [model]
  models: { model: stand-in }
steps:
  - id: classify
    prompt:
      user: "Is this urgent? {{ inputs.ticket }}"
    output:
      type: object
      required: [label]
      additionalProperties: false
      properties:
        label: { enum: [urgent, routine] }
  - id: escalate
    when: steps.classify.output.label == "urgent"
    prompt:
      user: "Escalate: {{ inputs.ticket }}"
  - id: file
    when: steps.classify.output.label == "routine"
    prompt:
      user: "File: {{ inputs.ticket }}"
return: steps.classify.output.label
`;

let dir: string;
let skill: LoadedSkill;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sdl-emulate-when-'));
  writeFileSync(path.join(dir, 'triage.skill.yaml'), TRIAGE);
  skill = await loadSkillFile(path.join(dir, 'triage.skill.yaml'), { projectRoot: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One run of the skill against `skillc emulate --seed <seed>`: which of the guarded steps ran. */
async function runWithSeed(provider: (typeof PROVIDERS)[number], seed: number): Promise<{ label: unknown; ran: string[] }> {
  const controller = new AbortController();
  let out = '';
  let onUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (onUrl = resolve));
  const io: CliIO = {
    stdout: { write: (s: string) => ((out += s), out.includes('\n') && onUrl(out.split('\n')[0]!), true) },
    stderr: { write: () => true },
    cwd: dir,
    env: {},
    signal: controller.signal,
  };
  const exit = main(['emulate', '--provider', provider, '--seed', String(seed)], io);
  try {
    const adapter: EngineAdapter = new ADAPTERS[provider]({ apiKey: 'k', baseURL: await url, timeoutMs: 5000 });
    const runtime = createRuntime({ engines: { model: { adapter, model: 'stand-in' } } });
    const result = await runtime.run(skill, { ticket: 'The checkout page is down.' });
    const ran = result.trace.filter((t) => t.status === 'ok' && (t.step === 'escalate' || t.step === 'file')).map((t) => t.step);
    return { label: result.output, ran };
  } finally {
    controller.abort();
    expect(await exit).toBe(0);
  }
}

describe.each(PROVIDERS)('skillc emulate drives when: branches on %s', (provider) => {
  it('both branches fire over a few seeds; the same seed repeats the run', async () => {
    const runs = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) runs.push(await runWithSeed(provider, seed));
    for (const run of runs) expect(run.ran).toEqual([run.label === 'urgent' ? 'escalate' : 'file']);
    expect(new Set(runs.map((r) => r.label))).toEqual(new Set(['urgent', 'routine']));
    expect(await runWithSeed(provider, 3)).toEqual(runs[2]);
  });
});
