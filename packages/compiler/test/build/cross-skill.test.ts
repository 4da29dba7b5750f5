import { afterAll, describe, expect, it } from 'vitest';
import { buildProject, type Diagnostic } from '@sdl/compiler';
import { makeProject, removeProject } from '../deps/temp-project.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeProject));

const at = (d: Diagnostic) => `${d.file}:${d.range.start.line}:${d.range.start.column}-${d.range.end.line}:${d.range.end.column} ${d.code}`;

const CHUNK = `sdl: "1.0"
name: chunk
version: 1.2.0
description: Split text.
inputs:
  type: object
  required: [text, size]
  properties:
    text: { type: string }
    size: { type: integer }
    overlap: { type: integer, default: 0 }
outputs:
  type: object
  required: [chunks]
  properties:
    chunks: { type: array, items: { type: string } }
steps:
  - id: split
    prompt: { user: "{{ inputs.text }}" }
    output: outputs
`;

/** A user of chunk whose step lines are given (line 9 is the first step line). */
function user(...stepLines: string[]): string {
  return [
    'sdl: "1.0"', // 1
    'name: user', // 2
    'version: 1.0.0', // 3
    'description: Use chunk.', // 4
    'inputs: { type: object, properties: { doc: { type: string }, n: { type: integer } } }', // 5
    'uses:', // 6
    '  chunk: { skill: ./chunk.skill.yaml, version: "^1.0.0" }', // 7
    'steps:', // 8
    ...stepLines,
    '',
  ].join('\n');
}

function build(userText: string): Diagnostic[] {
  const root = makeProject({ 'package.json': '{}', 'chunk.skill.yaml': CHUNK, 'user.skill.yaml': userText });
  roots.push(root);
  return buildProject(['user.skill.yaml'], { cwd: root }).diagnostics.filter((d) => d.severity === 'error');
}

describe('cross-skill type checking', () => {
  it('accepts arguments that match the dependency inputs (defaults may be left out)', () => {
    expect(build(user('  - id: parts', '    use: chunk', '    with: { text: inputs.doc, size: 100 }', '  - id: one', '    prompt: { user: "{{ steps.parts.output.chunks[0] }}" }'))).toEqual([]);
  });

  it.each([
    ['a missing required argument, at `with`', ['  - id: parts', '    use: chunk', '    with: { text: inputs.doc }'], ['user.skill.yaml:11:5-11:9 SDL4110'], /skill `chunk` requires the argument `size`/],
    ['an unknown argument, with did-you-mean, at its key', ['  - id: parts', '    use: chunk', '    with: { text: inputs.doc, size: 1, overlp: 2 }'], ['user.skill.yaml:11:40-11:46 SDL4109'], /did you mean `overlap`\?/],
    ['an expression of the wrong type, at the value', ['  - id: parts', '    use: chunk', '    with: { text: inputs.n, size: 1 }'], ['user.skill.yaml:11:19-11:27 SDL4105'], /must be string, but this expression is int/],
    ['a literal of the wrong type, at the value', ['  - id: parts', '    use: chunk', '    with: { text: inputs.doc, size: 1.5 }'], ['user.skill.yaml:11:37-11:40 SDL4105'], /must be integer, but this is number/],
    ['no `with:` at all, at `use:`', ['  - id: parts', '    use: chunk'], ['user.skill.yaml:10:10-10:15 SDL4110', 'user.skill.yaml:10:10-10:15 SDL4110'], /requires the argument/],
    ['a field the dependency outputs lack, at the field', ['  - id: parts', '    use: chunk', '    with: { text: inputs.doc, size: 1 }', '  - id: one', '    prompt: { user: "{{ steps.parts.output.chunk }}" }'], ['user.skill.yaml:13:44-13:49 SDL4102'], /did you mean `chunks`\?|schema declares `chunks`/],
  ])('reports %s', (_name, steps, expected, message) => {
    const ds = build(user(...steps));
    expect(ds.map(at)).toEqual(expected);
    expect(`${ds[0]!.message} ${ds[0]!.hint ?? ''}`).toMatch(message);
  });
});
