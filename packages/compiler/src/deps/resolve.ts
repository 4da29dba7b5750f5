import path from 'node:path';
import semver from 'semver';
import { intersects, parseRange, parseVersion, satisfies } from './semver-memo.js';
import type { Diagnostic, Range } from '../diagnostics/diagnostic.js';
import { sortDiagnostics } from '../diagnostics/diagnostic.js';
import { ResolutionCache, type LoadedSkillFile } from './cache.js';
import type { UsesEntry } from './header.js';
import { locate, type LocateContext } from './locate.js';
import { commonDirectory, displayPath, findProjectRoot, isInside } from './paths.js';
import type { ResolvedDependency, ResolvedProject, ResolvedSkill, SkillSource } from './types.js';

/** Options of `resolveProject`. */
export interface ResolveOptions {
  /** The project root; default: the nearest ancestor of the first skill holding sdl.lock or package.json. */
  root?: string;
  /** Base for relative input paths and for the paths diagnostics show; default `process.cwd()`. */
  cwd?: string;
  /** Reuse across calls (watch mode) so unchanged files are neither re-read nor re-parsed. */
  cache?: ResolutionCache;
  /**
   * Leave out the roots' own read/parse problems (SDL1xxx, SDL5010, SDL5011) when the front end has
   * already checked those files, so they are not reported twice. Dependencies' problems are kept.
   */
  skipRootHeaderDiagnostics?: boolean;
}

/** A loaded file in the graph (one per real path; several may share an id, e.g. nested npm copies). */
interface Node {
  id: string;
  source: SkillSource;
  loaded: LoadedSkillFile;
  /** Valid name and version, or undefined when the header lacks them. */
  name?: string;
  version?: string;
  edges: Edge[];
}

/** A `uses:` entry that located a file; the unification pass decides which copy it gets. */
interface Edge {
  importer: Node;
  entry: UsesEntry;
  target: Node;
  /** The range when it is a valid semver range. */
  range?: string;
}

const START: Range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

/**
 * Resolves the `uses:` closure of the given skill files, npm/Cargo style: every `uses:` entry is
 * located (relative path or npm package), checked against its semver range, and each skill id
 * resolves to exactly one copy (a diamond shares it). Errors are SDL5xxx diagnostics at the
 * `uses:` entry concerned; resolution continues past them so one run reports everything.
 *
 * @param paths - the root skill files, relative to `options.cwd`
 * @param options - project root, working directory and a cache for watch mode
 * @returns every reachable skill by id, the graph's edges, and sorted diagnostics
 *
 * @example
 * ```ts
 * import { resolveProject } from '@sdl/compiler';
 *
 * const project = resolveProject(['skills/summarize-document.skill.yaml'], { cwd: process.cwd() });
 * for (const d of project.diagnostics) console.error(`${d.file}:${d.range.start.line}:${d.range.start.column} ${d.code} ${d.message}`);
 * for (const skill of project.skills.values()) console.log(skill.id, skill.version, skill.dependencies.map((dep) => dep.target));
 * ```
 */
export function resolveProject(paths: readonly string[], options: ResolveOptions = {}): ResolvedProject {
  const cache = options.cache ?? new ResolutionCache();
  // One pass over the file system (see `ResolutionCache.inPass`): each file is stat'ed once.
  return cache.inPass(() => resolveWith(paths, options, cache));
}

