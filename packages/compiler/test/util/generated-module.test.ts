// Generated CommonJS files run from the build's V8 code cache only when it was made from their
// exact text and V8 accepts it; otherwise from their text. Either way their own exports, once per
// process, shared with `require`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheBytes, codeCacheFile, loadGeneratedModule, requireOneFileCopy } from '../../src/util/generated-module.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'sdl-generated-module-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A module file `name` with `text`, and (when `cacheOf` is given) a code cache made from `cacheOf`'s text. */
function moduleFile(name: string, text: string, cacheOf?: string): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  if (cacheOf !== undefined) {
    const maker = path.join(work, `maker-${name}`);
    writeFileSync(maker, cacheOf);
    const { script } = loadGeneratedModule(maker);
    writeFileSync(codeCacheFile(file), codeCacheBytes(cacheOf, script!));
  }
  return file;
}

describe('loadGeneratedModule', () => {
  it('uses a cache made from the same text', () => {
    const text = 'exports.topLevelThis = this === exports; module.exports = { answer: () => 42, file: __filename, topLevelThis: exports.topLevelThis };\n';
    const file = moduleFile('same.cjs', text, text);
    const loaded = loadGeneratedModule(file);
    expect(loaded.codeCache).toBe('used');
    expect((loaded.exports as { answer: () => number }).answer()).toBe(42);
    expect((loaded.exports as { file: string }).file).toBe(file);
    expect((loaded.exports as { topLevelThis: boolean }).topLevelThis, 'top-level `this` is `exports`, as under require').toBe(true);
  });

  it('ignores a cache made from other text of the same length (V8 would take it) and runs the file', () => {
    const file = moduleFile('edited.cjs', 'module.exports = { value: 2 };\n', 'module.exports = { value: 1 };\n');
    const loaded = loadGeneratedModule(file);
    expect(loaded.codeCache).toBe('stale');
    expect(loaded.exports).toEqual({ value: 2 });
    // Why the text's hash is recorded: V8 accepts a cache made from any text of the same length.
    const cachedData = new Script('module.exports = { value: 1 };').createCachedData();
    expect(new Script('module.exports = { value: 2 };', { cachedData }).cachedDataRejected).toBe(false);
  });

  it('compiles the text when V8 refuses the cache', () => {
    const text = 'module.exports = { value: 3 };\n';
    const file = moduleFile('refused.cjs', text, text);
    const bytes = codeCacheBytes(text, loadGeneratedModule(path.join(work, 'maker-refused.cjs')).script!);
    bytes.fill(0, 32); // the text's hash stays, V8's data is zeros
    writeFileSync(codeCacheFile(file), bytes);
    const loaded = loadGeneratedModule(file);
    expect(loaded.codeCache).toBe('rejected');
    expect(loaded.exports).toEqual({ value: 3 });
  });

  it('runs a file without a cache from its text', () => {
    const file = moduleFile('plain.cjs', "module.exports = require('node:path').basename(__dirname);\n");
    expect(loadGeneratedModule(file)).toMatchObject({ codeCache: 'missing', exports: path.basename(work) });
  });

  it('loads a file once, and `require` gets the same module; a file required first is not loaded again', () => {
    const file = moduleFile('once.cjs', 'module.exports = { loads: (globalThis.__sdlLoads = (globalThis.__sdlLoads ?? 0) + 1) };\n');
    const first = loadGeneratedModule(file).exports;
    expect(loadGeneratedModule(file).exports).toBe(first);
    expect(createRequire(file)(file)).toBe(first);
    expect(first).toEqual({ loads: 1 });
    const required = moduleFile('required.cjs', 'module.exports = {};\n');
    const exports = createRequire(required)(required) as object;
    expect(loadGeneratedModule(required)).toMatchObject({ codeCache: 'preloaded', exports });
  });

  it("the build's caches are current and accepted by this Node in a plain process", () => {
    // The files scripts/build-code-caches.mjs caches.
    const files = (JSON.parse(readFileSync(path.join(repo, 'scripts/code-cached-files.json'), 'utf8')) as string[]).map((f) => path.join(repo, f));
    expect(files.length).toBeGreaterThan(0);
    const script = `import { loadGeneratedModule } from '@sdl/compiler/core';
      console.log(JSON.stringify(${JSON.stringify(files)}.map((file) => loadGeneratedModule(file).codeCache)));`;
    const uses = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' })) as string[];
    expect(uses, 'run `npm run build`').toEqual(files.map(() => 'used'));
  });
});

describe('requireOneFileCopy', () => {
  // A package installed beside the copies (resolved from the copy's place, as its own dependencies are).
  const installed = path.join(work, 'node_modules', 'sdl-fake-package');
  mkdirSync(installed, { recursive: true });
  writeFileSync(path.join(installed, 'package.json'), JSON.stringify({ name: 'sdl-fake-package', version: '1.2.3' }));
  const copyOf = (name: string, version: string) => pathToFileURL(moduleFile(name, `module.exports = { from: 'copy', version: ${JSON.stringify(version)} };\n`));
  const rows = [
    ['the copy, when it was made from the installed version', () => copyOf('copy-same.cjs', '1.2.3'), 'copy'],
    ['the package, when the copy was made from another version', () => copyOf('copy-other.cjs', '1.2.2'), 'package'],
    ['the package, when there is no copy (an unbuilt checkout)', () => pathToFileURL(path.join(work, 'copy-missing.cjs')), 'package'],
  ] as const;
  it.each(rows)('gives %s', (_, copy, from) => {
    expect(requireOneFileCopy(copy(), 'sdl-fake-package', () => ({ from: 'package' }))).toMatchObject({ from });
  });
});
