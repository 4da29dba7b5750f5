import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScriptedAdapter, type JsonValue } from '@sdl/adapters';
import { createRuntime, irContentHash, irDocumentHash, IrLoadError, loadIr, loadIrFile, loadSkillFile, type HostTool } from '@sdl/runtime';
import { reseal } from '../../../../test/support/ir-reseal.js';
import { binding } from '../run/support/fake-engine.js';

// The worked example of spec/ir.md (summarize uses chunk), as `skillc compile` writes it.
const fixture = new URL('./fixtures/summarize.skill.json', import.meta.url);
const example = () => JSON.parse(readFileSync(fixture, 'utf8')) as { [key: string]: any };


const splitText: HostTool = {
  parameters: { type: 'object', required: ['text', 'size'], properties: { text: { type: 'string' }, size: { type: 'integer' } } },
  returns: { type: 'object', required: ['chunks'], properties: { chunks: { type: 'array', items: { type: 'string' } } } },
  execute: (args) => ({ chunks: String(args.text).split('\n\n') as JsonValue[] }),
};

function refusal(run: () => unknown): IrLoadError {
  try {
    run();
  } catch (error) {
    if (error instanceof IrLoadError) return error;
    throw error;
  }
  throw new Error('expected an IrLoadError');
}

describe('IR loader', () => {
  it('loads the spec example with its dependency and runs it', async () => {
    const skill = await loadIrFile(fixture.pathname);
    expect(skill.name).toBe('summarize');
    expect(skill.steps.map((s) => [s.id, s.dependsOn])).toEqual([['parts', []], ['partials', ['parts']], ['final', ['partials']]]);
    expect(skill.dependencies.chunk?.skill.name).toBe('chunk');
    expect(skill.steps[1]!.source.file).toBe('skills/summarize.skill.yaml');

    const engine = new ScriptedAdapter({ replies: { partials: ['One.', 'Two.'], final: 'Here: {"summary": "Short."}' } });
    const runtime = createRuntime({ engines: { claude: binding(engine), openai: binding(engine) }, tools: { split_text: splitText } });
    const result = await runtime.run(skill, { text: 'First part.\n\nSecond part.' });
    expect(result.output).toEqual({ summary: 'Short.' });
    expect(engine.callCount).toBe(3);
  });

  it.each([
    ['2.0', 'IR version 2.0 is not supported: this runtime reads IR 1.0 to 1.0. Upgrade @sdl/runtime, or compile with the skillc that matches this runtime.'],
    ['1.7', 'IR version 1.7 is not supported: this runtime reads IR 1.0 to 1.0. Upgrade @sdl/runtime'],
    ['0.9', 'IR version 0.9 is not supported: this runtime reads IR 1.0 to 1.0. Recompile the skill with a current skillc.'],
    [3, '`ir_version` is 3; this runtime reads IR 1.0 to 1.0'],
  ])('refuses ir_version %s naming the versions it reads', (version, message) => {
    const doc = example();
    doc.ir_version = version;
    const error = refusal(() => loadIr(doc, { file: 'dist/summarize.skill.json' }));
    expect(error.code).toBe('SDL6002');
    expect(error.message).toContain(`dist/summarize.skill.json: SDL6002 ${message}`);
  });

  it('refuses a document that does not match the IR schema, with JSON paths', () => {
    const doc = example();
    delete doc.skills['skills/summarize.skill.yaml'].order;
    const error = refusal(() => loadIr(reseal(doc)));
    expect(error.code).toBe('SDL6003');
    expect(error.message).toContain('/skills/skills~1summarize.skill.yaml/order: required property `order` is missing');
  });

  it('refuses a file edited after compilation (hash mismatch)', () => {
    const doc = example();
    doc.skills['skills/summarize.skill.yaml'].description = 'edited by hand';
    const error = refusal(() => loadIr(doc));
    expect(error.code).toBe('SDL6004');
    expect(error.message).toContain('skill `skills/summarize.skill.yaml` hash does not match its content');
    // The document hash covers the skills through their hashes: a skill re-hashed by hand still shows.
    const skill = doc.skills['skills/summarize.skill.yaml'];
    skill.hash = irContentHash(skill);
    expect(refusal(() => loadIr(doc)).message).toContain('document hash does not match its content');
    // And it covers the members around the skills.
    const other = example();
    other.dependencies[0].version = '9.9.9';
    expect(refusal(() => loadIr(other)).message).toContain('document hash does not match its content');
    expect(() => loadIr(reseal(other))).not.toThrow();
  });

  it('refuses a dependency pin that does not match', () => {
    const doc = example();
    const summarize = doc.skills['skills/summarize.skill.yaml'];
    summarize.uses.chunk.hash = `sha256:${'0'.repeat(64)}`;
    summarize.hash = irContentHash(summarize);
    doc.hash = irDocumentHash(doc);
    const error = refusal(() => loadIr(doc));
    expect(error.code).toBe('SDL6005');
    expect(error.message).toMatch(/uses\.chunk pins sha256:0{64} but `skills\/chunk\.skill\.yaml` has sha256:/);
  });

  it('refuses an expression AST the runtime cannot compile, at its YAML location', () => {
    const doc = example();
    doc.skills['skills/summarize.skill.yaml'].steps[1].for_each.over.ast = { kind: 'no-such-node' };
    const error = refusal(() => loadIr(reseal(doc)));
    expect(error.code).toBe('SDL6006');
    expect(error.message).toMatch(/^skills\/summarize\.skill\.yaml:\d+:\d+: <ir>: SDL6006 expression `steps\.parts\.output\.chunks` cannot be compiled/);
  });

  it('reports unreadable and non-JSON files', async () => {
    await expect(loadIrFile('/nonexistent/x.skill.json')).rejects.toThrow('/nonexistent/x.skill.json: SDL6001 cannot be read (ENOENT)');
    expect(refusal(() => loadIr([1, 2])).message).toBe('<ir>: SDL6001 is not a compiled skill: expected a JSON object');
  });

  it('names the line and column of the offending value in the IR text, and says what JSON.parse would not', async () => {
    // Exact ranges for every SDL6xxx code are in packages/compiler/test/diagnostic-ranges.test.ts; here, the forms.
    const doc = example();
    delete doc.skills['skills/summarize.skill.yaml'].order;
    const text = JSON.stringify(reseal(doc), null, 2);
    const missing = refusal(() => loadIr(JSON.parse(text), { file: 'dist/s.skill.json', text }));
    // A missing member: the range is the object that lacks it (the summarize skill, from its `{`).
    expect(missing.pointer).toBe('/skills/skills~1summarize.skill.yaml/order');
    const line = text.split('\n').findIndex((l) => l.startsWith('    "skills/summarize.skill.yaml": {')) + 1;
    expect(missing.range?.start).toEqual({ line, column: 36 });
    expect(missing.message).toMatch(new RegExp(`^dist/s\\.skill\\.json:${line}:36: SDL6003 does not match ir\\.schema\\.json:`));
    // Without the text there is no position, only the pointer.
    expect(refusal(() => loadIr(JSON.parse(text))).range).toBeUndefined();
    // Not JSON: our own message and position, never the file's text quoted back.
    const dir = mkdtempSync(path.join(tmpdir(), 'sdl-ir-'));
    const file = path.join(dir, 'x.skill.json');
    writeFileSync(file, '{\n  "api_key": "sk-ant-secret"\n  "x": 1\n}\n');
    const bad = (await loadIrFile(file).catch((e: unknown) => e)) as IrLoadError;
    expect(bad.message).toBe(`${file}:3:3: SDL6001 is not valid JSON: expected \`,\` or \`}\``);
    expect(bad.range).toEqual({ start: { line: 3, column: 3 }, end: { line: 3, column: 4 } });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a skill object of a content-addressed bundle that is not JSON: where in the object, and the reference in the bundle', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdl-ir-'));
    const hex = 'a'.repeat(64);
    mkdirSync(path.join(dir, 'objects'));
    writeFileSync(path.join(dir, 'objects', `${hex}.json`), '{\n  "name": "x",\n  "api_key" "sk-ant-secret"\n}\n');
    const bundle = path.join(dir, 'app.skill.json');
    writeFileSync(bundle, `{\n  "ir_version": "1.0",\n  "skills": {\n    "app.skill.yaml": "sha256:${hex}"\n  }\n}\n`);
    const error = (await loadIrFile(bundle).catch((e: unknown) => e)) as IrLoadError;
    expect(error.code).toBe('SDL6001');
    expect(error.message).toContain(`objects/${hex}.json, which is not valid JSON at 3:13: expected \`:\` after the member name;`);
    expect(error.message).not.toContain('sk-ant-secret');
    expect(error.range).toEqual({ start: { line: 4, column: 23 }, end: { line: 4, column: 96 } });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('IR source anchors', () => {
  it('a run-time evaluation error points at the failing sub-expression in the YAML', async () => {
    const doc = example();
    const summarize = doc.skills['skills/summarize.skill.yaml'];
    delete summarize.inputs.properties.language.default;
    const skill = loadIr(reseal(doc));
    const engine = new ScriptedAdapter({ fallback: 'echo' });
    const runtime = createRuntime({ engines: { claude: binding(engine), openai: binding(engine) }, tools: { split_text: splitText } });
    const error = (await runtime.run(skill, { text: 'a' }).catch((e: unknown) => e)) as Error;
    // `/steps/1/user` starts at 29:14 in the YAML; the error points at the missing field `language`.
    const src: string = summarize.steps[1].user.src;
    const column = 14 + src.indexOf('language');
    expect(error.message).toBe(
      `skills/summarize.skill.yaml:29:${column}: user prompt of step \`partials\` \`${src}\` failed: no such key: \`language\``,
    );
  });
});

describe('loadSkillFile', () => {
  it('picks the loader by extension', async () => {
    expect((await loadSkillFile(fixture.pathname)).name).toBe('summarize');
    await expect(loadSkillFile('notes.txt')).rejects.toThrow('notes.txt: expected a compiled skill (.skill.json) or a skill source (.skill.yaml)');
  });
});
