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
  return { usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, engines: [], modelCalls: 0, toolCalls: 0, repairs: 0 };
}

/**
 * Appends `item` to `owner[key]`. Onto an empty list the item is set as a one-element array: a push
 * onto an empty `[]` reserves room for 16 elements (~144 B on Node 20), and a run's lists of engines
 * and trace entries usually hold one. Whoever reads the list reads it through `owner`.
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
