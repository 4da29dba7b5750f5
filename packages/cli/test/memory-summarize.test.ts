import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime, loadIrFile, loadSkillSource } from '@sdl/runtime';
import { ScriptedAdapter } from '@sdl/adapters';
import { project, skillc, readIr } from './helpers.js';

const skill = (summarize: string) => `sdl: "1.0"
name: chat
version: 1.0.0
description: Chats.
engines:
  prefer: [claude]
steps:
  - id: reply
    prompt: { user: "hi" }
memory:
  conversation: true
  max_turns: 20
  summarize: ${summarize}
`;

const engines = () => ({ claude: { adapter: new ScriptedAdapter({ model: 'm' }), model: 'm' } });

describe('memory.summarize in the skill file, the IR and the runtime', () => {
  it.each([
    ['true', { engine: null, prompt: null, keep_recent: null }, {}],
    ['{ engine: claude, keep_recent: 6, prompt: "Keep names." }', { engine: 'claude', prompt: 'Keep names.', keep_recent: 6 }, { engine: 'claude', prompt: 'Keep names.', keep_recent: 6 }],
  ])('summarize: %s checks, compiles into the IR and loads', async (written, ir, loaded) => {
    const cwd = project({ 'chat.skill.yaml': skill(written) });
    const check = await skillc(['check', 'chat.skill.yaml'], cwd);
    expect(check.code, check.out + check.err).toBe(0);
    const compile = await skillc(['compile', 'chat.skill.yaml', '--out', 'build'], cwd);
    expect(compile.code, compile.out + compile.err).toBe(0);
    const json = readIr(path.join(cwd, 'build', 'chat.skill.json'));
    // The IR's `memory` of the skill, wherever the bundle keeps it.
    const memories: unknown[] = [];
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (o.memory !== undefined && typeof o.memory === 'object') memories.push(o.memory);
      for (const child of Object.values(o)) walk(child);
    };
    walk(json);
    expect(memories).toEqual([{ conversation: true, ttl_s: null, max_turns: 20, summarize: ir }]);
    const fromIr = await loadIrFile(path.join(cwd, 'build', 'chat.skill.json'));
    expect(fromIr.memory?.summarize).toEqual(loaded);
    const fromSource = await loadSkillSource(path.join(cwd, 'chat.skill.yaml'));
    expect(fromSource.memory?.summarize).toEqual(loaded);
  });

  it('refuses a summary engine the runtime lacks, at the name', async () => {
    const cwd = project({ 'chat.skill.yaml': skill('{ engine: claud }') });
    const loaded = await loadSkillSource(path.join(cwd, 'chat.skill.yaml'));
    expect(() => createRuntime({ engines: engines() }).load(loaded)).toThrow(
      /claud: named in `memory\.summarize\.engine` but not configured \(configured: claude\); did you mean `claude`\? \(.*chat\.skill\.yaml:13:24\)/,
    );
  });

  it('refuses a malformed summarize at its position', async () => {
    const cwd = project({ 'chat.skill.yaml': skill('{ keep_recent: 0 }') });
    const check = await skillc(['check', 'chat.skill.yaml'], cwd);
    expect(check.code).toBe(1);
    expect(check.out + check.err).toMatch(/chat\.skill\.yaml:13:\d+/);
  });
});
