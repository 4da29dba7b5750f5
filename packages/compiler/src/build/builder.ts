import type { Document } from 'yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bindSkill, type BoundSkill } from '../bind/bind-skill.js';
import { compileSources } from '../bind/compile-sources.js';
import type { CompiledSource } from '../bind/compiled-source.js';
import { checkReplyPaths } from '../check/reply-paths.js';
import type { DependencyInterface } from '../bind/scopes.js';
import { checkSkill } from '../check/check.js';
import { isRecord } from '../check/context.js';
import { makeDiagnostic } from '../diagnostics/codes.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from '../diagnostics/diagnostic.js';
import { ResolutionCache } from '../deps/cache.js';
import { closureOf, dependenciesFirst } from '../deps/graph-queries.js';
import { sha256 } from '../deps/hash.js';
import { checkLockfile, readLockfile } from '../deps/lockfile.js';
import { displayPath } from '../deps/paths.js';
import { resolveProject } from '../deps/resolve.js';
import type { ResolvedProject } from '../deps/types.js';
import { bundleDocument, type Bundle, type SkillObject, type SkillOrigin } from '../emit/emit-document.js';
import { emitSkill, nodeRangesOf, repinSkill } from '../emit/emit-skill.js';
import type { IrDocument, IrSkill } from '../emit/ir-types.js';
import { skillEntry, type SkillEntry } from '../emit/skill-text.js';
import { validateEnvelope, validateSkillIr } from '../emit/validate-ir.js';
import { checkBytes, type FileResult, type FrontEndStage } from '../frontend/check-file.js';
import { rangeOfPath } from '../yaml/ranges.js';
import { releaseDocument } from '../yaml/release.js';
import { validateSkill } from '../schema/validate.js';
import type { SourceFile } from '../source/source-file.js';
import { expandSkillPaths } from './expand.js';

/** The front end as `compile` runs it: the expression stage runs later, with the dependencies' schemas. */
const COMPILE_STAGES: readonly FrontEndStage[] = [validateSkill, checkSkill];

/** Options of `ProjectBuilder` and `buildProject`. */
export interface BuildOptions {
  /** Base for relative paths and for the paths diagnostics show. */
  cwd: string;
  /** The project root (default: found from the first skill, see spec/dependencies.md). */
  root?: string;
  /** Check `sdl.lock` against the resolved set (SDL5101–SDL5104 are errors): `--frozen-lockfile`. */
  frozenLockfile?: boolean;
  /** Trust cached files until `invalidate` names them (watch mode, whose watcher reports every change). */
  watch?: boolean;
  /**
   * Validate every emitted skill and document against schemas/ir.schema.json (`--verify-ir`); a
   * failure throws `InternalCompilerError`. Off by default: it checks the compiler, not the input,
   * and the runtime validates every IR file it loads.
   */
  verifyIr?: boolean;
  /**
   * Open editor buffers: the text to use for a file (by absolute path) instead of its bytes on disk,
   * or undefined to read the disk. The language server passes its unsaved documents here; call
   * `invalidate` with a path whenever its text changes.
   */
  overlay?: (absolutePath: string) => string | undefined;
  /**
   * False to stop after the checks (no IR emitted, `outputs` empty): what an editor and `skillc
   * check` need. With `watch` too (an editor) the parsed documents are then kept
   * (`fileResult(...).parsed.document`) instead of re-parsed on demand. Default true.
   */
  emit?: boolean;
}

/** One compiled root: `<name>.skill.json` holding `document`. */
export interface BuiltOutput {
  /** The root skill's id. */
  id: string;
  /** The root skill's `name`: the output file is `<name>.skill.json`. */
  name: string;
  /** The document `text` holds (parsed from it on first read: a build keeps only the text). */
  readonly document: IrDocument;
  /** The file text (canonical JSON, final newline): the standalone bundle, every skill inline. */
  text: string;
  /** The content-addressed file text: each skill as its hash (see {@link SkillObject}, spec/ir.md). */
  referencingText: string;
  /** The skills `referencingText` refers to: each is written once per output directory. */
  objects: readonly SkillObject[];
  /** False when this build reused the previous build's document unchanged. */
  changed: boolean;
}

