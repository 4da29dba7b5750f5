import { describe, expect, it } from 'vitest';
import { project, skillc } from './helpers.js';

/** A dependency with one required input, `text`. */
const CHUNK = `sdl: "1.0"
name: chunk
version: 1.2.0
description: Split a text.
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string }
steps:
  - id: split
    prompt: { user: "{{ inputs.text }}" }
`;

/** A skill that uses `chunk` (line 11: the `uses:` entry, line 15: `with:`). */
const main = (entry: string, withArgs = '{ text: inputs.doc }') => `sdl: "1.0"
name: main
version: 1.0.0
description: Use chunk.
inputs:
  type: object
  required: [doc]
  properties:
    doc: { type: string }
uses:
  chunk: ${entry}
steps:
  - id: parts
    use: chunk
    with: ${withArgs}
`;

const CYCLE_A = main('{ skill: ./b.skill.yaml }').replace('name: main', 'name: a').replace('use: chunk', 'use: chunk');
const CYCLE_B = main('{ skill: ./a.skill.yaml }').replace('name: main', 'name: b');

interface Row {
  name: string;
  files: Record<string, string>;
  /** `file:line:col code` of each expected error. */
  errors: string[];
}

// Each defect `check` used to miss (it checked files one by one): the same code and position as `compile`.
const rows: Row[] = [
  { name: 'a missing dependency', files: { 'main.skill.yaml': main('{ skill: ./chunks.skill.yaml }') }, errors: ['main.skill.yaml:11:19 SDL5001'] },
  {
    name: 'a cycle',
    files: { 'a.skill.yaml': CYCLE_A.replace('with: { text: inputs.doc }', 'with: { doc: inputs.doc }'), 'b.skill.yaml': CYCLE_B.replace('with: { text: inputs.doc }', 'with: { doc: inputs.doc }') },
    errors: ['b.skill.yaml:11:3 SDL5008'],
  },
  { name: 'an invalid version range', files: { 'main.skill.yaml': main('{ skill: ./chunk.skill.yaml, version: "^^1" }'), 'chunk.skill.yaml': CHUNK }, errors: ['main.skill.yaml:11:48 SDL5005'] },
  {
    name: 'a version range the dependency does not satisfy',
    files: { 'main.skill.yaml': main('{ skill: ./chunk.skill.yaml, version: "^2.0.0" }'), 'chunk.skill.yaml': CHUNK },
    errors: ['main.skill.yaml:11:48 SDL5006'],
  },
  {
    name: 'a wrong `with:` argument',
    files: { 'main.skill.yaml': main('{ skill: ./chunk.skill.yaml }', '{ txt: inputs.doc }'), 'chunk.skill.yaml': CHUNK },
    errors: ['main.skill.yaml:15:5 SDL4110', 'main.skill.yaml:15:13 SDL4109'],
  },
];

type Json = { diagnostics: { code: string; severity: string; file: string; message: string; range: { start: { line: number; column: number } } }[] };
const errorsOf = (report: Json) => report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.range.start.line}:${d.range.start.column} ${d.code}`);

describe('skillc check resolves `uses:` as compile does', () => {
  it.each(rows)('reports $name with the same code and position as compile', async ({ files, errors }) => {
    const cwd = project({ 'package.json': '{}', ...files });
    const target = Object.keys(files)[0]!;
    const checked = await skillc(['check', target, '--json'], cwd);
    const compiled = await skillc(['compile', target, '--out', 'build', '--json'], cwd);
    expect(checked.code).toBe(1);
    expect(compiled.code).toBe(1);
    const checkReport = JSON.parse(checked.out) as Json;
    expect(errorsOf(checkReport)).toEqual(errors);
    expect(checkReport.diagnostics).toEqual((JSON.parse(compiled.out) as Json).diagnostics);
  });

  it('passes a skill whose dependency is found and satisfied', async () => {
    const cwd = project({ 'package.json': '{}', 'main.skill.yaml': main('{ skill: ./chunk.skill.yaml, version: "^1.0.0" }'), 'chunk.skill.yaml': CHUNK });
    expect(await skillc(['check', 'main.skill.yaml'], cwd)).toMatchObject({ code: 0, out: 'no problems in 2 files\n' });
  });

  it('without package.json or sdl.lock, the root is the directory holding every skill given (check skills/ with subfolders)', async () => {
    const cwd = project({ 'skills/b/main.skill.yaml': main('{ skill: ../chunk.skill.yaml }'), 'skills/chunk.skill.yaml': CHUNK });
    expect(await skillc(['check', 'skills'], cwd)).toMatchObject({ code: 0, out: 'no problems in 2 files\n' });
  });
});