function resolveWith(paths: readonly string[], options: ResolveOptions, cache: ResolutionCache): ResolvedProject {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const diagnostics: Diagnostic[] = [];
  const absolute = paths.map((p) => path.resolve(cwd, p));
  // No sdl.lock or package.json above: the directory holding every skill given, not only the first's.
  const rootGuess = options.root
    ? path.resolve(cwd, options.root)
    : findProjectRoot(path.dirname(absolute[0] ?? cwd), absolute.length > 0 ? commonDirectory(absolute.map((a) => path.dirname(a))) : cwd);
  const root = cache.realPath(rootGuess) ?? rootGuess;
  const ctx: LocateContext = { root, cwd, cache, memo: new Map() };

  const nodes = new Map<string, Node>();
  const pending: Node[] = [];
  const load = (realPath: string, id: string, source: SkillSource): Node | undefined => {
    const existing = nodes.get(realPath);
    if (existing) return existing;
    const loaded = cache.loadSkill(realPath, cwd);
    if (!loaded) return undefined;
    const { name, version } = loaded.header;
    const node: Node = { id, source, loaded, edges: [] };
    if (name !== undefined) node.name = name;
    if (version !== undefined && parseVersion(version) !== null) node.version = version;
    nodes.set(realPath, node);
    pending.push(node);
    return node;
  };

  const rootIds: string[] = [];
  const seenRoots = new Set<string>();
  for (const [i, abs] of absolute.entries()) {
    const given = paths[i]!;
    const real = cache.realPath(abs);
    if (real === undefined) {
      diagnostics.push(diag('SDL5001', displayPath(cwd, abs), START, `cannot find the skill file \`${given}\``, 'check the path'));
      continue;
    }
    if (!isInside(root, real)) {
      diagnostics.push(
        diag('SDL5004', displayPath(cwd, abs), START, `\`${given}\` is outside the project root \`${displayPath(cwd, root)}\``,
          'run from inside the project or pass its root explicitly'),
      );
      continue;
    }
    const node = load(real, cache.rootRelative(root, real), 'path');
    if (!node) {
      diagnostics.push(diag('SDL5001', displayPath(cwd, abs), START, `cannot read the skill file \`${given}\``, 'check the file permissions'));
      continue;
    }
    if (!seenRoots.has(node.id)) {
      seenRoots.add(node.id);
      rootIds.push(node.id);
    }
  }

  // Breadth-first over every file reachable through uses:.
  const rootSet = new Set(rootIds);
  for (let next = 0; next < pending.length; next++) {
    const node = pending[next]!;
    const file = node.loaded.source.path;
    if (!(options.skipRootHeaderDiagnostics && rootSet.has(node.id))) diagnostics.push(...node.loaded.header.diagnostics);
    for (const entry of node.loaded.header.uses) {
      let range: string | undefined;
      if (entry.range !== undefined) {
        if (parseRange(entry.range) === null) {
          diagnostics.push(
            diag('SDL5005', file, entry.versionRange ?? entry.aliasRange,
              `\`uses.${entry.alias}.version\` is not a valid semver range: \`${entry.range}\``,
              'write a range npm understands, e.g. `^1.2.0`, `~1.2`, `>=1.0.0 <2.0.0` or an exact `1.2.3`'),
          );
        } else range = entry.range;
      }
      const found = locate(entry.skill, node.loaded.realPath, ctx);
      if (!found.ok) {
        diagnostics.push(diag(found.code, file, entry.skillRange, `\`uses.${entry.alias}\`: ${found.message}`, found.hint));
        continue;
      }
      const target = load(found.realPath, found.id, found.source);
      if (!target) {
        diagnostics.push(diag('SDL5001', file, entry.skillRange, `\`uses.${entry.alias}\`: cannot read \`${entry.skill}\``, 'check the file permissions'));
        continue;
      }
      if (target.loaded.header.diagnostics.some((d) => d.severity === 'error' && d.code !== 'SDL5011')) {
        diagnostics.push(
          diag('SDL5010', file, entry.skillRange,
            `\`uses.${entry.alias}\`: \`${target.loaded.source.path}\` cannot be read (see the errors reported in that file)`,
            `fix that file first; \`skillc check ${target.loaded.source.path}\` shows every problem`),
        );
        continue;
      }
      if (target.name === undefined || target.version === undefined) {
        const missing = target.name === undefined ? '`name`' : target.loaded.header.version === undefined ? '`version`' : 'a valid semver `version`';
        diagnostics.push(
          diag('SDL5009', file, entry.skillRange,
            `\`uses.${entry.alias}\`: \`${target.loaded.source.path}\` has no ${missing}, so it cannot be used as a dependency`,
            'give the dependency `name:` and a semver `version:` such as `1.0.0`'),
        );
        continue;
      }
      const edge: Edge = { importer: node, entry, target };
      if (range !== undefined) edge.range = range;
      node.edges.push(edge);
    }
  }

  const chosen = unify(nodes, diagnostics);
  const skills = buildGraph(chosen, rootIds, root, cache);
  detectCycles(skills, rootIds, diagnostics);
  const sources = new Map([...nodes.values()].map((n) => [n.loaded.source.path, n.loaded.source] as const));
  return { root, roots: rootIds, skills, diagnostics: sortDiagnostics(dedupe(diagnostics)), sources };
}

