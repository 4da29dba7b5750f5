import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ResolutionCache } from './cache.js';
import { displayPath, isInside } from './paths.js';
import { parseSpecifier } from './specifier.js';
import type { SkillSource } from './types.js';
import { didYouMean } from '../util/suggest.js';

/** Where a `skill:` value points, or why it points nowhere. */
export type Located =
  | { ok: true; id: string; realPath: string; source: SkillSource }
  | { ok: false; code: string; message: string; hint: string };

export interface LocateContext {
  /** Real absolute path of the project root. */
  root: string;
  cwd: string;
  cache: ResolutionCache;
  /** Per-resolve memo: many files in one directory name the same dependency. */
  memo?: Map<string, Located>;
}

const outside = (what: string, where: string, ctx: LocateContext): Located => ({
  ok: false,
  code: 'SDL5004',
  message: `${what} resolves to \`${displayPath(ctx.cwd, where)}\`, outside the project root \`${displayPath(ctx.cwd, ctx.root) || '.'}\``,
  hint: 'dependencies must live inside the project (the directory holding sdl.lock or package.json); copy the skill in or install it as an npm package',
});

/**
 * Finds the file a `skill:` value names, from the importing file at `importerRealPath`.
 * Relative paths resolve against the importer's directory; `pkg/skill` walks up `node_modules`
 * directories from the importer to the project root, the way Node finds packages, and reads the
 * skill's path from the package's `package.json` (`"sdl": { "skills": { "<name>": "./x.skill.yaml" } }`).
 * Nothing resolved may leave the project root, before or after following symlinks.
 */
export function locate(specifier: string, importerRealPath: string, ctx: LocateContext): Located {
  const fromDir = path.dirname(importerRealPath);
  if (!ctx.memo) return locateUncached(specifier, fromDir, ctx);
  const key = `${fromDir}\0${specifier}`;
  let found = ctx.memo.get(key);
  if (found === undefined) ctx.memo.set(key, (found = locateUncached(specifier, fromDir, ctx)));
  return found;
}

function locateUncached(specifier: string, fromDir: string, ctx: LocateContext): Located {
  const spec = parseSpecifier(specifier);
  switch (spec.kind) {
    case 'invalid':
      return { ok: false, code: 'SDL5012', message: `invalid \`skill:\` value: ${spec.reason}`, hint: spec.hint };
    case 'absolute':
      return {
        ok: false,
        code: 'SDL5004',
        message: `\`${specifier}\` is an absolute path; dependencies are refused outside the project and absolute paths break on other machines`,
        hint: 'write a path relative to this file, starting with `./` or `../`',
      };
    case 'relative': {
      const target = path.resolve(fromDir, spec.path);
      if (!isInside(ctx.root, target)) return outside(`\`${specifier}\``, target, ctx);
      const real = ctx.cache.realPath(target);
      if (real === undefined) {
        return {
          ok: false,
          code: 'SDL5001',
          message: `cannot find \`${specifier}\` (looked for \`${displayPath(ctx.cwd, target)}\`)`,
          hint: siblingHint(target),
        };
      }
      if (!isInside(ctx.root, real)) return outside(`\`${specifier}\` (through a symbolic link)`, real, ctx);
      return { ok: true, id: ctx.cache.rootRelative(ctx.root, real), realPath: real, source: 'path' };
    }
    case 'package':
      return locatePackageSkill(spec.packageName, spec.skillName, fromDir, ctx);
  }
}

function siblingHint(target: string): string {
  try {
    const dir = path.dirname(target);
    const names = readdirSync(dir).filter((n) => n.endsWith('.skill.yaml'));
    const suggestion = didYouMean(path.basename(target), names);
    if (suggestion !== undefined) return suggestion;
  } catch {
    // The directory itself is missing; fall through to the generic hint.
  }
  return `check the path and the file name; paths are relative to the file that declares \`uses:\` (expected \`${path.basename(target)}\`)`;
}

function locatePackageSkill(packageName: string, skillName: string, fromDir: string, ctx: LocateContext): Located {
  const tried: string[] = [];
  let dir = fromDir;
  for (;;) {
    // Node never looks in node_modules/node_modules.
    if (path.basename(dir) !== 'node_modules') {
      const pkgDir = path.join(dir, 'node_modules', packageName);
      const pkgJsonPath = path.join(pkgDir, 'package.json');
      tried.push(displayPath(ctx.cwd, pkgDir));
      const pkg = ctx.cache.loadPackage(pkgJsonPath);
      if (pkg !== undefined) return packageSkill(packageName, skillName, pkgJsonPath, pkg, ctx);
    }
    if (dir === ctx.root) break;
    const parent = path.dirname(dir);
    if (parent === dir || !isInside(ctx.root, parent)) break;
    dir = parent;
  }
  return {
    ok: false,
    code: 'SDL5002',
    message: `npm package \`${packageName}\` is not installed (looked in ${tried.map((t) => `\`${t}\``).join(', ')})`,
    hint: `run \`npm install ${packageName}\` in the project, or fix the package name`,
  };
}

function packageSkill(
  packageName: string,
  skillName: string,
  pkgJsonPath: string,
  pkg: NonNullable<ReturnType<ResolutionCache['loadPackage']>>,
  ctx: LocateContext,
): Located {
  const realPkgJson = ctx.cache.realPath(pkgJsonPath) ?? pkgJsonPath;
  const pkgDir = path.dirname(realPkgJson);
  if (!isInside(ctx.root, pkgDir)) return outside(`npm package \`${packageName}\` (through a symbolic link)`, pkgDir, ctx);
  const shown = displayPath(ctx.cwd, realPkgJson);
  if (pkg.error !== undefined) {
    return { ok: false, code: 'SDL5003', message: `\`${shown}\` is not valid JSON: ${pkg.error}`, hint: 'reinstall the package' };
  }
  const listed = pkg.skills ? Object.keys(pkg.skills).sort() : [];
  const rel = pkg.skills?.[skillName];
  if (typeof rel !== 'string') {
    const suggestion = didYouMean(skillName, listed);
    return {
      ok: false,
      code: 'SDL5003',
      message:
        listed.length === 0
          ? `npm package \`${packageName}\` provides no skills (its package.json has no \`sdl.skills\` table)`
          : `npm package \`${packageName}\` has no skill \`${skillName}\`; it provides ${listed.map((s) => `\`${s}\``).join(', ')}`,
      hint: suggestion ?? `use one of the skills listed in \`${shown}\` under \`sdl.skills\``,
    };
  }
  if (path.isAbsolute(rel)) {
    return outside(`skill \`${skillName}\` of npm package \`${packageName}\` (absolute path \`${rel}\`)`, rel, ctx);
  }
  const target = path.resolve(pkgDir, rel);
  if (!isInside(pkgDir, target)) return outside(`skill \`${skillName}\` of npm package \`${packageName}\``, target, ctx);
  const real = ctx.cache.realPath(target);
  if (real === undefined) {
    return {
      ok: false,
      code: 'SDL5003',
      message: `npm package \`${packageName}\` lists skill \`${skillName}\` at \`${rel}\`, but that file does not exist`,
      hint: 'reinstall the package; if you maintain it, fix `sdl.skills` in its package.json',
    };
  }
  if (!isInside(pkgDir, real) || !isInside(ctx.root, real)) {
    return outside(`skill \`${skillName}\` of npm package \`${packageName}\` (through a symbolic link)`, real, ctx);
  }
  return { ok: true, id: `npm:${packageName}/${skillName}`, realPath: real, source: 'npm' };
}
