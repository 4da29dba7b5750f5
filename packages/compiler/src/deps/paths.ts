import { existsSync } from 'node:fs';
import path from 'node:path';

/** True when `target` is `root` itself or lies inside it (both absolute, already normalized). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** `target` relative to `root` with `/` separators: the only form paths take in sdl.lock and the IR. */
export function toPosixRelative(root: string, target: string): string {
  return path.relative(root, target).split(path.sep).join('/');
}

/**
 * How a diagnostic names a file: relative to the working directory when it lies under it, else
 * absolute — the same rule as the front end's, so diagnostics of both stages name a file alike.
 */
export function displayPath(cwd: string, target: string): string {
  const rel = path.relative(cwd, target);
  if (rel === '') return path.basename(target);
  return rel.startsWith('..') || path.isAbsolute(rel) ? target : rel.split(path.sep).join('/');
}

/**
 * The project root of a skill: the nearest ancestor directory (starting at `startDir`) holding
 * `sdl.lock` or `package.json`, like npm finds the package a file belongs to. Falls back to
 * `fallback` (default `startDir`) when none is found.
 */
export function findProjectRoot(startDir: string, fallback: string = startDir): string {
  let dir = path.resolve(startDir);
  for (;;) {
    if (existsSync(path.join(dir, 'sdl.lock')) || existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(fallback);
    dir = parent;
  }
}

/** The deepest directory that holds every given directory (for `/a/b` and `/a/c`: `/a`). */
export function commonDirectory(dirs: readonly string[]): string {
  const split = dirs.map((d) => path.resolve(d).split(path.sep));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  return first.slice(0, n).join(path.sep) || path.sep;
}
