import { describe, expect, it } from 'vitest';
import { createRuntime, SkillResolutionError, type LoadedSkill } from '@sdl/runtime';
import { binding, FakeEngine } from '../run/support/fake-engine.js';
import { promptStep, skill } from '../run/support/skill-builder.js';

const engine = () => new FakeEngine(() => 'ok');
const engines = () => ({ claude: binding(engine()), openai: binding(engine()) });
const enginesAt = { file: 'triage.skill.yaml', line: 7, column: 3 };
const preferAt = { file: 'triage.skill.yaml', line: 8, column: 13 };
const modelAt = { file: 'triage.skill.yaml', line: 9, column: 13 };
const stepAt = { file: 'triage.skill.yaml', line: 12, column: 5 };

interface Row {
  where: string;
  overrides: { engines: LoadedSkill['engines']; stepEngine?: string };
  line: string;
}

// Each place a skill names an engine; the runtime has claude and openai.
const rows: Row[] = [
  {
    where: 'engines.prefer',
    overrides: { engines: { prefer: ['claud', 'openai'], models: {}, params: {} } },
    line: '    - claud: named in `engines.prefer` but not configured (configured: claude, openai); did you mean `claude`? (triage.skill.yaml:8:13)',
  },
  {
    where: 'engines.models',
    overrides: { engines: { prefer: [], models: { mistral: 'large' }, params: {} } },
    line: '    - mistral: named in `engines.models` but not configured (configured: claude, openai); add it to sdl.config.yaml or remove it from the skill (triage.skill.yaml:9:13)',
  },
  {
    where: "a step's engine",
    overrides: { engines: { prefer: [], models: {}, params: {} }, stepEngine: 'opnai' },
    line: '    - opnai: named in step `answer` but not configured (configured: claude, openai); did you mean `openai`? (triage.skill.yaml:12:5)',
  },
];

describe('engines a skill names but the runtime does not have', () => {
  it.each(rows)('$where: refused at load by default, with a did-you-mean and the position of the name', ({ overrides }) => {
    const { stepEngine, ...rest } = overrides;
    const s = skill({
      name: 'triage',
      file: 'triage.skill.yaml',
      sourceMap: { '': { file: 'triage.skill.yaml', line: 1, column: 1 }, '/engines': enginesAt, '/engines/prefer/0': preferAt, '/engines/models/mistral': modelAt },
      ...rest,
      steps: [promptStep('answer', 'x', { source: stepAt, ...(stepEngine !== undefined ? { engine: stepEngine } : {}) })],
    });
    const strict = createRuntime({ engines: engines() });
    let error: unknown;
    try {
      strict.load(s);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SkillResolutionError);
    const line = rows.find((r) => r.overrides === overrides)!.line;
    expect((error as SkillResolutionError).message).toBe(
      ['cannot load skill `triage` (triage.skill.yaml):', '  engines the skill names but this runtime does not have:', line].join('\n'),
    );
    expect((error as SkillResolutionError).code).toBe('skill_unresolved');
    // `strictEngines: false` skips the name (hosts serving skills written for more engines than they have).
    expect(() => createRuntime({ engines: engines(), strictEngines: false }).load(s)).not.toThrow();
  });

  it('falls back to the `engines` entry for IR compiled before engine names had their own', () => {
    const s = skill({
      name: 'triage',
      file: 'triage.skill.yaml',
      sourceMap: { '': { file: 'triage.skill.yaml', line: 1, column: 1 }, '/engines': enginesAt },
      engines: { prefer: ['claud'], models: {}, params: {} },
      steps: [promptStep('answer', 'x', { source: stepAt })],
    });
    expect(() => createRuntime({ engines: engines() }).load(s)).toThrow(/did you mean `claude`\? \(triage\.skill\.yaml:7:3\)/);
  });

  it('accepts a skill that names only configured engines', () => {
    const s = skill({ engines: { prefer: ['openai', 'claude'], models: { claude: 'claude-sonnet-5' }, params: {} }, steps: [promptStep('a', 'x')] });
    expect(createRuntime({ engines: engines() }).load(s).engines).toEqual(['openai', 'claude']);
  });
});