/** Work done by one build, for tests and benchmarks (proof that an incremental build did little). */
export interface BuildStats {
  /** Files read and run through the front end. */
  parsed: number;
  /** Skills whose expressions were (re-)bound. */
  bound: number;
  /** Skills whose IR was (re-)emitted. */
  emitted: number;
  /** Documents (re-)assembled, hashed and validated. */
  documents: number;
  /** Files the dependency resolver read and parsed itself (0 when the front end handed it every file). */
  resolverParses: number;
}

/** The result of a build. Outputs are present only when no error was found anywhere. */
export interface BuildResult {
  diagnostics: Diagnostic[];
  /** Every file read, by display path (for reports that show the offending line). */
  sources: Map<string, SourceFile>;
  /** How many skill files were checked. */
  fileCount: number;
  project: ResolvedProject | undefined;
  outputs: BuiltOutput[];
  stats: BuildStats;
}

/** The emitted IR failed schemas/ir.schema.json: a compiler bug, never the user's input. */
export class InternalCompilerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalCompilerError';
  }
}

interface FileState {
  realPath: string;
  display: string;
  sha256: string;
  result: FileResult;
  /** For a file without errors: its expressions and templates, compiled while the document was at hand. */
  compiled?: Map<string, CompiledSource>;
  /** For a file without errors: `nodeRangesOf` its document, for the source map. */
  nodeRanges?: Map<string, readonly [number, number]>;
}

interface Cached<T> {
  key: string;
  value: T;
}

/**
 * The compile pipeline with a content-hash cache between runs: front end → dependency resolution
 * → expression binding (with each dependency's schemas) → IR emission → one document per root.
 * Every stage's result is kept under a key of the content hashes it depends on, so after a change
 * only the changed file is re-read and re-parsed, only skills whose inputs changed are re-bound or
 * re-emitted, and only roots whose closure changed get a new document. `skillc compile` builds
 * once; `--watch` keeps one builder and calls `invalidate` from its file watcher.
 */
export class ProjectBuilder {
  private readonly resolution: ResolutionCache;
  private readonly files = new Map<string, FileState>();
  private readonly dirty = new Set<string>();
  private readonly bound = new Map<string, Cached<{ bound: BoundSkill; diagnostics: Diagnostic[] }>>();
  /**
   * Per skill: what bundles need of its IR (`entry`), and, in watch mode only, the IR object itself,
   * which re-pinning a dependency's hash starts from. A one-shot build lets each IR object go as soon
   * as it is serialized and validated.
   */
  private readonly emitted = new Map<string, { key: string; entry: SkillEntry; ir: IrSkill | undefined; bound: BoundSkill; sha256: string }>();
  /** `unchanged` is the same output marked `changed: false`, made once: most builds reuse most documents. */
  private readonly documents = new Map<string, Cached<BuiltOutput> & { unchanged: BuiltOutput }>();
  /** Each given file's state at the last build, to tell which were re-read. */
  private readonly previousStates = new Map<string, FileState>();
  private lastResolution: { filesKey: string; project: ResolvedProject; headers: Map<string, string> } | undefined;
  private lastStates: { graph: number; states: Map<string, FileState> } | undefined;
  /** Reverse edges of the current graph (who uses a skill), built on demand. */
  private dependents: Map<string, string[]> | undefined;
  /** Bumped whenever the resolver runs: the dependency graph (and so each root's closure) may differ. */
  private graphVersion = 0;
  private closures: { graph: number; byRoot: Map<string, string[]> } = { graph: -1, byRoot: new Map() };

  private readonly options: BuildOptions;

  constructor(
    private readonly paths: readonly string[],
    options: BuildOptions,
  ) {
    // Normalized as the resolver normalizes it: the files it is primed with are keyed by this cwd,
    // and a spelling such as a trailing slash would make it read and parse every file again.
    this.options = { ...options, cwd: path.resolve(options.cwd) };
    this.resolution = new ResolutionCache({ trustUntilInvalidated: options.watch ?? false });
  }

