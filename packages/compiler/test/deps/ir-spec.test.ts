import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { SourceFile, canonicalJson, contentHash, documentHash } from '@sdl/compiler';
import { parseExpression, parseTemplate } from '../../src/expr/index.js';

// spec/ir.md's worked example must be a valid, self-consistent IR: this keeps the spec honest.
const spec = (name: string) => readFileSync(new URL(`../../../../spec/${name}`, import.meta.url), 'utf8');
const md = spec('ir.md');
const schema = JSON.parse(readFileSync(new URL('../../schemas/ir.schema.json', import.meta.url), 'utf8'));

function block(after: string, lang: string): string {
  const at = md.indexOf(after);
  expect(at, `ir.md has no "${after}"`).toBeGreaterThan(-1);
  const open = md.indexOf('```' + lang + '\n', at) + lang.length + 4;
  return md.slice(open, md.indexOf('\n```', open) + 1);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const canonical = (v: Json): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`).join(',')}}`
      : JSON.stringify(v);
const sortKeys = (v: Json): Json =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k]!)]))
      : v;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const without = (o: Record<string, Json>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key)) as Json;

const sources: Record<string, string> = {
  'skills/chunk.skill.yaml': block('`skills/chunk.skill.yaml`:', 'yaml'),
  'skills/summarize.skill.yaml': block('`skills/summarize.skill.yaml`:', 'yaml'),
};
const text = block('`dist/summarize.skill.json`, indented for reading', 'json');
const doc = JSON.parse(text) as Record<string, any>;
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

/** Every `{ src, ast, map }` node under `value`. */
function compiledNodes(value: unknown, out: { src: string; ast: unknown; map: string; template: boolean }[] = []) {
  if (Array.isArray(value)) value.forEach((v) => compiledNodes(v, out));
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, any>;
    if (typeof o.src === 'string' && o.ast && typeof o.map === 'string') out.push({ src: o.src, ast: o.ast, map: o.map, template: o.ast.kind === 'template' });
    else Object.values(o).forEach((v) => compiledNodes(v, out));
  }
  return out;
}

describe('spec/ir.md worked example', () => {
  it('validates against schemas/ir.schema.json', () => {
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('shows the canonical form indented for reading: sorted keys, two-space indent, final newline', () => {
    expect(text).toBe(`${JSON.stringify(sortKeys(doc), null, 2)}\n`);
  });

  it('has hashes that the exported contentHash/documentHash/canonicalJson reproduce', () => {
    expect(documentHash(doc)).toBe(doc.hash);
    for (const skill of Object.values(doc.skills as Record<string, any>)) expect(contentHash(skill)).toBe(skill.hash);
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: 'é' })).toBe('{"a":"é","b":[1,{"c":null,"d":"x"}]}');
  });

  it('carries correct content hashes: document, each skill, pinned dependencies, source bytes', () => {
    // The document hash: over the document without `hash`, each skill standing as its own hash.
    const skillHashes = Object.fromEntries(Object.entries(doc.skills as Record<string, any>).map(([id, s]) => [id, s.hash]));
    expect(doc.hash).toBe(`sha256:${sha256(canonical({ ...(without(doc, 'hash') as Record<string, Json>), skills: skillHashes }))}`);
    for (const [id, skill] of Object.entries(doc.skills as Record<string, any>)) {
      expect(skill.hash, id).toBe(`sha256:${sha256(canonical(without(skill, 'hash')))}`);
      expect(skill.sha256, id).toBe(sha256(sources[skill.file]!));
      for (const use of Object.values(skill.uses as Record<string, any>)) expect(use.hash).toBe(doc.skills[use.skill].hash);
    }
    expect(doc.dependencies.map((d: any) => d.id)).toEqual(Object.keys(doc.skills).filter((id) => id !== doc.entry).sort());
    for (const row of doc.dependencies) {
      expect(row).toMatchObject({ hash: doc.skills[row.id].hash, sha256: doc.skills[row.id].sha256, version: doc.skills[row.id].version });
    }
  });

  it('holds the expression compiler’s real ASTs, each mapped back to its exact place in the YAML', () => {
    let checked = 0;
    for (const skill of Object.values(doc.skills as Record<string, any>)) {
      const file = new SourceFile(skill.file, sources[skill.file]!);
      for (const node of compiledNodes(skill.steps).concat(compiledNodes(skill.return))) {
        const parsed = node.template ? parseTemplate(node.src) : parseExpression(node.src);
        expect(parsed.diagnostics).toEqual([]);
        expect(node.ast).toEqual(JSON.parse(JSON.stringify(parsed.ast)));
        const entry = skill.source_map[node.map];
        expect(entry, node.map).toBeDefined();
        if (node.map === '/return' && !sources[skill.file]!.includes('\nreturn:')) continue; // synthesized
        // Each anchor points at the character of `src` it claims to.
        for (const [offset, line, column] of entry.anchors) {
          const at = file.offsetAt({ line, column });
          expect(file.text[at], `${node.map} anchor ${offset}`).toBe(node.src[offset]);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(6);
  });

  it.each([
    ['an unknown major version', (d: any) => (d.ir_version = '2.0')],
    ['an absolute source path', (d: any) => (d.skills[d.entry].file = '/home/me/skills/summarize.skill.yaml')],
    ['a path climbing out of the root', (d: any) => (d.skills[d.entry].source_map['/inputs'].file = '../x.skill.yaml')],
    ['a missing policy member', (d: any) => delete d.skills[d.entry].policies.timeout_ms],
    ['a prompt step without user template', (d: any) => delete d.skills[d.entry].steps[1].user],
    ['an expression without its source text', (d: any) => delete d.skills[d.entry].return.src],
  ])('the schema rejects %s', (_name, mutate) => {
    const copy = JSON.parse(text);
    mutate(copy);
    expect(validate(copy)).toBe(false);
  });
});
