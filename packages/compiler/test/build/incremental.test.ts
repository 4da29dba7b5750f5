import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProject, ProjectBuilder } from '@sdl/compiler';
import { makeProject, removeProject } from '../deps/temp-project.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeProject));

function skillText(name: string, uses: string[] = []): string {
  const lines = ['sdl: "1.0"', `name: ${name}`, 'version: 1.0.0', `description: The ${name} skill.`, 'inputs: { type: object, properties: { text: { type: string } } }'];
  if (uses.length > 0) lines.push('uses:', ...uses.map((u) => `  ${u}: { skill: ./${u}.skill.yaml, version: "^1.0.0" }`));
  lines.push('steps:');
  if (uses.length === 0) lines.push('  - id: only', '    prompt: { user: "{{ inputs.text }}" }');
  for (const u of uses) lines.push(`  - id: call_${u}`, `    use: ${u}`, '    with: { text: inputs.text }');
  return `${lines.join('\n')}\n`;
}

// A diamond (top → left, right → leaf) plus an unrelated skill.
const FILES = {
  'package.json': '{}',
  'leaf.skill.yaml': skillText('leaf'),
  'left.skill.yaml': skillText('left', ['leaf']),
  'right.skill.yaml': skillText('right', ['leaf']),
  'top.skill.yaml': skillText('top', ['left', 'right']),
  'alone.skill.yaml': skillText('alone'),
};

describe('ProjectBuilder (the incremental path of --watch)', () => {
  it.each([['as given', ''], ['with a trailing slash', '/'], ['with a dot segment', '/.']])('hands the resolver every file it parsed, whatever the spelling of cwd (%s)', (_name, suffix) => {
    const root = makeProject(FILES);
    roots.push(root);
    const result = buildProject(['.'], { cwd: root + suffix });
    expect(result.diagnostics).toEqual([]);
    expect(result.stats).toEqual({ parsed: 5, bound: 5, emitted: 5, documents: 5, resolverParses: 0 });
  });

  it('after a change to a leaf re-parses only that file and re-emits only the roots whose closure holds it', () => {
    const root = makeProject(FILES);
    roots.push(root);
    const builder = new ProjectBuilder(['.'], { cwd: root, watch: true });
    const first = builder.build();
    expect(first.diagnostics).toEqual([]);
    expect(first.stats).toEqual({ parsed: 5, bound: 5, emitted: 5, documents: 5, resolverParses: 0 });
    // The diamond resolves to one copy of leaf.
    expect(Object.keys(first.outputs.find((o) => o.name === 'top')!.document.skills)).toEqual(['leaf.skill.yaml', 'left.skill.yaml', 'right.skill.yaml', 'top.skill.yaml']);

    const nothing = builder.build();
    expect(nothing.stats).toEqual({ parsed: 0, bound: 0, emitted: 0, documents: 0, resolverParses: 0 });
    expect(nothing.outputs.filter((o) => o.changed)).toEqual([]);

    const leaf = path.join(root, 'leaf.skill.yaml');
    writeFileSync(leaf, readFileSync(leaf, 'utf8').replace('The leaf skill.', 'The changed leaf.'));
    builder.invalidate([leaf]);
    const after = builder.build();
    expect(after.stats.parsed).toBe(1);
    // leaf's interface did not change, but its dependents' IR pins its hash: left, right, top re-emitted.
    expect(after.stats.emitted).toBe(4);
    expect(after.outputs.filter((o) => o.changed).map((o) => o.name).sort()).toEqual(['leaf', 'left', 'right', 'top']);
    // The same bytes as a fresh full build.
    const fresh = buildProject(['.'], { cwd: root });
    expect(after.outputs.map((o) => o.text)).toEqual(fresh.outputs.map((o) => o.text));
  });

  it('a touched file with unchanged content costs a read, no parse; an error in a leaf blocks every output', () => {
    const root = makeProject(FILES);
    roots.push(root);
    const builder = new ProjectBuilder(['.'], { cwd: root, watch: true });
    builder.build();
    const leaf = path.join(root, 'leaf.skill.yaml');
    builder.invalidate([leaf]);
    expect(builder.build().stats).toEqual({ parsed: 0, bound: 0, emitted: 0, documents: 0, resolverParses: 0 });

    writeFileSync(leaf, readFileSync(leaf, 'utf8').replace('{{ inputs.text }}', '{{ inputs.txt }}'));
    builder.invalidate([leaf]);
    const broken = builder.build();
    expect(broken.outputs).toEqual([]);
    expect(broken.diagnostics.map((d) => `${d.file}:${d.range.start.line}:${d.range.start.column} ${d.code}`)).toEqual(['leaf.skill.yaml:8:32 SDL4102']);
  });
});
