/**
 * One project as the editor sees it: every `*.skill.yaml` under the workspace root, checked by the
 * compiler's own incremental `ProjectBuilder` (the pipeline `skillc check` runs), with the open
 * buffers laid over the files on disk. After an edit only the edited file is re-read and re-parsed,
 * and only the skills whose inputs changed are re-bound.
 */
import path from 'node:path';
import {
  ProjectBuilder,
  checkText,
  type BuildResult,
  type DependencyInterface,
  type Diagnostic,
  type FileResult,
  type ResolvedSkill,
  type SourceFile,
} from '@sdl/compiler';
import { isRecord } from './util.js';

/** What the server needs from its embedding program (the CLI) beyond the compiler. */
export interface LanguageHost {
  /** Engine names of the project's `sdl.config.yaml` (`root` is the project directory), or undefined when it has none. */
  engineNames?(root: string): string[] | undefined;
  /** Diagnostics about engines a skill names that the config does not define (SDL3050, as `skillc check` reports them). */
  engineDiagnostics?(source: SourceFile, engines: readonly string[], configShown: string): Diagnostic[];
  /** Model ids of the built-in model descriptors, by provider. */
  modelIds?(): { provider: string; id: string }[];
  /** Runs one test of a skill file (`skillc test <file> --name <name>`); resolves with its report. */
  runTest?(file: string, name: string, cwd: string): Promise<{ passed: boolean; output: string }>;
}

/** A skill file of the project with what the language features read from it. */
export interface SkillFile {
  /** Absolute path. */
  path: string;
  result: FileResult;
  /**
   * The file's plain value: the current parse when it succeeded, else the last one that did (while
   * a key is half typed the YAML may not parse, and completion still needs the rest of the file).
   */
  value: unknown;
  /** The resolved skill (id, dependencies) when the resolver reached this file. */
  resolved?: ResolvedSkill;
}

/** The project of one workspace folder. */
export class Project {
  private readonly builder: ProjectBuilder;
  private readonly open = new Map<string, string>();
  private last: BuildResult | undefined;
  private stale = true;
  private engines: { names: string[] } | undefined | null = null;
  /** SDL3050 per source: a SourceFile object is reused by the builder while its file is unchanged. */
  private readonly engineChecks = new WeakMap<SourceFile, Diagnostic[]>();
  /** The last value that parsed, per file (see `SkillFile.value`). */
  private readonly lastGood = new Map<string, unknown>();
  /** Files opened from outside the root: checked alone. */
  private readonly loose = new Map<string, FileResult>();

  constructor(
    readonly root: string,
    private readonly host: LanguageHost = {},
  ) {
    this.builder = new ProjectBuilder([root], { cwd: root, watch: true, emit: false, overlay: (p) => this.open.get(p) });
  }

