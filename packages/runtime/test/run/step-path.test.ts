import { describe, expect, it } from 'vitest';
import { createRuntime } from '@sdl/runtime';
import { binding, FakeEngine } from './support/fake-engine.js';
import { promptStep, skill, useStep } from './support/skill-builder.js';

describe('EngineRequest.stepPath', () => {
  it('is the path through use: steps to the prompt step; stepId stays the plain id', async () => {
    const engine = new FakeEngine(() => 'ok');
    const runtime = createRuntime({ engines: { fake: binding(engine) } });
    const source = { file: 'p', line: 3, column: 3 };
    const leaf = skill({ name: 'leaf', hash: 'sha256:leaf', steps: [promptStep('split', 'split it')] });
    const middle = skill({
      name: 'middle',
      hash: 'sha256:middle',
      dependencies: { leaf: { alias: 'leaf', reference: './leaf.skill.yaml', skill: leaf, source } },
      steps: [useStep('inner', 'leaf', {}), promptStep('note', 'note it', { dependsOn: ['inner'] })],
    });
    const top = skill({
      name: 'top',
      dependencies: { middle: { alias: 'middle', reference: './middle.skill.yaml', skill: middle, source } },
      steps: [useStep('outer', 'middle', {}), promptStep('split', 'final', { dependsOn: ['outer'] })],
    });
    await runtime.run(top, {});
    expect(engine.requests.map((r) => [r.stepPath, r.stepId])).toEqual([
      ['outer.inner.split', 'split'],
      ['outer.note', 'note'],
      ['split', 'split'],
    ]);
  });
});
