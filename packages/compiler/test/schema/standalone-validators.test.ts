// The validators scripts/build-validators.mjs generates at build time (ajv standalone code) must be
// current and must judge every document exactly as the schema compiled at run time does.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadStandaloneValidators, type StandaloneValidator } from '@sdl/compiler/core';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const at = (relative: string) => path.join(repo, relative);
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;

function compiled(schema: object, options: ConstructorParameters<typeof Ajv2020>[0]): Ajv2020 {
  const ajv = new Ajv2020(options);
  addFormats(ajv);
  ajv.addSchema(schema);
  return ajv;
}

/** What a validator said: the verdict and each error's place, keyword and parameters. */
function verdict(validate: StandaloneValidator, data: unknown) {
  const copy = structuredClone(data);
  const ok = validate(copy);
  const errors = (validate.errors ?? []) as { instancePath: string; schemaPath: string; keyword: string; params: unknown; message?: string }[];
  return { ok, copy, errors: ok ? [] : errors.map((e) => ({ instancePath: e.instancePath, schemaPath: e.schemaPath, keyword: e.keyword, params: e.params, message: e.message })) };
}

const yamlFiles = (dir: string) => readdirSync(at(dir)).filter((f) => f.endsWith('.skill.yaml')).map((f) => path.join(dir, f));
const parsedOrSkip = (file: string): unknown => {
  try {
    return parse(readFileSync(at(file), 'utf8'), { maxAliasCount: 10 });
  } catch {
    return undefined;
  }
};

describe('build-time (standalone) schema validators', () => {
  it('the skill schema: generated from the shipped schema, same verdicts as ajv at run time, sub-schemas too', () => {
    const text = readFileSync(at('packages/compiler/schemas/sdl.schema.json'), 'utf8');
    const generated = loadStandaloneValidators(new URL('../../generated/sdl-schema.cjs', import.meta.url), text);
    expect(generated, 'packages/compiler/generated/sdl-schema.cjs is missing or stale: run `npm run build`').toBeDefined();
    const schema = JSON.parse(text) as { $id: string };
    const ajv = compiled(schema, { allErrors: true, strict: true, allowUnionTypes: true });
    const documents = [...yamlFiles('skills'), ...yamlFiles('test/fixtures/valid'), ...yamlFiles('test/fixtures/invalid')]
      .map(parsedOrSkip)
      .filter((d) => d !== undefined);
    expect(documents.length).toBeGreaterThan(40);
    let failing = 0;
    for (const document of documents) {
      const expected = verdict(ajv.getSchema(schema.$id)!, document);
      expect(verdict(generated!.validate, document)).toEqual(expected);
      if (!expected.ok) failing++;
    }
    expect(failing).toBeGreaterThan(10);
    // Each generated sub-schema validator (the compiler validates union branches on their own) against the steps of every skill.
    const pointers = ['/$defs/prompt_step', '/$defs/use_step', '/$defs/tool_step'].filter((p) => generated!.at(p) !== undefined);
    expect(pointers.length).toBeGreaterThan(0);
    for (const pointer of pointers) {
      for (const document of documents) {
        const steps = (document as { steps?: unknown })?.steps;
        for (const step of Array.isArray(steps) ? steps : []) {
          expect(verdict(generated!.at(pointer)!, step)).toEqual(verdict(ajv.getSchema(`${schema.$id}#${pointer}`)!, step));
        }
      }
    }
  });

  it('the IR schema: generated from the shipped schema with the runtime\'s options, same verdicts on compiled skills and broken copies', () => {
    const text = readFileSync(at('packages/compiler/schemas/ir.schema.json'), 'utf8');
    const generated = loadStandaloneValidators(new URL('../../../runtime/generated/ir-schema.cjs', import.meta.url), text);
    expect(generated, 'packages/runtime/generated/ir-schema.cjs is missing or stale: run `npm run build`').toBeDefined();
    const schema = JSON.parse(text) as { $id: string };
    const ajv = compiled(schema, { allErrors: true, useDefaults: true, strict: false, validateFormats: true });
    // The skills are compiled from a copy, so the repository's sdl.lock is left alone; --standalone,
    // so each bundle holds its skills inline (the IR schema's whole document, not object references).
    const work = mkdtempSync(path.join(tmpdir(), 'sdl-standalone-ir-'));
    const out = path.join(work, 'out');
    try {
      cpSync(at('skills'), path.join(work, 'skills'), { recursive: true });
      execFileSync(process.execPath, [at('packages/cli/bin/skillc.js'), 'compile', 'skills', '--out', out, '--standalone'], { cwd: work, stdio: 'ignore' });
      const documents = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(out, f), 'utf8')) as Record<string, unknown>);
      expect(documents.length).toBeGreaterThanOrEqual(10);
      for (const document of documents) {
        const broken = [{ ...document, ir_version: 3 }, { ...document, extra: true }, { ...document, skills: { x: { name: 1 } } }];
        for (const d of [document, ...broken]) expect(verdict(generated!.validate, d)).toEqual(verdict(ajv.getSchema(schema.$id)!, d));
        expect(verdict(generated!.validate, document).ok).toBe(true);
        expect(verdict(generated!.validate, broken[1]).ok).toBe(false);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
