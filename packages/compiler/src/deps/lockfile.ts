import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Range } from '../diagnostics/diagnostic.js';
import { sortDiagnostics } from '../diagnostics/diagnostic.js';
import { displayPath } from './paths.js';
import type { ResolvedDependency, ResolvedProject, ResolvedSkill, SkillSource } from './types.js';

/** The lockfile's name, at the project root. */
export const LOCKFILE_NAME = 'sdl.lock';
/** Bumped when the lockfile's shape changes incompatibly. */
export const LOCKFILE_VERSION = 1;

/** One locked skill. */
export interface LockedSkill {
  name: string;
  version: string;
  source: SkillSource;
  /** Root-relative POSIX path of the file that was resolved. */
  path: string;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  /** alias → locked skill id. */
  dependencies: Record<string, string>;
  /**
   * Pins of the MCP tools the skill's declared tools bind to (declared name → server, server tool
   * and SHA-256 of its schemas); written by `skillc compile` when the config has `mcp:` servers,
   * kept as they are by the compiler (spec/mcp.md).
   */
  mcp_tools?: Record<string, { server: string; tool: string; sha256: string }>;
}

/** The content of `sdl.lock` (JSON, sorted keys, no timestamps, no absolute paths). */
export interface Lockfile {
  lockfile_version: number;
  /** Ids of the skills that were compiled (the roots of the resolved set), sorted. */
  roots: string[];
  /** Every resolved skill by id. */
  skills: Record<string, LockedSkill>;
}

/** The lockfile recording a resolved project. */
export function lockfileFromProject(project: ResolvedProject): Lockfile {
  const skills: Record<string, LockedSkill> = {};
  for (const [id, skill] of project.skills) skills[id] = lockSkill(skill);
  return { lockfile_version: LOCKFILE_VERSION, roots: [...project.roots].sort(), skills };
}

function lockSkill(skill: ResolvedSkill): LockedSkill {
  const dependencies: Record<string, string> = {};
  for (const d of skill.dependencies) dependencies[d.alias] = d.target;
  return { name: skill.name, version: skill.version, source: skill.source, path: skill.path, sha256: skill.sha256, dependencies };
}

/** Canonical JSON: keys sorted at every level, two-space indent, LF, trailing newline. */
export function serializeLockfile(lock: Lockfile): string {
  return `${JSON.stringify(sortKeys(lock), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/**
 * Combines the lock of this run with the previous one, like npm keeps the whole project in one
 * lockfile: roots compiled now take their fresh entries; earlier roots that were not compiled now
 * (and whose files still exist) keep theirs; entries no root reaches any more are dropped.
 */
export function mergeLockfiles(previous: Lockfile | undefined, current: Lockfile, rootDir: string): Lockfile {
  if (!previous) return current;
  const skills: Record<string, LockedSkill> = { ...current.skills };
  const roots = new Set(current.roots);
  for (const id of previous.roots) {
    const locked = previous.skills[id];
    if (roots.has(id) || !locked || !existsSync(path.join(rootDir, ...locked.path.split('/')))) continue;
    roots.add(id);
  }
  // Walk from every root; an id this run resolved uses its fresh entry, others their old one.
  const reached: Record<string, LockedSkill> = {};
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached[id]) continue;
    const entry = skills[id] ?? previous.skills[id];
    if (!entry) continue;
    reached[id] = entry;
    stack.push(...Object.values(entry.dependencies));
  }
  return { lockfile_version: LOCKFILE_VERSION, roots: [...roots].sort(), skills: reached };
}

/**
 * Writes `<root>/sdl.lock` for a resolved project, merged with the lock already there (see
 * `mergeLockfiles`), atomically (temp file then rename, so a crash never leaves half a lockfile),
 * and returns the text written. Refuses to write when resolution had errors: a lockfile only ever
 * records a consistent set.
 */
export function writeLockfile(project: ResolvedProject, lockPath = path.join(project.root, LOCKFILE_NAME)): string {
  if (project.diagnostics.some((d) => d.severity === 'error')) {
    throw new Error('refusing to write sdl.lock: dependency resolution has errors');
  }
  const previous = readLockfile(lockPath).lock;
  const text = serializeLockfile(mergeLockfiles(previous, lockfileFromProject(project), project.root));
  const tmp = `${lockPath}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, lockPath);
  return text;
}

/** The result of reading a lockfile: `lock` is undefined when it is missing or unreadable. */
export interface ReadLockfileResult {
  lock?: Lockfile;
  /** SDL5104 when the file exists but is not a valid lockfile. */
  diagnostics: Diagnostic[];
}

const START: Range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

