import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { CONFIG_CODES, createEngine, loadConfig, type ConfigResult, type CredentialCallback, type EngineConfig, type SdlConfig } from '@sdl/adapters';
import type { Diagnostic } from '@sdl/compiler';
import { noopLogger, type Logger } from '../observability/logger.js';
import { systemClock, type Clock } from '../time/clock.js';
import type { EngineEntry, EngineRegistry } from './registry.js';

/** Turns one validated engine config into a registry entry (builds its adapter). */
export function engineEntryFromConfig(engine: EngineConfig): EngineEntry {
  return entryOf(engine, createEngine(engine));
}

/** Options of {@link engineEntriesFromConfig}. */
export interface EngineEntriesOptions {
  /**
   * Host callbacks the keys come from instead of `api_key`, by engine name: keys that rotate
   * (spec/config.md, "Keys that rotate").
   */
  credentials?: Record<string, CredentialCallback>;
}

/** Every engine of a loaded config as registry entries, with keys from host callbacks where given. */
export function engineEntriesFromConfig(config: SdlConfig, options: EngineEntriesOptions = {}): EngineEntry[] {
  return Object.values(config.engines).map((engine) => {
    const credential = options.credentials?.[engine.name];
    return entryOf(engine, createEngine(engine, credential ? { credential } : {}));
  });
}

function entryOf(engine: EngineConfig, adapter: EngineEntry['adapter']): EngineEntry {
  const config: EngineEntry['config'] = {};
  if (engine.limits) config.limits = { ...engine.limits };
  if (engine.timeoutMs !== undefined) config.timeout_ms = engine.timeoutMs;
  return { name: engine.name, provider: engine.provider, model: engine.model, adapter, config };
}

/** The result of {@link ConfigWatcher.reload}: the new config that was swapped in, or the diagnostics of an invalid file (the old config stays). */
export type ReloadOutcome =
  | { ok: true; config: SdlConfig }
  | { ok: false; diagnostics: Diagnostic[] };

/** Options of {@link ConfigWatcher}. */
export interface ConfigWatcherOptions {
  file: string;
  registry: EngineRegistry;
  /** Reads and validates the file; default `loadConfig` from @sdl/adapters. */
  load?: (file: string) => Promise<ConfigResult>;
  /** Turns each configured engine into a registry entry; default {@link engineEntryFromConfig} (tests pass scripted adapters). */
  toEntry?: (engine: EngineConfig) => EngineEntry;
  /** Called after a valid file was swapped in. */
  onReload?: (config: SdlConfig) => void;
  /** Called with file:line:col diagnostics when a changed file is invalid; the running config stays. */
  onInvalid?: (diagnostics: Diagnostic[]) => void;
  /** Editors write in bursts; changes within this window reload once. Default 100 ms. */
  debounceMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Watches `sdl.config.yaml` and hot-reloads the engines: the file is read and validated in full,
 * every adapter is built, and only then is the registry swapped in one step (replaceAll), so a
 * call sees either the old engines or the new ones. An invalid file is reported (with
 * diagnostics) and the running config is kept. In-flight calls finish on the adapters they
 * started with. The directory is watched, not the file, so editors that save by rename work.
 */
export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private cancelTimer: (() => void) | undefined;
  private running: Promise<ReloadOutcome> | undefined;
  private again = false;
  private readonly file: string;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: ConfigWatcherOptions) {
    this.file = resolve(options.file);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? noopLogger;
  }

  /** Starts watching (does not reload by itself; call `reload()` for the first load if needed). */
  start(): this {
    const name = basename(this.file);
    this.watcher = watch(dirname(this.file), (_event, changed) => {
      if (changed === null || changed.toString() === name) this.schedule();
    });
    this.watcher.on('error', (error) => this.logger.error('config watch failed', { file: this.file, error }));
    return this;
  }

  /** Stops watching and cancels a pending debounced reload. */
  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.cancelTimer?.();
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = this.clock.setTimer(this.options.debounceMs ?? 100, () => {
      this.cancelTimer = undefined;
      void this.reload();
    });
  }

  /** Reads, validates and swaps the config now (also what a SIGHUP handler would call). */
  reload(): Promise<ReloadOutcome> {
    if (this.running) {
      this.again = true; // a change arrived mid-reload: read once more afterwards
      return this.running;
    }
    this.running = this.reloadOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.running;
  }

  private async reloadOnce(): Promise<ReloadOutcome> {
    const result = await (this.options.load ?? ((f: string) => loadConfig(f)))(this.file);
    if (!result.config) return this.invalid(result.diagnostics);
    let entries: EngineEntry[];
    try {
      entries = Object.values(result.config.engines).map(this.options.toEntry ?? engineEntryFromConfig);
      this.options.registry.replaceAll(entries, result.config.defaultEngine);
    } catch (error) {
      // The loader validated the file, so this is rare (e.g. an adapter refusing its options).
      return this.invalid([
        {
          code: CONFIG_CODES.invalidValue,
          severity: 'error',
          message: `the engines in this file could not be started: ${(error as Error).message}`,
          file: this.file,
          range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
          hint: 'fix the engine entry; the running configuration is kept',
        },
      ]);
    }
    this.logger.info('engine config reloaded', { file: this.file, engines: Object.keys(result.config.engines) });
    this.options.onReload?.(result.config);
    return { ok: true, config: result.config };
  }

  private invalid(diagnostics: Diagnostic[]): ReloadOutcome {
    this.logger.warn('engine config is invalid; keeping the running config', {
      file: this.file,
      problems: diagnostics.map((d) => `${d.file}:${d.range.start.line}:${d.range.start.column} ${d.message}`),
    });
    this.options.onInvalid?.(diagnostics);
    return { ok: false, diagnostics };
  }
}
