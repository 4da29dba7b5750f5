import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProject, canonicalJson, contentHash, documentHash, type IrDocument, serializeIr, validateDocument, validateEnvelope, validateIr, validateSkillIr } from '@sdl/compiler';
import { makeProject, removeProject } from '../deps/temp-project.js';
import { SPEC_FILES, SPEC_SUMMARIZE_IR } from './spec-example.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeProject));
const project = (files: Record<string, string>) => {
  const root = makeProject(files);
  roots.push(root);
  return root;
};

describe('IR emitter', () => {
  it('reproduces the worked example of spec/ir.md byte for byte', () => {
    const root = project(SPEC_FILES);
    const result = buildProject(['skills/summarize.skill.yaml'], { cwd: root });
    expect(result.diagnostics).toEqual([]);
    expect(result.outputs.map((o) => o.name)).toEqual(['summarize']);
    const text = result.outputs[0]!.text;
    // The file is canonical JSON on one line; the spec shows the same JSON indented for reading.
    expect(text).toBe(`${canonicalJson(JSON.parse(text))}\n`);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    expect(`${JSON.stringify(JSON.parse(text), null, 2)}\n`).toBe(SPEC_SUMMARIZE_IR);
  });

  it('is byte-identical when compiled twice, from another directory, and from another copy of the project', () => {
    const root = project(SPEC_FILES);
    const fromRoot = buildProject(['skills'], { cwd: root }).outputs.map((o) => o.text);
    const again = buildProject(['skills'], { cwd: root }).outputs.map((o) => o.text);
    const fromSkills = buildProject(['summarize.skill.yaml', 'chunk.skill.yaml'], { cwd: path.join(root, 'skills') }).outputs.map((o) => o.text);
    const elsewhere = project({ 'unrelated/x': '' });
    const fromOutside = buildProject([path.join(root, 'skills')], { cwd: elsewhere }).outputs.map((o) => o.text);
    const copy = project(SPEC_FILES);
    const fromCopy = buildProject(['skills'], { cwd: copy }).outputs.map((o) => o.text);
    expect(fromRoot).toHaveLength(2);
    for (const other of [again, fromSkills.slice().sort(), fromOutside, fromCopy]) expect([...other].sort()).toEqual([...fromRoot].sort());
    for (const text of fromRoot) {
      expect(text).not.toContain(root);
      expect(text).not.toContain(realpathSync(root));
    }
  });

  it('writes IR that validates against schemas/ir.schema.json, with consistent hashes, for every example skill in skills/', () => {
    const repo = path.resolve(new URL('../../../..', import.meta.url).pathname);
    const result = buildProject(['skills'], { cwd: repo });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.outputs.length).toBeGreaterThanOrEqual(10);
    for (const { document, text } of result.outputs) {
      // The file is the document's canonical JSON: what `serializeIr` (and so `canonicalJson`) makes of it.
      expect(text).toBe(serializeIr(document));
      expect(validateIr(document), document.entry).toEqual([]);
      expect(documentHash(document as unknown as Record<string, unknown>)).toBe(document.hash);
      for (const skill of Object.values(document.skills)) {
        expect(contentHash(skill as unknown as Record<string, unknown>)).toBe(skill.hash);
        for (const use of Object.values(skill.uses)) expect(use.hash).toBe(document.skills[use.skill]!.hash);
        // Every compiled node has a source-map entry with anchors, in the skill's own file.
        for (const step of skill.steps) for (const node of [step.when, step.for_each?.over]) if (node) expect(skill.source_map[node.map]?.anchors).toBeDefined();
      }
    }
  });

  it('the per-skill validator used by builds refuses what the whole-schema validator refuses', () => {
    const root = project(SPEC_FILES);
    const [out] = buildProject(['skills/summarize.skill.yaml'], { cwd: root }).outputs;
    const broken = JSON.parse(out!.text) as IrDocument;
    (broken.skills['skills/chunk.skill.yaml']!.steps[0] as { kind: string }).kind = 'shell';
    expect(validateIr(broken)).not.toEqual([]);
    expect(validateDocument(broken)[0]).toMatch(/^\/skills\/skills~1chunk\.skill\.yaml\/steps\/0/);
    const envelope = { ...(JSON.parse(out!.text) as IrDocument), ir_version: '2.0' };
    expect(validateDocument(envelope)).toEqual(['/ir_version must match pattern "^1\\.(0|[1-9][0-9]*)$"']);
    expect(validateDocument(JSON.parse(out!.text) as IrDocument)).toEqual([]);
    // The checks `--verify-ir` runs as it emits: each skill, then each file's envelope.
    expect(validateSkillIr(broken.skills['skills/chunk.skill.yaml']!)[0]).toMatch(/^\/skills\/skills~1chunk\.skill\.yaml\/steps\/0/);
    expect(validateEnvelope({ ...envelope, skills: { 'skills/summarize.skill.yaml': {} } })).toEqual(['/ir_version must match pattern "^1\\.(0|[1-9][0-9]*)$"']);
    expect(validateEnvelope({ ...envelope, ir_version: '1.0', skills: {} })).toEqual(['/skills must NOT have fewer than 1 properties']);
    // A whole build with the checks on.
    expect(buildProject(['skills'], { cwd: root, verifyIr: true }).outputs.map((o) => o.name).sort()).toEqual(['chunk', 'summarize']);
  });

  it('writes canonical JSON also for keys that JavaScript enumerates out of insertion order (integer-like names)', () => {
    const root = project({
      'package.json': '{}',
      'n.skill.yaml': `sdl: "1.0"
name: n
version: 1.0.0
description: Property names that look like numbers.
inputs:
  type: object
  properties:
    b: { type: string }
    "10": { type: string }
    "9": { type: string }
    a: { type: string }
steps:
  - id: s
    prompt:
      user: "{{ inputs.a }}"
`,
    });
    const [out] = buildProject(['n.skill.yaml'], { cwd: root }).outputs;
    expect(out!.text).toBe(serializeIr(out!.document));
    expect(out!.text).toContain('"properties":{"10":{"type":"string"},"9":{"type":"string"},"a":{"type":"string"},"b":{"type":"string"}}');
    const skill = out!.document.skills['n.skill.yaml']!;
    expect(contentHash(skill as unknown as Record<string, unknown>)).toBe(skill.hash);
    expect(documentHash(out!.document as unknown as Record<string, unknown>)).toBe(out!.document.hash);
  });

  it('writes canonical JSON for members the author orders (tools, uses, arguments, params, replies, schemas) and for every kind of template node', () => {
    const root = project({
      'package.json': '{}',
      'dep.skill.yaml': `sdl: "1.0"
name: dep
version: 1.0.0
description: A dependency.
inputs: { type: object, properties: { z: { type: string }, a: { type: string } } }
steps:
  - id: s
    prompt: { user: "{{ inputs.a }}" }
`,
      'n.skill.yaml': `sdl: "1.0"
name: n
version: 1.0.0
description: Author-ordered names everywhere.
inputs:
  type: object
  required: [text, list]
  properties:
    text: { type: string, minLength: 1 }
    list: { type: array, items: { type: string } }
    flag: { type: boolean }
outputs: { type: object, required: [z, a], properties: { z: { type: string }, a: { type: number } } }
engines: { prefer: [openai, claude], models: { openai: gpt-x, claude: c-1 }, params: { top_p: 0.5, max_tokens: 10 } }
uses:
  zeta: { skill: ./dep.skill.yaml }
  alpha: { skill: ./dep.skill.yaml, version: "^1.0.0" }
tools:
  zz_search: { description: Search., parameters: { type: object, properties: { z_last: { type: string }, m_mid: { type: number }, a_first: { type: object } } } }
  aa_fetch: { description: Fetch., parameters: { type: object, properties: { id: { type: string } } }, returns: { type: string } }
steps:
  - id: call
    tool: zz_search
    with: { z_last: inputs.text, a_first: { y: 1, b: [2, { d: 1, c: 0 }] }, m_mid: 3 }
  - id: used
    use: zeta
    with: { z: inputs.text, a: inputs.text }
  - id: base
    use: alpha
    with: { a: inputs.text }
  - id: talk
    when: size(inputs.list.filter(x, x != "")) > 0
    for_each: inputs.list.map(x, x != "", x + "!")
    as: entry
    params: { temperature: 0, stop: [x], max_tokens: 5 }
    prompt:
      system: "{{#if inputs.flag}}Yes{{else if has(inputs.flag)}}No{{else}}Unset{{/if}}"
      user: |
        {{#each inputs.list as item, i}}{{#if i > 0}}, {{/if}}{{ item }}{{/each}}
        {{ entry }} {{ steps.call.output }} {{ {"b": 1, "a": [1u, 2.5, b"x", null]}["a"] }}
  - id: last
    prompt: { user: "{{ inputs.text }}" }
    output: outputs
policies:
  retry: { max_attempts: 2 }
  timeout_ms: 100
  budget: { max_tokens: 10 }
tests:
  - name: t
    input: { text: x, list: [a] }
    replies: { talk: [b, a], last: '{"z": "x", "a": 1}' }
    expect: { output.z: { equals: x } }
`,
    });
    for (const verifyIr of [false, true]) {
      const result = buildProject(['n.skill.yaml'], { cwd: root, verifyIr });
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const [out] = result.outputs;
      expect(out!.text).toBe(serializeIr(out!.document));
      for (const skill of Object.values(out!.document.skills)) expect(contentHash(skill as unknown as Record<string, unknown>)).toBe(skill.hash);
      expect(documentHash(out!.document as unknown as Record<string, unknown>)).toBe(out!.document.hash);
      const skill = out!.document.skills['n.skill.yaml']!;
      expect(Object.keys(skill.uses)).toEqual(['alpha', 'zeta']);
      expect(Object.keys(skill.tools)).toEqual(['aa_fetch', 'zz_search']);
      expect(Object.keys((skill.steps[0] as any).with)).toEqual(['a_first', 'm_mid', 'z_last']);
    }
  });

  it('fills defaults: for_each, policies, memory, engines, step params, a default return mapped to the last step', () => {
    const root = project({
      'package.json': '{}',
      'a.skill.yaml': `sdl: "1.0"
name: defaults
version: 0.1.0
description: D.
engines: { params: { temperature: 0.5, max_tokens: 100 } }
steps:
  - id: each
    for_each: '["x", "y"]'
    prompt: { user: "{{ item }} {{ index }}" }
  - id: last
    prompt: { user: hi }
    params: { temperature: 0 }
    output: { type: object, properties: { a: { type: string } } }
policies:
  rate_limit: { rpm: 10 }
  circuit_breaker: {}
  redact: [ssn, { name: order, pattern: "O-[0-9]+" }]
tests:
  - name: t
    input: {}
    replies: { each: [a, b], last: '{"a": "x"}' }
    expect: { output.a: { equals: x } }
`,
    });
    const [out] = buildProject(['a.skill.yaml'], { cwd: root }).outputs;
    const skill = out!.document.skills['a.skill.yaml']!;
    const [each, last] = skill.steps as any[];
    expect(each.for_each).toMatchObject({ as: 'item', index: 'index', concurrency: 4 });
    expect(last.params).toEqual({ temperature: 0, max_tokens: 100 });
    expect(last.output).toEqual({ kind: 'schema', from: 'inline', schema: { type: 'object', properties: { a: { type: 'string' } } } });
    expect(skill.policies).toEqual({
      retry: null, rate_limit: { rpm: 10, tpm: null, concurrency: null }, timeout_ms: null, circuit_breaker: { failures: 5, reset_ms: 30000 }, cache: null,
      redact: [{ kind: 'builtin', name: 'ssn' }, { kind: 'pattern', name: 'order', pattern: 'O-[0-9]+' }], budget: null,
    });
    expect(skill.memory).toEqual({ conversation: false, ttl_s: null, max_turns: null });
    expect(skill.inputs).toEqual({ type: 'object', properties: {} });
    expect(skill.return.src).toBe('steps.last.output');
    expect(skill.source_map['/return']).toEqual(skill.source_map['/steps/1']);
    expect((skill.tests[0] as any).replies).toEqual({ each: ['a', 'b'], last: ['{"a": "x"}'] });
    // Anchors of a template make every AST offset exact: the value starts after the opening quote.
    expect(skill.source_map['/steps/0/user']).toMatchObject({ start: { line: 9, column: 21 }, anchors: [[0, 9, 22]] });
  });

  it('bundles a skill reached through a symlinked directory inside the project under one id', () => {
    const root = project(SPEC_FILES);
    mkdirSync(path.join(root, 'links'));
    symlinkSync(path.join(root, 'skills'), path.join(root, 'links', 'skills'));
    const [out] = buildProject(['links/skills/summarize.skill.yaml'], { cwd: root }).outputs;
    expect(Object.keys(out!.document.skills)).toEqual(['skills/chunk.skill.yaml', 'skills/summarize.skill.yaml']);
  });
});
