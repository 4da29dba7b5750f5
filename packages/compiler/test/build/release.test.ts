import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Document, visit } from 'yaml';
import { buildProject, checkText, ProjectBuilder } from '@sdl/compiler';
import { releaseDocument } from '../../src/yaml/release.js';
import { makeProject, removeProject } from '../deps/temp-project.js';

const roots: string[] = [];

/** Every node's kind and range, in document order. */
function rangesOf(document: Document): string[] {
  const out: string[] = [];
  visit(document, (_key, node) => {
    const range = (node as { range?: number[] }).range;
    if (range) out.push(`${(node as object).constructor.name}@${range.join(',')}`);
  });
  return out;
}
afterAll(() => roots.forEach(removeProject));

const LEAF = `sdl: "1.0"
name: leaf
version: 1.0.0
description: A leaf.
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string }
steps:
  - id: answer
    prompt:
      user: "{{ inputs.text }}"
`;

const user = (withLine: string) => `sdl: "1.0"
name: user
version: 1.0.0
description: Uses the leaf.
uses:
  leaf: { skill: ./leaf.skill.yaml, version: ^1.0.0 }
steps:
  - id: call
    use: leaf
${withLine}
`;

describe('a build lets YAML documents go', () => {
  it('re-creates a released document identically from the kept text', () => {
    const parsed = checkText(LEAF, 'leaf.skill.yaml').parsed!;
    const original = parsed.document;
    const before = rangesOf(original);
    expect(before.length).toBeGreaterThan(20);
    releaseDocument(parsed);
    expect(parsed.document).not.toBe(original);
    expect(rangesOf(parsed.document)).toEqual(before);
    expect(parsed.document.toJS()).toEqual(parsed.value);
    // Parsed once, then kept.
    expect(parsed.document).toBe(parsed.document);
  });

  // A compile, and a check (`skillc check`: no emission, no watch), both let the documents go.
  it.each([{ emit: true }, { emit: false }])('still places cross-skill diagnostics exactly after letting the documents go (emit: $emit)', ({ emit }) => {
    // Both files pass the front end (their documents are released); the type error is found only
    // when the user is bound against the leaf's `inputs`, and must point at the argument.
    const root = makeProject({ 'package.json': '{ "name": "p", "private": true }\n', 'leaf.skill.yaml': LEAF, 'user.skill.yaml': user('    with: { text: 42 }') });
    roots.push(root);
    const result = buildProject(['.'], { cwd: root, emit });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'user.skill.yaml', range: { start: { line: 10, column: 19 }, end: { line: 10, column: 21 } } });
  });

  it.each([
    { options: { emit: true }, released: true },
    { options: { emit: false }, released: true },
    // An editor session reads the nodes next: they are kept.
    { options: { emit: false, watch: true }, released: false },
  ])('releases the nodes of a clean file unless an editor builds ($options)', ({ options, released }) => {
    const root = makeProject({ 'package.json': '{ "name": "p", "private": true }\n', 'leaf.skill.yaml': LEAF });
    roots.push(root);
    const builder = new ProjectBuilder(['.'], { cwd: root, ...options });
    expect(builder.build().diagnostics).toEqual([]);
    const parsed = builder.fileResult(path.join(root, 'leaf.skill.yaml'))!.parsed!;
    expect(parsed.fromCst).toBe(true);
    // Released, the nodes are those of the document composed again from the text; kept, they are
    // the ones built from the CST (the document, composed on first read, has its own).
    expect(parsed.contents === parsed.document.contents).toBe(released);
    expect(parsed.document.toJS()).toEqual(parsed.value);
  });
});