  /** Marks files (absolute paths) as changed, created or deleted: the next build re-reads them. */
  invalidate(changed: Iterable<string>): void {
    for (const p of changed) {
      const absolute = path.resolve(this.options.cwd, p);
      this.dirty.add(absolute);
      this.resolution.invalidate(absolute);
      const real = this.resolution.realPath(absolute);
      if (real !== undefined && real !== absolute) {
        this.dirty.add(real);
        this.resolution.invalidate(real);
      }
    }
  }

  /**
   * The front end's result for a file (absolute path) as of the last build, or undefined when the
   * build did not read it. Its `parsed.document` may be re-parsed on first access (see releaseDocument).
   */
  fileResult(absolutePath: string): FileResult | undefined {
    const absolute = path.resolve(this.options.cwd, absolutePath);
    return this.files.get(this.resolution.realPath(absolute) ?? absolute)?.result ?? this.files.get(absolute)?.result;
  }

  /** Reads (or reuses) one file and runs the front end on it; undefined when it cannot be read. */
  private load(absolute: string, diagnostics: Diagnostic[], stats: BuildStats): FileState | undefined {
    const real = this.resolution.realPath(absolute) ?? absolute;
    const previous = this.files.get(real);
    if (previous && !this.dirty.has(real) && !this.dirty.has(absolute)) return previous;
    const display = displayPath(this.options.cwd, real);
    let bytes: Buffer;
    try {
      const open = this.options.overlay?.(real) ?? (real !== absolute ? this.options.overlay?.(absolute) : undefined);
      bytes = open !== undefined ? Buffer.from(open, 'utf8') : readFileSync(real);
    } catch (error) {
      this.files.delete(real);
      const code = (error as NodeJS.ErrnoException).code;
      diagnostics.push(makeDiagnostic('SDL9001', display, { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, `cannot read \`${display}\`: ${code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`));
      return undefined;
    }
    this.dirty.delete(real);
    this.dirty.delete(absolute);
    const hash = sha256(bytes);
    if (previous && previous.sha256 === hash && previous.display === display) return previous;
    stats.parsed++;
    const result = checkBytes(bytes, display, { stages: COMPILE_STAGES });
    result.path = real;
    const state: FileState = { realPath: real, display, sha256: hash, result };
    this.files.set(real, state);
    // Resolution reads the same file: hand it the parsed document instead of parsing it again.
    if (result.source && result.parsed) {
      // A file built from the CST has no YAML errors and no document yet: its nodes are enough.
      const parsed = result.parsed;
      this.resolution.prime(real, this.options.cwd, hash, result.source, parsed.fromCst ? { errors: [], contents: parsed.contents as Document['contents'] } : parsed.document);
    }
    if (result.skill && result.parsed) {
      // Take what binding and emission need from the document now, then let it go (see releaseDocument).
      state.compiled = compileSources(result.parsed);
      // Without emission there is no source map to build; an editor (watch, no emission) reads the document next.
      if (this.options.emit !== false) state.nodeRanges = nodeRangesOf(result.parsed);
      if (this.options.emit !== false || !this.options.watch) releaseDocument(result.parsed);
    }
    return state;
  }

  /** Runs the pipeline; see `BuildResult`. Throws `InternalCompilerError` only on a compiler bug. */
  build(): BuildResult {
    // One pass over the file system: each file is stat'ed once however many stages ask about it.
    return this.resolution.inPass(() => this.buildPass());
  }

  private buildPass(): BuildResult {
    const stats: BuildStats = { parsed: 0, bound: 0, emitted: 0, documents: 0, resolverParses: 0 };
    const resolverParsesBefore = this.resolution.stats.parses;
    const { cwd } = this.options;
    const expanded = expandSkillPaths(this.paths, cwd);
    const diagnostics: Diagnostic[] = [...expanded.diagnostics];
    const sources = new Map<string, SourceFile>();
    const checked = new Set<FileState>();
    const take = (state: FileState | undefined) => {
      if (!state || checked.has(state)) return;
      checked.add(state);
      diagnostics.push(...state.result.diagnostics);
      if (state.result.source) sources.set(state.display, state.result.source);
    };
    const reread = new Set<FileState>();
    for (const file of expanded.files) {
      const state = this.load(file, diagnostics, stats);
      if (state && state !== this.previousStates.get(file)) reread.add(state);
      if (state) this.previousStates.set(file, state);
      else this.previousStates.delete(file);
      take(state);
    }
    if (expanded.files.length === 0) return { diagnostics: sortDiagnostics(diagnostics), sources, fileCount: 0, project: undefined, outputs: [], stats };

    const project = this.resolve(expanded.files, reread);
    stats.resolverParses = this.resolution.stats.parses - resolverParsesBefore;
    diagnostics.push(...project.diagnostics);
    for (const [display, source] of project.sources) if (!sources.has(display)) sources.set(display, source);

    // Dependencies outside the given paths go through the front end too: their IR is bundled.
    const stateOf = new Map<string, FileState>();
    for (const skill of project.skills.values()) {
      const state = this.files.get(skill.absolutePath) ?? this.load(skill.absolutePath, diagnostics, stats);
      take(state);
      if (state) stateOf.set(skill.id, state);
    }

    const order = dependenciesFirst(project);
    const affected = this.affected(project, stateOf);
    for (const id of order) {
      const skill = project.skills.get(id)!;
      const state = stateOf.get(id);
      if (!state?.result.parsed?.ok) continue;
      const reuse = affected ? this.bound.get(id) : undefined;
      if (reuse && !affected!.has(id)) {
        diagnostics.push(...reuse.value.diagnostics);
        continue;
      }
      const interfaces = new Map<string, DependencyInterface>();
      const keyParts = [state.sha256, state.display];
      for (const dep of skill.dependencies) {
        const target = stateOf.get(dep.target);
        const value = target?.result.parsed?.value;
        if (!target || !isRecord(value)) continue;
        interfaces.set(dep.alias, { inputs: value.inputs, outputs: value.outputs });
        // Keyed by the dependency's interface, not its bytes: editing its prompts re-binds nothing here.
        keyParts.push(`${dep.alias}=${interfaceKey(target)}`);
      }
      const key = keyParts.join('|');
      let cached = this.bound.get(id);
      if (!cached || cached.key !== key) {
        stats.bound++;
        cached = { key, value: bindSkill(state.result.parsed, { dependencies: interfaces, ...(state.compiled ? { compiled: state.compiled } : {}) }) };
        this.bound.set(id, cached);
      }
      diagnostics.push(...cached.value.diagnostics);
    }

    diagnostics.push(...this.duplicateNames(project, stateOf));
    // Dotted `replies:` keys of tests (`triage.classify`) resolve through the dependencies here.
    diagnostics.push(...checkReplyPaths({ parsedOf: (id) => stateOf.get(id)?.result.parsed, dependencyOf: (id, alias) => project.skills.get(id)?.dependencies.find((d) => d.alias === alias)?.target }, order));
    if (this.options.frozenLockfile) {
      const read = readLockfile(project.root, cwd);
      diagnostics.push(...read.diagnostics);
      if (read.diagnostics.length === 0) diagnostics.push(...checkLockfile(project, read.lock, cwd));
    }
    sortDiagnostics(diagnostics);
    const done = (outputs: BuiltOutput[]): BuildResult => ({ diagnostics, sources, fileCount: checked.size, project, outputs, stats });
    if (hasErrors(diagnostics) || this.options.emit === false) return done([]);

    // Emit in dependency order: a skill's IR pins its dependencies' hashes.
    const entries = new Map<string, SkillEntry>();
    const origins = new Map<string, SkillOrigin>();
    for (const id of order) {
      const skill = project.skills.get(id)!;
      const state = stateOf.get(id)!;
      const unchanged = affected && !affected.has(id) ? this.emitted.get(id) : undefined;
      if (unchanged) {
        entries.set(id, unchanged.entry);
        origins.set(id, { source: skill.source, path: skill.path });
        continue;
      }
      const uses = new Map(skill.dependencies.map((d) => [d.alias, { skill: d.target, hash: entries.get(d.target)!.hash }] as const));
      const bound = this.bound.get(id)!.value.bound;
      const key = [state.sha256, skill.path, ...[...uses].map(([alias, u]) => `${alias}=${u.skill}@${u.hash}`)].join('|');
      let cached = this.emitted.get(id);
      if (!cached || cached.key !== key) {
        stats.emitted++;
        // Same source and bindings, only dependencies' hashes moved: re-pin instead of re-emitting.
        const value = cached?.ir && cached.bound === bound && cached.sha256 === state.sha256 && cached.ir.file === skill.path
          ? repinSkill(cached.ir, uses)
          : emitSkill({ id, file: skill.path, sha256: state.sha256, parsed: state.result.parsed!, skill: state.result.skill!, bound, uses, ...(state.nodeRanges ? { nodeRanges: state.nodeRanges } : {}) });
        if (this.options.verifyIr) verified(id, validateSkillIr(value));
        cached = { key, entry: skillEntry(value), ir: this.options.watch ? value : undefined, bound, sha256: state.sha256 };
        this.emitted.set(id, cached);
      }
      entries.set(id, cached.entry);
      origins.set(id, { source: skill.source, path: skill.path });
    }

    const outputs: BuiltOutput[] = [];
    if (this.closures.graph !== this.graphVersion) this.closures = { graph: this.graphVersion, byRoot: new Map(project.roots.map((r) => [r, closureOf(project, r)])) };
    for (const root of project.roots) {
      const kept = affected && !affected.has(root) ? this.documents.get(root) : undefined;
      if (kept) {
        outputs.push(kept.unchanged);
        continue;
      }
      const closure = this.closures.byRoot.get(root)!;
      const key = closure.map((id) => entries.get(id)!.hash).join('|');
      const cached = this.documents.get(root);
      if (cached && cached.key === key) {
        outputs.push(cached.unchanged);
        continue;
      }
      stats.documents++;
      const bundle = bundleDocument(root, closure, entries, origins);
      if (this.options.verifyIr) verified(root, validateEnvelope(bundle.envelope));
      const name = entries.get(root)!.name;
      const output = builtOutput(root, name, bundle, true);
      this.documents.set(root, { key, value: output, unchanged: builtOutput(root, name, bundle, false) });
      outputs.push(output);
    }
    return done(outputs);
  }

  /**
   * The skills a change can reach this build: those whose file state changed since the last build
   * and every skill that (transitively) uses one of them. Undefined when the graph itself changed
   * (or on the first build): then every skill is looked at, each stage still keyed by content.
   */
  private affected(project: ResolvedProject, stateOf: Map<string, FileState>): Set<string> | undefined {
    const previous = this.lastStates;
    this.lastStates = { graph: this.graphVersion, states: stateOf };
    if (!previous || previous.graph !== this.graphVersion) {
      this.dependents = undefined;
      return undefined;
    }
    if (!this.dependents) {
      this.dependents = new Map();
      for (const skill of project.skills.values()) {
        for (const dep of skill.dependencies) {
          let list = this.dependents.get(dep.target);
          if (!list) this.dependents.set(dep.target, (list = []));
          list.push(skill.id);
        }
      }
    }
    const out = new Set<string>();
    const stack: string[] = [];
    for (const [id, state] of stateOf) if (previous.states.get(id) !== state) stack.push(id);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      stack.push(...(this.dependents.get(id) ?? []));
    }
    return out;
  }

