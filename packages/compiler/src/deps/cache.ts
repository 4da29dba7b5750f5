import { closeSync, lstatSync, openSync, readFileSync, readSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { SourceFile } from '../source/source-file.js';
import { MAX_SKILL_FILE_BYTES, decodeSkillBytes } from '../yaml/read.js';
import { sha256 } from './hash.js';
import type { Document } from 'yaml';
import { headerFromDocument, readSkillHeader, type SkillHeader } from './header.js';
import { displayPath, toPosixRelative } from './paths.js';

/** A skill file as the resolver sees it. */
export interface LoadedSkillFile {
  /** Real (symlink-free) absolute path. */
  realPath: string;
  source: SourceFile;
  sha256: string;
  header: SkillHeader;
}

/** A package.json as the npm source reads it: only the `sdl.skills` table matters. */
export interface LoadedPackage {
  name?: string;
  version?: string;
  /** `sdl.skills`: skill name → path relative to the package directory. */
  skills: Record<string, unknown> | undefined;
  /** Set when the file is not valid JSON. */
  error?: string;
}

interface FileEntry {
  statKey: string;
  cwd: string;
  loaded: LoadedSkillFile;
}

/** Options of `ResolutionCache`. */
export interface ResolutionCacheOptions {
  /**
   * Trust cached files until `invalidate` names them, without a `stat` per file per resolve.
   * For `--watch`, whose file watcher reports every change; leave off otherwise.
   */
  trustUntilInvalidated?: boolean;
}

/** Counters that let tests and benchmarks prove a re-resolve re-read only what changed. */
export interface CacheStats {
  /** Files read from disk (stat changed or first sight). */
  reads: number;
  /** Headers parsed (content hash changed or first sight). */
  parses: number;
}

function readPrefix(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(max);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, max - length, null);
      if (n === 0 || (length += n) === max) break;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

const keyOf = (s: BigIntStats): string => `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

function statKeyOf(file: string): string | undefined {
  try {
    const s = statSync(file, { bigint: true, throwIfNoEntry: false });
    return s ? keyOf(s) : undefined;
  } catch {
    return undefined;
  }
}

/** The stat key of `file` itself (a link is not followed) and whether it is a symbolic link; undefined when it does not exist. */
function lstatOf(file: string): { key: string; link: boolean } | undefined {
  try {
    const s = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    return s ? { key: keyOf(s), link: s.isSymbolicLink() } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a file that is no symbolic link has its directory's real path plus its own name as its real
 * path. Only on Linux: elsewhere `realpath` may also change the case of a name (case-insensitive
 * file systems), which this would not.
 */
const NAME_IS_REAL = process.platform === 'linux';

/** What one pass (`inPass`) has looked up: each path stat'ed once, each directory's real path found once. */
interface Pass {
  stats: Map<string, string | undefined>;
  lstats: Map<string, { key: string; link: boolean } | undefined>;
  dirs: Map<string, string | undefined>;
}

/**
 * The incremental cache behind `--watch` and repeated resolves. A file is re-read only when its
 * stat (inode, size, mtime, ctime) changed, and re-parsed only when its SHA-256 changed, so after
 * touching one leaf a resolve of a large project costs one read and one parse plus a stat per file.
 * Pass the same instance to every `resolveProject` call; call `invalidate` from a file watcher to
 * force a re-read even when the stat looks unchanged.
 */
export class ResolutionCache {
  readonly stats: CacheStats = { reads: 0, parses: 0 };
  private readonly files = new Map<string, FileEntry>();
  private readonly packages = new Map<string, { statKey: string; pkg: LoadedPackage }>();
  private readonly realPaths = new Map<string, { statKey: string; real: string }>();
  private readonly trust: boolean;
  private pass: Pass | undefined;

  constructor(options: ResolutionCacheOptions = {}) {
    this.trust = options.trustUntilInvalidated ?? false;
  }

  private readonly relativePaths = new Map<string, string>();

  /** `toPosixRelative(root, target)`, memoized: ids are recomputed on every resolve. */
  rootRelative(root: string, target: string): string {
    const key = `${root}\0${target}`;
    let rel = this.relativePaths.get(key);
    if (rel === undefined) {
      rel = toPosixRelative(root, target);
      if (this.relativePaths.size > 100_000) this.relativePaths.clear();
      this.relativePaths.set(key, rel);
    }
    return rel;
  }

  /**
   * Runs `fn` (a build or a resolve) as one pass over the file system: within it each path is
   * stat'ed at most once and each directory's real path found once, however often the stages ask
   * (the front end, the resolver's roots, its loads and every `uses:` edge each ask about the same
   * files). Nothing is kept once `fn` returns, so the next pass notices every change as before.
   */
  inPass<T>(fn: () => T): T {
    if (this.pass) return fn();
    this.pass = { stats: new Map(), lstats: new Map(), dirs: new Map() };
    try {
      return fn();
    } finally {
      this.pass = undefined;
    }
  }

  private statKey(file: string): string | undefined {
    const pass = this.pass;
    if (!pass) return statKeyOf(file);
    if (pass.stats.has(file)) return pass.stats.get(file);
    const key = statKeyOf(file);
    pass.stats.set(file, key);
    return key;
  }

  private lstat(file: string): { key: string; link: boolean } | undefined {
    const pass = this.pass;
    if (!pass) return lstatOf(file);
    if (pass.lstats.has(file)) return pass.lstats.get(file);
    const found = lstatOf(file);
    pass.lstats.set(file, found);
    // A file that is no link: its own stat is the stat of what it names.
    if (found && !found.link) pass.stats.set(file, found.key);
    return found;
  }

  private realDirectory(dir: string): string | undefined {
    const pass = this.pass;
    if (pass?.dirs.has(dir)) return pass.dirs.get(dir);
    let real: string | undefined;
    try {
      real = realpathSync.native(dir);
    } catch {
      real = undefined;
    }
    pass?.dirs.set(dir, real);
    return real;
  }

  /** Forgets one file (by any path that names it), or everything. */
  invalidate(path?: string): void {
    if (path === undefined) {
      this.files.clear();
      this.packages.clear();
      this.realPaths.clear();
      return;
    }
    const real = this.realPaths.get(path)?.real;
    if (real !== undefined) this.files.delete(real);
    this.files.delete(path);
    this.packages.delete(path);
    this.realPaths.delete(path);
    for (const [k, v] of this.realPaths) if (v.real === path) this.realPaths.delete(k);
  }

  /**
   * The real path of an existing file, or undefined when it does not exist. Cached against the
   * stat of the link itself so a re-pointed symlink is noticed.
   */
  realPath(file: string): string | undefined {
    const hit = this.realPaths.get(file);
    if (hit && this.trust) return hit.real;
    if (NAME_IS_REAL && path.isAbsolute(file) && path.normalize(file) === file) {
      // One lstat: for a file that is no link (the usual case) it is also the file's stat, and its
      // real path is its directory's (found once per pass) with its name.
      const own = this.lstat(file);
      if (own === undefined) return undefined;
      if (!own.link) {
        if (hit && hit.statKey === own.key) return hit.real;
        const dir = this.realDirectory(path.dirname(file));
        if (dir === undefined) return undefined;
        const real = path.join(dir, path.basename(file));
        this.realPaths.set(file, { statKey: own.key, real });
        return real;
      }
    }
    const key = this.statKey(file);
    if (key === undefined) return undefined;
    if (hit && hit.statKey === key) return hit.real;
    let real: string;
    try {
      // The native call: one libuv realpath instead of an lstat per path component in JavaScript.
      real = realpathSync.native(file);
    } catch {
      return undefined;
    }
    this.realPaths.set(file, { statKey: key, real });
    return real;
  }

  /** Loads a skill file by real path; its diagnostics name it relative to `cwd`. */
  loadSkill(realPath: string, cwd: string): LoadedSkillFile | undefined {
    const hit = this.files.get(realPath);
    if (hit && this.trust && hit.cwd === cwd) return hit.loaded;
    const statKey = this.statKey(realPath);
    if (statKey === undefined) return undefined;
    if (hit && hit.statKey === statKey && hit.cwd === cwd) return hit.loaded;
    let bytes: Buffer;
    try {
      // Read at most one byte past the limit: a huge file is refused without loading it whole.
      bytes = readPrefix(realPath, MAX_SKILL_FILE_BYTES + 1);
    } catch {
      return undefined;
    }
    this.stats.reads++;
    const hash = sha256(bytes);
    if (hit && hit.loaded.sha256 === hash && hit.cwd === cwd) {
      hit.statKey = statKey;
      return hit.loaded;
    }
    this.stats.parses++;
    const display = displayPath(cwd, realPath);
    // The front end's decoder: same UTF-8 checks, BOM handling (columns) and size limit as `skillc check`.
    const decoded = decodeSkillBytes(bytes, display);
    const source = decoded.source ?? new SourceFile(display, '');
    const header = decoded.source ? readSkillHeader(source) : { uses: [], diagnostics: [] };
    header.diagnostics.unshift(...decoded.diagnostics);
    const loaded: LoadedSkillFile = { realPath, source, sha256: hash, header };
    this.files.set(realPath, { statKey, cwd, loaded });
    return loaded;
  }

  /**
   * Seeds the cache with a file the caller has already read and parsed (the front end during
   * `skillc compile`), so resolution does not read or parse it again. `hash` is the SHA-256 of
   * the file's bytes as read; `source` and `doc` their decoded text and YAML document.
   */
  prime(realPath: string, cwd: string, hash: string, source: SourceFile, doc: Pick<Document, 'errors' | 'contents'>): void {
    // `realPath` stat'ed the file a moment ago when it is no link (the usual case): reuse that stat.
    const statKey = this.realPaths.get(realPath)?.statKey ?? this.statKey(realPath);
    if (statKey === undefined) return;
    const loaded: LoadedSkillFile = { realPath, source, sha256: hash, header: headerFromDocument(doc, source) };
    this.files.set(realPath, { statKey, cwd, loaded });
  }

  /** Reads `<dir>/package.json`, or undefined when there is none. */
  loadPackage(packageJsonPath: string): LoadedPackage | undefined {
    const hit = this.packages.get(packageJsonPath);
    if (hit && this.trust) return hit.pkg;
    const statKey = this.statKey(packageJsonPath);
    if (statKey === undefined) return undefined;
    if (hit && hit.statKey === statKey) return hit.pkg;
    let pkg: LoadedPackage;
    try {
      const json = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as Record<string, unknown>;
      const sdl = json['sdl'] as Record<string, unknown> | undefined;
      const skills = sdl && typeof sdl === 'object' ? sdl['skills'] : undefined;
      pkg = {
        name: typeof json['name'] === 'string' ? json['name'] : undefined,
        version: typeof json['version'] === 'string' ? json['version'] : undefined,
        skills: skills && typeof skills === 'object' && !Array.isArray(skills) ? (skills as Record<string, unknown>) : undefined,
      };
    } catch (err) {
      pkg = { skills: undefined, error: (err as Error).message };
    }
    this.packages.set(packageJsonPath, { statKey, pkg });
    return pkg;
  }
}