function diag(code: string, file: string, range: Range, message: string, hint?: string): Diagnostic {
  const d: Diagnostic = { code, severity: 'error', message, file, range };
  if (hint !== undefined) d.hint = hint;
  return d;
}

function where(edge: Edge): string {
  const r = edge.entry.versionRange ?? edge.entry.skillRange;
  return `${edge.importer.loaded.source.path}:${r.start.line}:${r.start.column}`;
}

function describe(edge: Edge): string {
  return `\`${edge.range ?? '*'}\` (${where(edge)})`;
}

/**
 * Picks one copy per skill id. With one file per id (every project file, most packages) that file
 * is the copy and each range is checked against its version. When nested node_modules hold
 * several copies of a package, the highest version that satisfies every range wins (npm dedupe);
 * when none does, it is an error (like npm's ERESOLVE) — the IR bundles one copy per skill.
 */
function unify(nodes: Map<string, Node>, diagnostics: Diagnostic[]): Map<string, Node> {
  const byId = new Map<string, { copies: Node[]; edges: Edge[] }>();
  for (const node of nodes.values()) {
    let group = byId.get(node.id);
    if (!group) byId.set(node.id, (group = { copies: [], edges: [] }));
    group.copies.push(node);
  }
  for (const node of nodes.values()) for (const edge of node.edges) byId.get(edge.target.id)!.edges.push(edge);

  const chosen = new Map<string, Node>();
  for (const [id, { copies, edges }] of byId) {
    const ranged = edges.filter((e) => e.range !== undefined);
    // Two ranges with no version in common can never be satisfied together, whatever is installed.
    const conflicted = new Set<Edge>();
    for (let i = 0; i < ranged.length; i++) {
      for (let j = i + 1; j < ranged.length; j++) {
        const a = ranged[i]!;
        const b = ranged[j]!;
        if (a.range !== b.range && !intersects(a.range!, b.range!)) {
          for (const [self, other] of [[a, b], [b, a]] as const) {
            conflicted.add(self);
            diagnostics.push(
              diag('SDL5007', self.importer.loaded.source.path, self.entry.versionRange ?? self.entry.aliasRange,
                `conflicting version ranges for \`${self.target.name}\` (${id}): \`${self.range}\` here, but ${describe(other)}; no single version satisfies both`,
                'change one of the ranges so they overlap (one copy of each skill is bundled), or update the dependency that needs the other range'),
            );
          }
        }
      }
    }
    const sorted = copies.length === 1 ? copies : [...copies].sort((a, b) => semver.rcompare(a.version ?? '0.0.0', b.version ?? '0.0.0') || (a.loaded.realPath < b.loaded.realPath ? -1 : 1));
    const fits = sorted.find((c) => c.version !== undefined && ranged.every((e) => satisfies(c.version!, e.range!)));
    chosen.set(id, fits ?? sorted[0]!);
    if (fits) continue;
    let reported = false;
    for (const edge of ranged) {
      if (conflicted.has(edge)) continue;
      const version = edge.target.version;
      if (version !== undefined && !satisfies(version, edge.range!)) {
        reported = true;
        diagnostics.push(
          diag('SDL5006', edge.importer.loaded.source.path, edge.entry.versionRange ?? edge.entry.aliasRange,
            `\`uses.${edge.entry.alias}\` wants \`${edge.target.name}\` \`${edge.range}\`, but \`${edge.target.loaded.source.path}\` is version ${version}`,
            edge.target.source === 'npm'
              ? `install a matching version (\`npm install ${id.slice(4, id.lastIndexOf('/'))}@"${edge.range}"\`) or widen the range`
              : `change the range to include ${version} (e.g. \`^${version}\`) or update the dependency to a matching version`),
        );
      }
    }
    if (!reported && conflicted.size === 0 && ranged.length > 0) {
      // Every range is satisfied by the copy it found, but the copies differ: no single version fits all.
      const versions = sorted.map((c) => `${c.version} (${c.loaded.source.path})`).join(', ');
      for (const edge of ranged) {
        diagnostics.push(
          diag('SDL5007', edge.importer.loaded.source.path, edge.entry.versionRange ?? edge.entry.aliasRange,
            `no single version of \`${edge.target.name}\` (${id}) satisfies every range: installed copies are ${versions}; this entry wants \`${edge.range}\`, others want ${ranged.filter((e) => e !== edge).map(describe).join(', ')}`,
            'align the ranges so one installed version satisfies all of them, then `npm dedupe`'),
        );
      }
    }
  }
  return chosen;
}

