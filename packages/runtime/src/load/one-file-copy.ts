/**
 * CommonJS dependencies the runtime requires on first use, read from the build's one-file copy
 * (scripts/bundle-packages.mjs writes `generated/<name>.cjs`: the installed package's modules
 * bundled into one file, with that package's version) instead of the package's many small files,
 * with the build's code cache (loadGeneratedModule).
 * Falls back to the installed package when the copy is missing (an unbuilt checkout) or was made
 * from another version.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadGeneratedModule } from '@sdl/compiler/core';

const require = createRequire(import.meta.url);

/**
 * `copy`'s exports when it was made from the installed `packageName`, else `fallback()`.
 * @param copy - URL of the generated file (`new URL('../../generated/<name>.cjs', import.meta.url)`)
 */
export function requireOneFileCopy<T>(copy: URL, packageName: string, fallback: () => T): T {
  const file = fileURLToPath(copy);
  if (existsSync(file)) {
    const bundled = loadGeneratedModule(file).exports as T & { version: string };
    const { version } = require(`${packageName}/package.json`) as { version: string };
    if (bundled.version === version) return bundled;
  }
  return fallback();
}
