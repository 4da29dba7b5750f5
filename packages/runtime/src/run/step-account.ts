import type { Usage } from '@sdl/adapters';

/** Per step (per item) accounting, copied into the trace when the step ends. */
export interface StepAccount {
  usage: Usage;
  costUsd: number;
  engines: string[];
  modelCalls: number;
  toolCalls: number;
  repairs: number;
}

export function newStepAccount(): StepAccount {
  return { usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, engines: noneYet(), modelCalls: 0, toolCalls: 0, repairs: 0 };
}

/**
 * The engines or trace entries of a step or run that has none yet: one shared frozen array that
 * {@link append} replaces (an empty `[]` per list was 32 B, three per run). Never handed out as it is:
 * what leaves the runtime goes through {@link owned}.
 */
const NONE: readonly never[] = Object.freeze([]);

export function noneYet<T>(): T[] {
  return NONE as never[];
}

/** `list`, or a fresh empty array for {@link noneYet}'s (results, trace entries and run traces may be changed by their holder). */
export function owned<T>(list: T[]): T[] {
  return (list as readonly unknown[]) === NONE ? [] : list;
}

/**
 * Appends `item` to `owner[key]`. Onto an empty list the item is set as a one-element array: a push
 * onto an empty `[]` reserves room for 16 elements (~144 B on Node 20), and a run's lists of engines
 * and trace entries usually hold one. Whoever reads the list reads it through `owner`, after the run.
 */
export function append<K extends string, O extends Record<K, unknown[]>>(owner: O, key: K, item: O[K][number]): void {
  const list = owner[key];
  if (list.length === 0) owner[key] = [item] as O[K];
  else list.push(item);
}

/** Adds `engine` to `owner.engines` unless it is there (first-use order). */
export function addEngine(owner: { engines: string[] }, engine: string): void {
  if (!owner.engines.includes(engine)) append(owner, 'engines', engine);
}
