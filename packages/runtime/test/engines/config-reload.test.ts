import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '@sdl/compiler';
import type { SdlConfig } from '@sdl/adapters';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigWatcher, EngineRegistry } from '@sdl/runtime';

const valid = (engines: string[], def: string) =>
  `engines:\n${engines.map((e) => `  ${e}: { provider: scripted, model: ${e}-model, limits: { rpm: 60 } }`).join('\n')}\ndefault_engine: ${def}\n`;

/** Resolves with the next value passed to the returned callback. */
function nextCall<T>() {
  let resolve!: (v: T) => void;
  let promise = new Promise<T>((r) => (resolve = r));
  return {
    callback: (v: T) => {
      resolve(v);
      promise = new Promise<T>((r) => (resolve = r));
    },
    next: () => promise,
  };
}

describe('engine config hot reload', () => {
  let dir: string;
  let file: string;
  let watcher: ConfigWatcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sdl-config-'));
    file = join(dir, 'sdl.config.yaml');
  });
  afterEach(async () => {
    watcher?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('swaps a valid file in, reports an invalid one with line:col and keeps the running config', async () => {
    await writeFile(file, valid(['alpha', 'beta'], 'alpha'));
    const registry = new EngineRegistry();
    const reloaded = nextCall<SdlConfig>();
    const invalid = nextCall<Diagnostic[]>();
    watcher = new ConfigWatcher({ file, registry, debounceMs: 20, onReload: reloaded.callback, onInvalid: invalid.callback });
    expect((await watcher.reload()).ok).toBe(true);
    watcher.start();
    expect(registry.names()).toEqual(['alpha', 'beta']);
    expect(registry.get('alpha')!.config).toEqual({ limits: { rpm: 60 } });
    const alphaBefore = registry.get('alpha')!;

    // An invalid edit: a misspelled key. Reported, and nothing changes.
    const badReport = invalid.next();
    await writeFile(file, 'engines:\n  alpha: { provider: scripted, modle: x }\ndefault_engine: alpha\n');
    const diagnostics = await badReport;
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.some((d) => d.range.start.line === 2 && d.message.includes('modle'))).toBe(true);
    expect(registry.names()).toEqual(['alpha', 'beta']);
    expect(registry.get('alpha')).toBe(alphaBefore);
    expect(registry.defaultEngine).toBe('alpha');

    // A valid edit saved the way editors do (write elsewhere, rename over): swapped in at once.
    const goodReport = reloaded.next();
    await writeFile(join(dir, 'tmp.yaml'), valid(['gamma', 'beta'], 'gamma'));
    await rename(join(dir, 'tmp.yaml'), file);
    const config = await goodReport;
    expect(Object.keys(config.engines)).toEqual(['gamma', 'beta']);
    expect(registry.names()).toEqual(['gamma', 'beta']);
    expect(registry.defaultEngine).toBe('gamma');
  });

  it('an unreadable file is a diagnostic, not an exception', async () => {
    const registry = new EngineRegistry();
    watcher = new ConfigWatcher({ file: join(dir, 'missing.yaml'), registry });
    const outcome = await watcher.reload();
    expect(outcome.ok).toBe(false);
    expect(registry.names()).toEqual([]);
  });
});