  /**
   * Resolves `uses:`. When the only files re-read since the last build kept their header (`name`,
   * `version`, `uses:`) and the last resolution was clean, the graph cannot have changed: the
   * previous result is reused with the new content hashes. Otherwise the resolver runs (with its
   * own per-file cache).
   */
  private resolve(files: string[], reread: Set<FileState>): ResolvedProject {
    const last = this.lastResolution;
    const filesKey = files.join('\0');
    if (last && !this.options.frozenLockfile && last.filesKey === filesKey && last.project.diagnostics.length === 0) {
      const byPath = new Map([...last.project.skills.values()].map((s) => [s.absolutePath, s] as const));
      const changed = [...reread].map((state) => ({ state, skill: byPath.get(state.realPath) }));
      if (changed.every(({ state, skill }) => skill !== undefined && headerKey(state) === last.headers.get(skill.id))) {
        if (changed.length === 0) return last.project;
        const skills = new Map(last.project.skills);
        const sources = new Map(last.project.sources);
        for (const { state, skill } of changed) {
          skills.set(skill!.id, { ...skill!, sha256: state.sha256 });
          if (state.result.source) sources.set(state.display, state.result.source);
        }
        const project: ResolvedProject = { ...last.project, skills, sources };
        this.lastResolution = { ...last, project };
        return project;
      }
    }
    const options = { cwd: this.options.cwd, cache: this.resolution, skipRootHeaderDiagnostics: true, ...(this.options.root !== undefined ? { root: this.options.root } : {}) };
    const project = resolveProject(files, options);
    this.graphVersion++;
    const headers = new Map<string, string>();
    for (const skill of project.skills.values()) {
      const state = this.files.get(skill.absolutePath);
      if (state) headers.set(skill.id, headerKey(state));
    }
    this.lastResolution = { filesKey, project, headers };
    return project;
  }

