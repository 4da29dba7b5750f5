import type { JsonValue, Usage } from '@sdl/adapters';
import type { RunTrace } from '../observability/run-trace.js';

/** One entry per step execution (one per item for `for_each` steps), in completion order. */
export interface TraceEntry {
  skill: string;
  path: string[];
  step: string;
  index?: number;
  status: 'ok' | 'skipped' | 'error';
  /** Engines that served the step's model calls (prompt steps). */
  engines: string[];
  usage: Usage;
  costUsd: number;
  /** Model round trips: tool-loop iterations and repairs included. */
  modelCalls: number;
  toolCalls: number;
  repairs: number;
  startedAt: number;
  durationMs: number;
  error?: string;
  /** For `memory.summarize` entries: the turns the session's summary covers after this fold. */
  summary?: { from: number; through: number };
}

/** What `runtime.run` resolves to. */
export interface RunResult {
  output: JsonValue;
  /** Tokens over every model call of the run, nested skills included. */
  usage: Usage;
  /** US dollars, from the model descriptors' prices (0 for engines without a price). */
  cost: number;
  /** Names of the engines that served model calls, in first-use order. */
  engines: string[];
  trace: TraceEntry[];
  /** The full run trace, when the run was started with `trace: true` (`RunOptions.trace`). */
  runTrace?: RunTrace;
}
