/**
 * The CommonJS files the build generates (ajv standalone validators, one-file copies of
 * dependencies), required with the V8 code cache the build wrote beside each one
 * (`<file>.v8cache`, scripts/build-code-caches.mjs). `require` parses such a file and compiles
 * each function on its first call: for the IR schema's validator (~200 KB of code, its largest
 * functions 62 and 48 KB) that is most of a cold process's first IR validation. From the cache, the functions the build ran
 * arrive compiled. Node 20 has no compile cache for ES modules; these files are CommonJS.
 *
 * The cache is used only when it was made from the file's exact text (its first 32 bytes are the
 * text's SHA-256: V8 itself checks only the length) and V8 accepts it (same V8 version and flags);
 * otherwise the file is compiled from its text. Either way the same code runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** How a generated module was compiled: from its code cache, or not (and why not). */
export type CodeCacheUse = 'used' | 'rejected' | 'stale' | 'missing' | 'preloaded';

/** A generated module as loaded, with the script a build needs to write its code cache. */
export interface GeneratedModule {
  readonly exports: unknown;
  readonly codeCache: CodeCacheUse;
  /** The compiled script (absent when something had already required the file: `preloaded`). */
  readonly script?: Script;
}

/** The file beside `file` that holds its code cache. */
export const codeCacheFile = (file: string): string => `${file}.v8cache`;

/** The cache file's contents for `script`, compiled from `source` (the SHA-256 of the text, then V8's data). */
export function codeCacheBytes(source: string, script: Script): Buffer {
  return Buffer.concat([createHash('sha256').update(source).digest(), script.createCachedData()]);
}

// The parameters `require` gives a CommonJS module, on the source's first line so line numbers stay the file's.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_END = '\n})';

const loaded = new Map<string, GeneratedModule>();

/**
 * `require(file)` for a file the build generated, compiled from its code cache when it has a
 * usable one. Loaded once per process, and entered in the require cache as `require` would, so
 * `require(file)` elsewhere gets the same module.
 * @param file - absolute path of the `.cjs` file
 */
export function loadGeneratedModule(file: string): GeneratedModule {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  const require = createRequire(file);
  const required = require.cache[file];
  if (required !== undefined) {
    const result = { exports: required.exports as unknown, codeCache: 'preloaded' as const };
    loaded.set(file, result);
    return result;
  }
  const source = readFileSync(file, 'utf8');
  const cacheFile = codeCacheFile(file);
  let cachedData: Buffer | undefined;
  let codeCache: CodeCacheUse = 'missing';
  if (existsSync(cacheFile)) {
    const cache = readFileSync(cacheFile);
    if (cache.length > 32 && cache.subarray(0, 32).equals(createHash('sha256').update(source).digest())) cachedData = cache.subarray(32);
    else codeCache = 'stale';
  }
  const script = new Script(WRAPPER_START + source + WRAPPER_END, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  if (cachedData !== undefined) codeCache = script.cachedDataRejected === true ? 'rejected' : 'used';
  const module = new Module(file);
  module.filename = file;
  require.cache[file] = module;
  try {
    // As `require` calls a module: `this` is its exports.
    (script.runInThisContext() as (this: unknown, ...args: unknown[]) => void).call(module.exports, module.exports, require, module, file, dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  const result = { exports: module.exports as unknown, codeCache, script };
  loaded.set(file, result);
  return result;
}

/**
 * A dependency from the build's one-file copy of it (scripts/bundle-packages.mjs writes
 * `generated/<name>.cjs`: the installed package's modules bundled into one file, with that
 * package's version), loaded with {@link loadGeneratedModule}, instead of the package's many small
 * files. `fallback()` when the copy is missing (an unbuilt checkout) or was made from another
 * version of `packageName` than the one installed beside it.
 * @param copy - URL of the generated file (`new URL('../../generated/<name>.cjs', import.meta.url)`)
 */
export function requireOneFileCopy<T>(copy: URL, packageName: string, fallback: () => T): T {
  const file = fileURLToPath(copy);
  if (existsSync(file)) {
    const bundled = loadGeneratedModule(file).exports as T & { version: string };
    // Resolved from the copy's place, as its package's own dependencies are.
    const { version } = createRequire(file)(`${packageName}/package.json`) as { version: string };
    if (bundled.version === version) return bundled;
  }
  return fallback();
}
