import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '@sdl/adapters';
import { createRuntime, loadSkillSource, SkillCompileError, type HostTool } from '@sdl/runtime';
import { binding } from '../run/support/fake-engine.js';

const skillsDir = fileURLToPath(new URL('../../../../skills/', import.meta.url));
const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

const splitText: HostTool = {
  parameters: {
    type: 'object',
    required: ['text', 'max_tokens'],
    properties: { text: { type: 'string' }, max_tokens: { type: 'integer' }, overlap: { type: 'integer' } },
  },
  returns: { type: 'array', items: { type: 'string' } },
  execute: (args) => String(args.text).split(/(?<=\.)\s+/),
};

describe('loading *.skill.yaml on the fly', () => {
  it('compiles the example skill with its dependency and runs it end to end', async () => {
    const skill = await loadSkillSource(path.join(skillsDir, 'summarize-document.skill.yaml'));
    expect(skill.steps.map((s) => [s.id, s.kind, s.dependsOn])).toEqual([
      ['sections', 'use', []],
      ['partials', 'prompt', ['sections']],
      ['merge', 'prompt', ['partials']],
    ]);
    expect(skill.dependencies.chunk?.skill.name).toBe('chunk-text');
    const text = await readFile(path.join(skillsDir, 'summarize-document.skill.yaml'), 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('- id: partials')) + 1;
    expect(skill.steps[1]!.source).toEqual({ file: expect.stringContaining('summarize-document.skill.yaml'), line, column: 5 });

    const engine = new ScriptedAdapter({
      replies: {
        partials: ['Erster Teil.', 'Zweiter Teil.'],
        merge: '```json\n{"summary": "Ein kurzes Dokument.", "key_points": ["Teil eins", "Teil zwei"]}\n```',
      },
    });
    const runtime = createRuntime({
      // The example prefers claude, then openai: a runtime must configure every engine a skill names.
      engines: {
        claude: binding(engine, { contextWindow: 200_000, features: ['json_schema', 'streaming', 'tools'] }),
        openai: binding(engine, { contextWindow: 200_000, features: ['json_schema', 'streaming', 'tools'] }),
      },
      tools: { split_text: splitText },
    });
    const result = await runtime.run(skill, { text: 'Erster Abschnitt. Zweiter Abschnitt.', language: 'de' });
    expect(result.output).toEqual({ summary: 'Ein kurzes Dokument.', key_points: ['Teil eins', 'Teil zwei'] });
    expect(result.trace.filter((t) => t.step === 'partials')).toHaveLength(2);
  });

  it('refuses a file with errors, listing the compiler diagnostics with file:line:col', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sdl-src-'));
    temp.push(dir);
    const file = path.join(dir, 'bad.skill.yaml');
    await writeFile(file, 'sdl: "1.0"\nname: bad\nversion: 1.0.0\ndescription: x\nsteps:\n  - id: a\n    promt: { user: hi }\n');
    const error = await loadSkillSource(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SkillCompileError);
    expect((error as SkillCompileError).diagnostics.length).toBeGreaterThan(0);
    expect((error as Error).message).toMatch(/bad\.skill\.yaml:\d+:\d+: SDL\d{4} /);
  });

  it('refuses uses: paths that leave the project', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sdl-src-'));
    temp.push(dir);
    await writeFile(path.join(dir, 'package.json'), '{}');
    const file = path.join(dir, 'a.skill.yaml');
    await writeFile(
      file,
      'sdl: "1.0"\nname: a\nversion: 1.0.0\ndescription: x\nuses:\n  other: { skill: ../../etc/x.skill.yaml }\nsteps:\n  - id: s\n    use: other\n',
    );
    await expect(loadSkillSource(file)).rejects.toThrow(/points outside the project|SDL5/);
  });
});