  /** Whether `file` (absolute) lies inside this project's root. */
  contains(file: string): boolean {
    const rel = path.relative(this.root, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  /** Sets (or, with undefined, drops) the editor's text of a file; the next check reads it. */
  setText(file: string, text: string | undefined): void {
    if (text === undefined) this.open.delete(file);
    else this.open.set(file, text);
    this.loose.delete(file);
    this.changed([file]);
  }

  /** Files changed, created or deleted on disk (or their buffers changed). */
  changed(files: Iterable<string>): void {
    const list = [...files];
    this.builder.invalidate(list);
    if (list.some((f) => path.basename(f) === 'sdl.config.yaml')) this.engines = null;
    this.stale = true;
  }

  /** Runs the check if anything changed since the last one; returns the build. */
  check(): BuildResult {
    if (!this.stale && this.last) return this.last;
    this.last = this.builder.build();
    this.stale = false;
    return this.last;
  }

  /** The diagnostics of the last check by absolute path, with the host's engine check added. */
  diagnostics(): Map<string, Diagnostic[]> {
    const result = this.check();
    const byFile = new Map<string, Diagnostic[]>();
    for (const d of result.diagnostics) {
      const file = path.resolve(this.root, d.file);
      let list = byFile.get(file);
      if (!list) byFile.set(file, (list = []));
      list.push(d);
    }
    // Open buffers the build did not read (a new file not yet saved): checked on their own.
    for (const file of this.open.keys()) {
      if (!this.contains(file) || this.builder.fileResult(file)) continue;
      const loose = this.looseFile(file);
      if (loose) byFile.set(file, loose.result.diagnostics);
    }
    const engines = this.engineNames();
    if (engines && this.host.engineDiagnostics) {
      for (const source of result.sources.values()) {
        let found = this.engineChecks.get(source);
        if (!found) this.engineChecks.set(source, (found = this.host.engineDiagnostics(source, engines, 'sdl.config.yaml')));
        if (found.length === 0) continue;
        const file = path.resolve(this.root, source.path);
        byFile.set(file, [...(byFile.get(file) ?? []), ...found]);
      }
    }
    return byFile;
  }

  /** The engine names of the project's config (cached until the config changes). */
  engineNames(): string[] | undefined {
    if (this.engines === null) {
      const names = this.host.engineNames?.(this.root);
      this.engines = names ? { names } : undefined;
    }
    return this.engines?.names;
  }

  /** Model ids of the host's model descriptors. */
  hostModels(): { provider: string; id: string }[] {
    return this.host.modelIds?.() ?? [];
  }

  /** The host (for commands such as running a test). */
  get hostApi(): LanguageHost {
    return this.host;
  }

  /** The skill file at `file` as of the last check (files outside the root are checked on their own). */
  file(file: string): SkillFile | undefined {
    if (!this.contains(file)) return this.looseFile(file);
    const result = this.check();
    const fileResult = this.builder.fileResult(file);
    if (!fileResult) return this.looseFile(file);
    const resolved = [...(result.project?.skills.values() ?? [])].find((s) => s.absolutePath === fileResult.path);
    return { path: file, result: fileResult, value: this.valueOf(file, fileResult), ...(resolved ? { resolved } : {}) };
  }

  private looseFile(file: string): SkillFile | undefined {
    const text = this.open.get(file);
    if (text === undefined) return undefined;
    let result = this.loose.get(file);
    if (!result) this.loose.set(file, (result = checkText(text, file)));
    return { path: file, result, value: this.valueOf(file, result) };
  }

  private valueOf(file: string, result: FileResult): unknown {
    if (result.parsed?.ok) {
      this.lastGood.set(file, result.parsed.value);
      return result.parsed.value;
    }
    return this.lastGood.get(file) ?? result.parsed?.value;
  }

  /** The open buffers' paths. */
  openFiles(): string[] {
    return [...this.open.keys()];
  }

  /** Every skill file of the last check. */
  files(): SkillFile[] {
    const result = this.check();
    const out: SkillFile[] = [];
    for (const skill of result.project?.skills.values() ?? []) {
      const fileResult = this.builder.fileResult(skill.absolutePath);
      if (fileResult) out.push({ path: skill.absolutePath, result: fileResult, value: this.valueOf(skill.absolutePath, fileResult), resolved: skill });
    }
    return out;
  }

  /** The resolved skill with id `id`. */
  skill(id: string): SkillFile | undefined {
    const skill = this.check().project?.skills.get(id);
    return skill ? this.file(skill.absolutePath) : undefined;
  }

  /** The interfaces of the skills `file` uses, by alias, as the binder sees them. */
  dependencies(file: SkillFile): Map<string, DependencyInterface> {
    const out = new Map<string, DependencyInterface>();
    for (const dep of file.resolved?.dependencies ?? []) {
      const value = this.skill(dep.target)?.result.parsed?.value;
      if (isRecord(value)) out.set(dep.alias, { inputs: value.inputs, outputs: value.outputs });
    }
    return out;
  }

  /** Files whose `uses:` resolve to `target` (absolute path), with the aliases they use it by. */
  dependents(target: string): { file: SkillFile; alias: string }[] {
    const out: { file: SkillFile; alias: string }[] = [];
    const project = this.check().project;
    if (!project) return out;
    const id = [...project.skills.values()].find((s) => s.absolutePath === target)?.id;
    if (id === undefined) return out;
    for (const skill of project.skills.values()) {
      for (const dep of skill.dependencies) {
        if (dep.target !== id) continue;
        const file = this.file(skill.absolutePath);
        if (file) out.push({ file, alias: dep.alias });
      }
    }
    return out;
  }
}