/** The id graph over the chosen copies, restricted to what the roots reach, in sorted id order. */
function buildGraph(chosen: Map<string, Node>, rootIds: string[], root: string, cache: ResolutionCache): Map<string, ResolvedSkill> {
  const out = new Map<string, ResolvedSkill>();
  const stack = [...rootIds];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    const node = chosen.get(id);
    if (!node) continue;
    const dependencies: ResolvedDependency[] = node.edges
      .map((e) => {
        const dep: ResolvedDependency = {
          alias: e.entry.alias,
          specifier: e.entry.skill,
          target: e.target.id,
          file: node.loaded.source.path,
          aliasRange: e.entry.aliasRange,
        };
        if (e.entry.range !== undefined) dep.range = e.entry.range;
        return dep;
      })
      .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
    out.set(id, {
      id,
      name: node.name ?? '',
      version: node.version ?? '',
      source: node.source,
      path: cache.rootRelative(root, node.loaded.realPath),
      absolutePath: node.loaded.realPath,
      file: node.loaded.source.path,
      sha256: node.loaded.sha256,
      dependencies,
    });
    for (const d of dependencies) stack.push(d.target);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Depth-first search; each back edge closes a cycle, reported at that `uses:` entry with the whole loop. */
function detectCycles(skills: Map<string, ResolvedSkill>, rootIds: string[], diagnostics: Diagnostic[]): void {
  const state = new Map<string, 'active' | 'done'>();
  // An explicit stack, not recursion: a long chain of untrusted files must not overflow the call stack.
  const frames: { id: string; next: number }[] = [];
  const path: string[] = [];
  const enter = (id: string) => {
    state.set(id, 'active');
    path.push(id);
    frames.push({ id, next: 0 });
  };
  for (const start of [...rootIds, ...skills.keys()]) {
    if (state.has(start) || !skills.has(start)) continue;
    enter(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const dep = skills.get(frame.id)!.dependencies[frame.next++];
      if (dep === undefined) {
        frames.pop();
        path.pop();
        state.set(frame.id, 'done');
        continue;
      }
      const s = state.get(dep.target);
      if (s === 'active') {
        const loop = [...path.slice(path.indexOf(dep.target)), dep.target].map((i) => skills.get(i)!.name || i);
        diagnostics.push(
          diag('SDL5008', dep.file, dep.aliasRange, `dependency cycle: ${loop.join(' → ')}`,
            `skills cannot use each other in a loop; remove \`uses.${dep.alias}\` or move the shared steps into a skill both can use`),
        );
      } else if (s === undefined && skills.has(dep.target)) enter(dep.target);
    }
  }
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}:${d.range.start.line}:${d.range.start.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
