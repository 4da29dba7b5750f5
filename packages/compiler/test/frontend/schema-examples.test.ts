import { describe, expect, it } from 'vitest';
import { skillSchema, subSchemaValidator } from '../../src/schema/schema.js';

type Node = Record<string, unknown>;

/** RFC 6901 escaping, so a property name can sit inside a JSON Pointer. */
const escape = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1');

/** Every property definition in the schema (walking sub-schemas, never keyword values such as `examples`), with its pointer. */
function* propertyDefinitions(node: unknown, pointer = ''): Generator<[string, Node]> {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const schema = node as Node;
  for (const [name, def] of Object.entries((schema.properties ?? {}) as Node)) {
    const at = `${pointer}/properties/${escape(name)}`;
    yield [at, def as Node];
    yield* propertyDefinitions(def, at);
  }
  for (const key of ['items', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else', 'contains'] as const) {
    yield* propertyDefinitions(schema[key], `${pointer}/${key}`);
  }
  for (const key of ['oneOf', 'anyOf', 'allOf', 'prefixItems'] as const) {
    if (Array.isArray(schema[key])) for (const [i, sub] of (schema[key] as unknown[]).entries()) yield* propertyDefinitions(sub, `${pointer}/${key}/${i}`);
  }
  for (const [name, def] of Object.entries((schema.$defs ?? {}) as Node)) yield* propertyDefinitions(def, `${pointer}/$defs/${escape(name)}`);
}

// Editors (yaml-language-server, VS Code) show `examples` in completions and hovers; a wrong example teaches a wrong skill file.
describe('schemas/sdl.schema.json examples', () => {
  const properties = [...propertyDefinitions(skillSchema())];

  it('walks every property of the schema, $defs included', () => {
    expect(properties.length).toBeGreaterThan(100);
    expect(properties.some(([pointer]) => pointer.startsWith('/$defs/'))).toBe(true);
  });

  it('gives every property a non-empty examples array', () => {
    const missing = properties
      .filter(([, def]) => !Array.isArray(def.examples) || (def.examples as unknown[]).length === 0)
      .map(([pointer]) => pointer);
    expect(missing).toEqual([]);
  });

  it('gives only examples that are valid against their own property schema', () => {
    const invalid: string[] = [];
    for (const [pointer, def] of properties) {
      if (!Array.isArray(def.examples)) continue;
      const validate = subSchemaValidator(pointer);
      for (const [i, example] of (def.examples as unknown[]).entries()) {
        if (!validate(example)) invalid.push(`${pointer}/examples/${i}: ${JSON.stringify(example)} ${validate.errors?.[0]?.message ?? ''}`);
      }
    }
    expect(invalid).toEqual([]);
  });

  it('rejects an example that breaks its property schema (the check itself can fail)', () => {
    expect(subSchemaValidator('/properties/sdl')('2.0')).toBe(false);
    expect(subSchemaValidator('/properties/version')(12)).toBe(false);
  });
});