  /** Two roots with the same `name` would overwrite each other's `<name>.skill.json`. */
  private duplicateNames(project: ResolvedProject, stateOf: Map<string, FileState>): Diagnostic[] {
    const seen = new Map<string, FileState>();
    const out: Diagnostic[] = [];
    for (const root of project.roots) {
      const state = stateOf.get(root);
      const value = state?.result.parsed?.value;
      if (!state || !isRecord(value) || typeof value.name !== 'string') continue;
      const first = seen.get(value.name);
      if (first) {
        out.push(makeDiagnostic('SDL3021', state.display, rangeOfPath(state.result.parsed!, ['name']), `skill name \`${value.name}\` is also used by \`${first.display}\`; both would compile to \`${value.name}.skill.json\``, 'give each skill a unique name'));
      } else seen.set(value.name, state);
    }
    return out;
  }
}

/** Throws `InternalCompilerError` when the IR emitted for `id` failed schemas/ir.schema.json. */
function verified(id: string, problems: string[]): void {
  if (problems.length > 0) throw new InternalCompilerError(`the IR emitted for ${id} does not match schemas/ir.schema.json:\n  ${problems.join('\n  ')}`);
}

/** An output whose `document` is parsed from its text when first read. */
function builtOutput(id: string, name: string, bundle: Bundle, changed: boolean): BuiltOutput {
  let document: IrDocument | undefined;
  const { text, referencingText, objects } = bundle;
  return {
    id,
    name,
    text,
    referencingText,
    objects,
    changed,
    get document() {
      return (document ??= JSON.parse(text) as IrDocument);
    },
  };
}

/** One full build (no cache kept): what `skillc compile` without `--watch` runs. */
export function buildProject(paths: readonly string[], options: BuildOptions): BuildResult {
  return new ProjectBuilder(paths, options).build();
}

/** What resolution reads from a file: `name`, `version` and `uses:` (from the front end's parse). */
function headerKey(state: FileState): string {
  const value = state.result.parsed?.value;
  if (!state.result.parsed?.ok || !isRecord(value)) return `unreadable:${state.sha256}`;
  return JSON.stringify([value.name, value.version, value.uses]);
}

const interfaceKeys = new WeakMap<FileState, string>();
/** What binding a dependent reads from a skill: its `inputs` and `outputs` schemas. */
function interfaceKey(state: FileState): string {
  let key = interfaceKeys.get(state);
  if (key === undefined) {
    const value = state.result.parsed?.value;
    key = isRecord(value) ? JSON.stringify([value.inputs ?? null, value.outputs ?? null]) : `unreadable:${state.sha256}`;
    interfaceKeys.set(state, key);
  }
  return key;
}
