import { printRedacted, type EngineAdapter, type Provider } from '@sdl/adapters';
import type { EnginePolicyConfig } from '../middleware/policies.js';

/** One configured engine: an adapter plus its default model and config-level policies. */
export interface EngineEntry {
  readonly name: string;
  readonly provider: Provider;
  /** The model used when the skill names none for this engine. */
  readonly model: string;
  readonly adapter: EngineAdapter;
  /** Engine config `limits`, `timeout_ms`, `retry`, `circuit_breaker`. */
  readonly config?: EnginePolicyConfig;
}

/** A change of an {@link EngineRegistry}, as its `onChange` listeners receive it. */
export type RegistryChange =
  | { type: 'set'; name: string; replaced: boolean }
  | { type: 'remove'; name: string }
  | { type: 'default'; name: string | undefined };

/**
 * The engines a runtime can call, changeable while it runs. Entries are immutable snapshots:
 * a call captures its entry when it starts, so replacing or removing an engine affects new
 * calls only and in-flight calls finish on the adapter they started with.
 */
export class EngineRegistry {
  private entries = new Map<string, EngineEntry>();
  private defaultName: string | undefined;
  private readonly listeners = new Set<(change: RegistryChange) => void>();

  constructor(entries: EngineEntry[] = [], defaultEngine?: string) {
    for (const e of entries) this.entries.set(e.name, Object.freeze({ ...e }));
    if (defaultEngine !== undefined) this.setDefaultEngine(defaultEngine);
    // Adapters hold API keys: the registry prints its engines' names, providers and models only.
    printRedacted(this, 'EngineRegistry', () => ({
      default: this.defaultEngine,
      engines: [...this.entries.values()].map(({ name, provider, model }) => ({ name, provider, model })),
    }));
  }

  /** Adds or replaces an engine. */
  set(entry: EngineEntry): void {
    const replaced = this.entries.has(entry.name);
    this.entries.set(entry.name, Object.freeze({ ...entry }));
    this.notify({ type: 'set', name: entry.name, replaced });
  }

  /** Removes an engine (clearing the default when it was the default); `true` when it was registered. */
  remove(name: string): boolean {
    const removed = this.entries.delete(name);
    if (removed) {
      if (this.defaultName === name) this.defaultName = undefined;
      this.notify({ type: 'remove', name });
    }
    return removed;
  }

  /** Replaces every engine at once (a config reload), keeping the default if it still exists. */
  replaceAll(entries: EngineEntry[], defaultEngine?: string): void {
    const next = new Map<string, EngineEntry>();
    for (const e of entries) next.set(e.name, Object.freeze({ ...e }));
    const nextDefault = defaultEngine ?? (this.defaultName && next.has(this.defaultName) ? this.defaultName : undefined);
    if (nextDefault !== undefined && !next.has(nextDefault)) {
      throw new Error(`default engine "${nextDefault}" is not among the engines: ${[...next.keys()].join(', ')}`);
    }
    this.entries = next;
    this.defaultName = nextDefault;
    for (const e of entries) this.notify({ type: 'set', name: e.name, replaced: true });
    this.notify({ type: 'default', name: nextDefault });
  }

  /** The engine of that name, or `undefined`. */
  get(name: string): EngineEntry | undefined {
    return this.entries.get(name);
  }

  /** The engine names in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Makes `name` the engine new calls use when they name none. */
  setDefaultEngine(name: string): void {
    if (!this.entries.has(name)) {
      throw new Error(`cannot make "${name}" the default engine: no such engine (known: ${this.names().join(', ') || 'none'})`);
    }
    this.defaultName = name;
    this.notify({ type: 'default', name });
  }

  get defaultEngine(): string | undefined {
    return this.defaultName ?? this.entries.keys().next().value;
  }

  /** The runtime's order: the default engine first, then the others in registration order. */
  order(): string[] {
    const first = this.defaultEngine;
    return first === undefined ? [] : [first, ...this.names().filter((n) => n !== first)];
  }

  /** Subscribes to every change (engines set, removed, default changed); returns the unsubscribe function. */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(change: RegistryChange): void {
    for (const l of this.listeners) l(change);
  }
}
