import { type FSWatcher, statSync, watch } from 'node:fs';
import path from 'node:path';
import { SKILL_FILE_SUFFIX } from '../frontend/check-file.js';
import type { BuildResult, ProjectBuilder } from './builder.js';

/** Options of `watchProject`. */
export interface WatchOptions {
  /** Base of relative paths. */
  cwd: string;
  /** Stops watching (and resolves the returned promise) when aborted. */
  signal: AbortSignal;
  /** Quiet period after the last file event before rebuilding (editors write in bursts). Default 50 ms. */
  debounceMs?: number;
  /** Called after each rebuild with the files that triggered it (absolute paths). */
  onBuild(result: BuildResult, changed: readonly string[]): void | Promise<void>;
  /** Called when a rebuild throws (an internal error); watching goes on. */
  onError?(error: unknown): void;
}

const isWatched = (file: string): boolean => file.endsWith(SKILL_FILE_SUFFIX) || path.basename(file) === 'package.json';

/**
 * Watches the files behind the last build (node:fs `watch`: the given directories recursively, and
 * the directory of every skill in the dependency closure), debounces bursts of events, tells the
 * builder which files changed and rebuilds: its content-hash cache makes the rebuild re-read only
 * the changed files and re-emit only the roots whose closure they are in. Resolves on `signal`.
 */
export function watchProject(builder: ProjectBuilder, paths: readonly string[], last: BuildResult, options: WatchOptions): Promise<void> {
  const { cwd, signal } = options;
  const debounceMs = options.debounceMs ?? 50;
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const recursiveRoots: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    try {
      if (statSync(absolute).isDirectory()) recursiveRoots.push(absolute);
    } catch {
      // A missing path was reported by the build; its directory is watched below so it can appear.
    }
  }
  const covered = (dir: string) => recursiveRoots.some((r) => dir === r || dir.startsWith(r + path.sep));

  const schedule = (file: string) => {
    if (!isWatched(file)) return;
    pending.add(file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const changed = [...pending];
      pending.clear();
      running = running.then(async () => {
        if (signal.aborted) return;
        try {
          builder.invalidate(changed);
          const result = builder.build();
          refresh(result);
          await options.onBuild(result, changed);
        } catch (error) {
          options.onError?.(error);
        }
      });
    }, debounceMs);
  };

  const add = (dir: string, recursive: boolean) => {
    if (watchers.has(dir)) return;
    try {
      const watcher = watch(dir, { recursive, persistent: true }, (_event, name) => {
        if (name) schedule(path.join(dir, name.toString()));
      });
      watcher.on('error', () => {
        watcher.close();
        watchers.delete(dir);
      });
      watchers.set(dir, watcher);
    } catch {
      // The directory vanished; a later build that needs it watches it again.
    }
  };

  /** Watches every directory holding a file of the current build (new dependencies appear over time). */
  const refresh = (result: BuildResult) => {
    const dirs = new Set<string>();
    for (const given of paths) {
      const absolute = path.resolve(cwd, given);
      if (!recursiveRoots.includes(absolute)) dirs.add(path.dirname(absolute));
    }
    for (const skill of result.project?.skills.values() ?? []) dirs.add(path.dirname(skill.absolutePath));
    for (const dir of dirs) if (!covered(dir)) add(dir, false);
  };

  for (const root of recursiveRoots) add(root, true);
  refresh(last);

  return new Promise((resolve) => {
    const stop = () => {
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
      void running.then(() => resolve());
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
