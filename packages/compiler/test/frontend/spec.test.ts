import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, ExprCode, skillSchema } from '@sdl/compiler';

const spec = (name: string) => readFileSync(new URL(`../../../../spec/${name}`, import.meta.url), 'utf8');

describe('spec/diagnostics.md', () => {
  const doc = spec('diagnostics.md');
  const documented = new Set([...doc.matchAll(/^###\s+(SDL\d{4})\b/gm)].map((m) => m[1]!));

  // The expression stage keeps its SDL4xxx codes beside its parser (ExprCode); both registries are documented here.
  const registered = new Set<string>([...Object.keys(DIAGNOSTIC_CODES), ...Object.values(ExprCode)]);

  it.each([...registered])('documents %s with a heading', (code) => {
    expect(documented.has(code), `${code} has no "### ${code}" section in spec/diagnostics.md`).toBe(true);
  });

  it('documents no code that the registries lack', () => {
    expect([...documented].filter((c) => !registered.has(c))).toEqual([]);
  });

  it('gives each front-end code a fix', () => {
    const sections = doc.split(/^### /m).slice(1);
    for (const section of sections.filter((s) => /^SDL[1239]/.test(s))) expect(section, section.slice(0, 40)).toMatch(/Fix:/);
  });
});

type Node = Record<string, unknown>;

/** Every property definition in the schema (walking sub-schemas only, not keyword values), with its pointer. */
function* propertyDefinitions(node: unknown, pointer = ''): Generator<[string, Node]> {
  if (node === null || typeof node !== 'object') return;
  const schema = node as Node;
  for (const [name, def] of Object.entries((schema.properties ?? {}) as Node)) {
    yield [`${pointer}/properties/${name}`, def as Node];
    yield* propertyDefinitions(def, `${pointer}/properties/${name}`);
  }
  for (const key of ['items', 'additionalProperties', 'propertyNames'] as const) yield* propertyDefinitions(schema[key], `${pointer}/${key}`);
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key])) for (const [i, sub] of (schema[key] as unknown[]).entries()) yield* propertyDefinitions(sub, `${pointer}/${key}/${i}`);
  }
  for (const [name, def] of Object.entries((schema.$defs ?? {}) as Node)) yield* propertyDefinitions(def, `${pointer}/$defs/${name}`);
}

describe('schemas/sdl.schema.json', () => {
  const schema = skillSchema();

  it('is JSON Schema 2020-12', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('has a description on every property (editor hovers)', () => {
    const defs = [...propertyDefinitions(schema)];
    expect(defs.length).toBeGreaterThan(80);
    const missing = defs.filter(([, def]) => typeof def.description !== 'string' || (def.description as string).length < 8).map(([p]) => p);
    expect(missing).toEqual([]);
  });

  it('has a description on every $def', () => {
    const defs = schema.$defs as Record<string, Node>;
    expect(Object.entries(defs).filter(([, d]) => typeof d.description !== 'string').map(([n]) => n)).toEqual([]);
  });

  it('gives examples for the top-level fields authors most often get wrong', () => {
    const props = schema.properties as Record<string, Node>;
    for (const key of ['sdl', 'name', 'version']) expect(props[key]!.examples, key).toBeDefined();
  });

  it('documents every top-level key in spec/sdl-1.md', () => {
    const reference = spec('sdl-1.md');
    for (const key of Object.keys(schema.properties as object)) expect(reference, key).toContain(`\`${key}\``);
  });
});
