import { afterAll, describe, expect, it } from 'vitest';
import { buildProject, checkText, type Diagnostic } from '@sdl/compiler';
import { makeProject, removeProject } from '../deps/temp-project.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeProject));

const at = (d: Diagnostic) => `${d.file}:${d.range.start.line}:${d.range.start.column}-${d.range.end.line}:${d.range.end.column} ${d.code}`;

/** The innermost skill: one prompt step `split`, one tool step `store`. */
const LEAF = `sdl: "1.0"
name: leaf
version: 1.0.0
description: The leaf.
inputs: { type: object, properties: { text: { type: string } } }
tools:
  save: { description: Save text., parameters: { type: object, properties: { text: { type: string } } } }
steps:
  - id: split
    prompt: { user: "{{ inputs.text }}" }
  - id: store
    tool: save
    with: { text: steps.split.output }
`;

/** The middle skill: uses leaf as step `inner`, and prompts in step `note`. */
const MIDDLE = `sdl: "1.0"
name: middle
version: 1.0.0
description: The middle.
inputs: { type: object, properties: { text: { type: string } } }
uses:
  leaf: { skill: ./leaf.skill.yaml, version: "^1.0.0" }
steps:
  - id: inner
    use: leaf
    with: { text: inputs.text }
  - id: note
    prompt: { user: "{{ steps.inner.output }}" }
`;

/** The top skill; its single test's `replies:` entry is on line 15. */
const top = (repliesEntry: string) => `sdl: "1.0"
name: top
version: 1.0.0
description: The top.
inputs: { type: object, properties: { text: { type: string } } }
uses:
  middle: { skill: ./middle.skill.yaml, version: "^1.0.0" }
steps:
  - id: outer
    use: middle
    with: { text: inputs.text }
  - id: final
    prompt: { user: "{{ steps.outer.output }}" }
tests:
  - { name: t, input: { text: hi }, replies: { ${repliesEntry} } }
`;
// Column of the first character of the replies entry on line 15.
const KEY = '  - { name: t, input: { text: hi }, replies: { '.length + 1;

function build(entry: string): Diagnostic[] {
  const root = makeProject({ 'package.json': '{}', 'leaf.skill.yaml': LEAF, 'middle.skill.yaml': MIDDLE, 'top.skill.yaml': top(entry) });
  roots.push(root);
  return buildProject(['top.skill.yaml'], { cwd: root }).diagnostics.filter((d) => d.severity === 'error');
}

describe('dotted `replies:` keys through use steps', () => {
  it('accepts paths to prompt steps at any depth, and plain top-level keys', () => {
    expect(build('outer.inner.split: a, outer.note: b, final: c')).toEqual([]);
    expect(build('"outer.inner.split": a')).toEqual([]);
  });

  // [entry, where the diagnostic points (start column offset in the entry, length), code, message, hint]
  it.each([
    ['an unknown step in a used skill', 'outer.inne.split: a', 6, 4, 'SDL3002', '`replies` key `outer.inne.split` names step `inne` of skill `middle` (run by `outer`), which does not exist', 'did you mean `inner`?'],
    ['an unknown step two levels down', 'outer.inner.splt: a', 12, 4, 'SDL3002', 'names step `splt` of skill `leaf` (run by `outer.inner`), which does not exist', 'did you mean `split`?'],
    ['an unknown step, quoted key', '"outer.inner.splt": a', 13, 4, 'SDL3002', 'names step `splt` of skill `leaf`', 'did you mean `split`?'],
    ['a prompt step in the middle of the path', 'outer.note.x: a', 6, 4, 'SDL3020', 'step `outer.note` is not a `use:` step', 'a dotted key goes through `use:` steps (inner)'],
    ['a path ending at a use step', 'outer.inner: a', 6, 5, 'SDL3020', 'step `outer.inner` does not prompt a model', 'e.g. `outer.inner.<step id>`'],
    ['a path ending at a tool step', 'outer.inner.store: a', 12, 5, 'SDL3020', 'step `outer.inner.store` does not prompt a model', 'tool steps call the host'],
    ['an unknown first segment (front end)', 'outr.note: a', 0, 4, 'SDL3002', '`replies` key `outr.note` names step `outr`, which does not exist', 'did you mean `outer`?'],
    ['a prompt step as first segment (front end)', 'final.x: a', 0, 5, 'SDL3020', 'step `final` is not a `use:` step', 'a dotted key goes through `use:` steps (outer)'],
    ['an empty segment (front end)', 'outer..note: a', 0, 11, 'SDL3002', 'has an empty step id', 'separate step ids with single dots'],
  ])('%s: one diagnostic at the segment', (_name, entry, offset, length, code, message, hint) => {
    const diagnostics = build(entry);
    expect(diagnostics.map(at)).toEqual([`top.skill.yaml:15:${KEY + offset}-15:${KEY + offset + length} ${code}`]);
    expect(diagnostics[0]!.message).toContain(message);
    expect(diagnostics[0]!.hint).toContain(hint);
  });

  it('the single-file front end checks only the first segment (the rest needs the dependencies)', () => {
    const errors = (entry: string) => checkText(top(entry), 'top.skill.yaml').diagnostics.filter((d) => d.severity === 'error').map(at);
    expect(errors('outer.inne.split: a')).toEqual([]);
    expect(errors('outr.note: a')).toEqual([`top.skill.yaml:15:${KEY}-15:${KEY + 4} SDL3002`]);
  });

  it('plain keys keep their diagnostics', () => {
    expect(build('fnal: a').map(at)).toEqual([`top.skill.yaml:15:${KEY}-15:${KEY + 4} SDL3002`]);
    expect(build('outer: a').map(at)).toEqual([`top.skill.yaml:15:${KEY}-15:${KEY + 5} SDL3020`]);
  });
});
