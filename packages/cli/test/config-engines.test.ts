import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@sdl/adapters';
import { project, skillc } from './helpers.js';

const CONFIG = `engines:
  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}" }
  openai: { provider: openai, model: gpt-5.4, api_key: "\${env:OPENAI_API_KEY}" }
`;

// Line 5: prefer; line 6: models; line 11: the step's engine (each also in prefer, as SDL3007 wants).
const SKILL = `sdl: "1.0"
name: triage
version: 1.0.0
engines:
  prefer: [claud, openai, mistral]
  models: { mistral: large }
description: Triage a ticket.
steps:
  - id: answer
    prompt: { user: "hello" }
    engine: claud
`;

describe('SDL3050: engines the skill names but sdl.config.yaml does not define', () => {
  it('skillc check warns at each name with a did-you-mean (no key needs to be set)', async () => {
    const cwd = project({ 'sdl.config.yaml': CONFIG, 'package.json': '{}', 'triage.skill.yaml': SKILL });
    const { code, out } = await skillc(['check', 'triage.skill.yaml', '--json'], cwd);
    expect(code).toBe(0); // warnings only
    const found = (JSON.parse(out) as { diagnostics: { code: string; range: { start: { line: number; column: number } }; message: string; hint: string }[] }).diagnostics
      .filter((d) => d.code === 'SDL3050')
      .map((d) => [`${d.range.start.line}:${d.range.start.column}`, d.message, d.hint]);
    expect(found).toEqual([
      ['5:12', 'engine `claud` is not defined in sdl.config.yaml (engines: claude, openai)', 'did you mean `claude`?'],
      ['5:27', 'engine `mistral` is not defined in sdl.config.yaml (engines: claude, openai)', 'add `mistral` under `engines:` in sdl.config.yaml, or remove it from the skill'],
      ['6:13', 'engine `mistral` is not defined in sdl.config.yaml (engines: claude, openai)', 'add `mistral` under `engines:` in sdl.config.yaml, or remove it from the skill'],
      ['11:13', 'engine `claud` is not defined in sdl.config.yaml (engines: claude, openai)', 'did you mean `claude`?'],
    ]);
    // No config found: nothing to compare with, no warning.
    const bare = project({ 'package.json': '{}', 'triage.skill.yaml': SKILL });
    expect((await skillc(['check', 'triage.skill.yaml'], bare)).out).toBe('no problems in 1 file\n');
  });

  it('skillc test warns on stderr and still runs the tests on the scripted engine', async () => {
    const plain = SKILL.replace('  models: { mistral: large }\n', '').replace('    engine: claud\n', '');
    const tested = `${plain}tests:\n  - name: says hello\n    input: {}\n    replies: { answer: hi }\n    expect: { output: { equals: hi } }\n`;
    const cwd = project({ 'sdl.config.yaml': CONFIG, 'package.json': '{}', 'triage.skill.yaml': tested });
    const { code, out, err } = await skillc(['test', 'triage.skill.yaml'], cwd);
    expect(code).toBe(0);
    expect(out).toContain('1 passed, 0 failed');
    expect(err).toContain('triage.skill.yaml:5:12: warning SDL3050: engine `claud` is not defined in sdl.config.yaml (engines: claude, openai)');
    expect(err).toContain('hint: did you mean `claude`?');
  });
});

describe('skillc run refuses a skill naming an engine the config lacks', () => {
  let claude: Emulator;
  beforeAll(async () => {
    claude = await startEmulator({ provider: 'anthropic' });
  });
  afterAll(() => claude.close());

  it('exits 1 at load, before any request, naming the engine and the closest configured one', async () => {
    const config = `engines:\n  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}", base_url: "${claude.url}" }\n`;
    const cwd = project({ 'sdl.config.yaml': config, 'triage.skill.yaml': SKILL.replace('  models: { mistral: large }\n', '').replace('    engine: claud\n', '').replace(', mistral]', ']') });
    const { code, err } = await skillc(['run', 'triage.skill.yaml', '--json'], cwd, { ANTHROPIC_API_KEY: 'sk-ant-test' });
    expect(code).toBe(1);
    expect(err).toContain('cannot load skill `triage`');
    expect(err).toContain('engines the skill names but this runtime does not have:\n    - claud: named in `engines.prefer` but not configured (configured: claude); did you mean `claude`? (triage.skill.yaml:5:12)');
    // Each name at its own position (line 5: `prefer: [claud, openai]`), not at the skill's first line.
    expect(err).toContain('    - openai: named in `engines.prefer` but not configured (configured: claude); add it to sdl.config.yaml or remove it from the skill (triage.skill.yaml:5:19)');
    expect(claude.requests).toHaveLength(0);
  });
});
