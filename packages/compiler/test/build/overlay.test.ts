import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectBuilder } from '@sdl/compiler';
import { makeProject, removeProject } from '../deps/temp-project.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeProject));

const leaf = (inputName: string) =>
  `sdl: "1.0"\nname: leaf\nversion: 1.0.0\ndescription: Leaf.\ninputs: { type: object, properties: { ${inputName}: { type: string } } }\nsteps:\n  - id: only\n    prompt: { user: "{{ inputs.${inputName} }}" }\n`;
const top = 'sdl: "1.0"\nname: top\nversion: 1.0.0\ndescription: Top.\nuses:\n  leaf: { skill: ./leaf.skill.yaml }\nsteps:\n  - id: call\n    use: leaf\n    with: { text: "\'x\'" }\n';

describe('ProjectBuilder overlay (editor buffers) and emit: false', () => {
  it('checks unsaved text instead of the disk, dependents included, and leaves the disk alone', () => {
    const root = makeProject({ 'package.json': '{}', 'leaf.skill.yaml': leaf('text'), 'top.skill.yaml': top });
    roots.push(root);
    const open = new Map<string, string>();
    const builder = new ProjectBuilder(['.'], { cwd: root, watch: true, emit: false, overlay: (p) => open.get(p) });
    const first = builder.build();
    expect(first.diagnostics).toEqual([]);
    expect(first.outputs).toEqual([]);
    expect(first.stats.emitted).toBe(0);

    const leafPath = path.join(root, 'leaf.skill.yaml');
    open.set(leafPath, leaf('body'));
    builder.invalidate([leafPath]);
    const second = builder.build();
    expect(second.diagnostics.map((d) => [d.code, d.file, d.range.start])).toEqual([['SDL4109', 'top.skill.yaml', { line: 10, column: 13 }]]);
    expect(second.stats.parsed).toBe(1);
    expect(builder.fileResult(leafPath)?.source?.text).toBe(leaf('body'));
    expect(readFileSync(leafPath, 'utf8')).toBe(leaf('text'));

    open.delete(leafPath);
    builder.invalidate([leafPath]);
    expect(builder.build().diagnostics).toEqual([]);
  });

  it('emits as before when emit is not false', () => {
    const root = makeProject({ 'package.json': '{}', 'leaf.skill.yaml': leaf('text') });
    roots.push(root);
    expect(new ProjectBuilder(['.'], { cwd: root }).build().outputs.map((o) => o.name)).toEqual(['leaf']);
  });
});