/** Reads and validates `<root>/sdl.lock` (or the given path); a missing file is not an error here. */
export function readLockfile(rootOrPath: string, cwd = process.cwd()): ReadLockfileResult {
  const lockPath = rootOrPath.endsWith(LOCKFILE_NAME) ? rootOrPath : path.join(rootOrPath, LOCKFILE_NAME);
  if (!existsSync(lockPath)) return { diagnostics: [] };
  const file = displayPath(cwd, lockPath);
  const bad = (message: string): ReadLockfileResult => ({
    diagnostics: [
      {
        code: 'SDL5104',
        severity: 'error',
        message: `${file} is not a valid lockfile: ${message}`,
        file,
        range: START,
        hint: 'delete it and run `skillc compile` (without `--frozen-lockfile`) to write a fresh one',
      },
    ],
  });
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(lockPath, 'utf8'));
  } catch (err) {
    return bad((err as Error).message);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return bad('expected a JSON object');
  const obj = data as Record<string, unknown>;
  if (obj['lockfile_version'] !== LOCKFILE_VERSION) {
    return bad(`\`lockfile_version\` is ${JSON.stringify(obj['lockfile_version'])}, this skillc reads version ${LOCKFILE_VERSION}`);
  }
  if (!Array.isArray(obj['roots']) || !obj['roots'].every((r) => typeof r === 'string')) return bad('`roots` must be a list of skill ids');
  const skills = obj['skills'];
  if (skills === null || typeof skills !== 'object' || Array.isArray(skills)) return bad('`skills` must be an object');
  for (const [id, entry] of Object.entries(skills as Record<string, unknown>)) {
    const e = entry as Record<string, unknown> | null;
    const ok =
      e !== null && typeof e === 'object' &&
      ['name', 'version', 'source', 'path', 'sha256'].every((k) => typeof e[k] === 'string') &&
      e['dependencies'] !== null && typeof e['dependencies'] === 'object' &&
      Object.values(e['dependencies'] as object).every((v) => typeof v === 'string');
    if (!ok) return bad(`entry \`${id}\` needs name, version, source, path, sha256 (strings) and dependencies (alias → id)`);
  }
  return { lock: obj as unknown as Lockfile, diagnostics: [] };
}

/**
 * Compares a resolved project with its lockfile, for `skillc compile --frozen-lockfile`:
 * a missing lock (SDL5101), a skill missing from or recorded differently in the lock (SDL5102),
 * and a file whose content changed since it was locked (SDL5103). Each message names what
 * changed; the fix is always to re-run `skillc compile` without `--frozen-lockfile`.
 */
export function checkLockfile(project: ResolvedProject, lock: Lockfile | undefined, cwd = process.cwd()): Diagnostic[] {
  const lockFile = displayPath(cwd, path.join(project.root, LOCKFILE_NAME));
  const fix = 'run `skillc compile` without `--frozen-lockfile` to update sdl.lock, review the change and commit it';
  if (lock === undefined) {
    return [
      {
        code: 'SDL5101',
        severity: 'error',
        message: `${lockFile} is missing; --frozen-lockfile needs a lockfile recording the dependencies`,
        file: lockFile,
        range: START,
        hint: fix.replace('update', 'create'),
      },
    ];
  }
  const out: Diagnostic[] = [];
  // Where to point for a skill: the uses: entry that brought it in, else the top of its own file.
  const site = new Map<string, { file: string; range: Range }>();
  for (const skill of project.skills.values()) {
    for (const dep of skill.dependencies) if (!site.has(dep.target)) site.set(dep.target, { file: dep.file, range: dep.aliasRange });
  }
  const report = (code: string, skill: ResolvedSkill, message: string) => {
    const at = site.get(skill.id) ?? { file: skill.file, range: START };
    out.push({ code, severity: 'error', message, file: at.file, range: at.range, hint: fix });
  };
  for (const skill of project.skills.values()) {
    const locked = lock.skills[skill.id];
    const label = `\`${skill.name}\` (${skill.id})`;
    if (!locked) {
      report('SDL5102', skill, `${lockFile} is out of date: ${label} ${skill.version} is not in the lockfile`);
      continue;
    }
    const changes: string[] = [];
    if (locked.version !== skill.version) changes.push(`version ${locked.version} → ${skill.version}`);
    if (locked.path !== skill.path) changes.push(`path ${locked.path} → ${skill.path}`);
    if (locked.source !== skill.source) changes.push(`source ${locked.source} → ${skill.source}`);
    const deps = depsDiff(locked.dependencies, skill.dependencies);
    if (deps) changes.push(deps);
    if (changes.length > 0) {
      report('SDL5102', skill, `${lockFile} is out of date for ${label}: ${changes.join('; ')}`);
    } else if (locked.sha256 !== skill.sha256) {
      report('SDL5103', skill,
        `${label} ${skill.version} changed since it was locked (sha256 ${locked.sha256.slice(0, 12)}… in ${lockFile}, now ${skill.sha256.slice(0, 12)}…) but its version did not`);
    }
  }
  // Entries nothing uses any more are stale only when this run covered every locked root.
  if (lock.roots.every((r) => project.roots.includes(r))) {
    for (const [id, locked] of Object.entries(lock.skills)) {
      if (!project.skills.has(id)) {
        out.push({
          code: 'SDL5102',
          severity: 'error',
          message: `${lockFile} is out of date: it records \`${locked.name}\` (${id}) ${locked.version}, which nothing uses any more`,
          file: lockFile,
          range: START,
          hint: fix,
        });
      }
    }
  }
  return sortDiagnostics(out);
}

function depsDiff(locked: Record<string, string>, now: ResolvedDependency[]): string | undefined {
  const current = new Map(now.map((d) => [d.alias, d.target]));
  const parts: string[] = [];
  for (const [alias, id] of [...current].sort()) {
    if (!(alias in locked)) parts.push(`uses \`${alias}\` added`);
    else if (locked[alias] !== id) parts.push(`uses \`${alias}\` now resolves to ${id} (locked: ${locked[alias]})`);
  }
  for (const alias of Object.keys(locked).sort()) if (!current.has(alias)) parts.push(`uses \`${alias}\` removed`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
