import type { Diagnostic, Range } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source/source-file.js';

/** Where a skill came from: a file in the project, or a skill listed by an installed npm package. */
export type SkillSource = 'path' | 'npm';

/** One resolved `uses:` entry: an edge of the dependency graph. */
export interface ResolvedDependency {
  /** The key under `uses:`. */
  alias: string;
  /** The `skill:` value as written. */
  specifier: string;
  /** The `version:` range as written, when given. */
  range?: string;
  /** Id of the skill it resolved to (a key of `ResolvedProject.skills`). */
  target: string;
  /** Where the entry is, for diagnostics: the importing file (display path) and the alias key. */
  file: string;
  aliasRange: Range;
}

/** One skill of the resolved set: one copy per id. */
export interface ResolvedSkill {
  /**
   * Stable identity: the root-relative POSIX path for project files (`skills/chunk.skill.yaml`),
   * `npm:<package>/<skill>` for package-provided skills.
   */
  id: string;
  name: string;
  version: string;
  source: SkillSource;
  /** Root-relative POSIX path of the file (never absolute). */
  path: string;
  /** Real absolute path on this machine; never written to sdl.lock or the IR. */
  absolutePath: string;
  /** Display path used in diagnostics. */
  file: string;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  /** Outgoing edges, sorted by alias. */
  dependencies: ResolvedDependency[];
}

/** The result of `resolveProject`. */
export interface ResolvedProject {
  /** Absolute real path of the project root. */
  root: string;
  /** Ids of the skills the caller asked for, in the order given (duplicates removed). */
  roots: string[];
  /** Every reachable skill, keyed by id, in sorted id order. */
  skills: Map<string, ResolvedSkill>;
  /** SDL5xxx diagnostics plus header problems, sorted. */
  diagnostics: Diagnostic[];
  /** Every file read, by the display path its diagnostics use (to show the offending line). */
  sources: Map<string, SourceFile>;
}
