import type { JsonValue, Usage } from '@sdl/adapters';

/** One input of a batch: its 1-based line in the input file, its `id` when the input has one, and the value. */
export interface BatchItem {
  /** 1-based line number in the input file (or position in the list). */
  line: number;
  /** The input's own `id`, when it has one (carried into its result line). */
  id?: string;
  /** The skill input. */
  input: unknown;
}

/** Why a batch item failed: a stable code, a message without secrets, and how many attempts were made. */
export interface BatchFailure {
  /** A stable code: a runtime error's `code`, `engine_<kind>` for engine errors, `batch_*` for the queue's own. */
  code: string;
  /** What went wrong (never a key or prompt text the caller did not send). */
  message: string;
}

/** The end of one batch item: its result or its failure, with the item's line and id. */
export type BatchOutcome =
  | {
      ok: true;
      line: number;
      id?: string;
      /** Content hash of skill and input; what resuming keys completed lines by. */
      key: string;
      output: JsonValue;
      usage: Usage;
      cost: number;
      engines: string[];
      attempts: number;
    }
  | {
      ok: false;
      line: number;
      id?: string;
      key: string;
      error: BatchFailure;
      attempts: number;
    };

/** Progress of a running batch, reported about once a second and at the end. */
export interface BatchProgress {
  /** Items in the batch (skipped ones included). */
  total: number;
  /** Items finished, in this run or an earlier one. */
  done: number;
  /** Finished before this run started (resumed). */
  skipped: number;
  succeeded: number;
  failed: number;
  /** US dollars of the items finished in this run. */
  cost: number;
  /** Items per second finished in this run so far. */
  rate: number;
  /** Seconds left at the current rate (undefined until there is a rate). */
  etaSeconds?: number;
  /** Milliseconds since this run started. */
  elapsedMs: number;
}

/** What {@link Runtime.batch} resolves to. */
export interface BatchSummary extends BatchProgress {
  /** Tokens of the items finished in this run. */
  usage: Usage;
}

/** The payload of one queue job; it never holds a key or a config, only the skill's reference and the input. */
export interface BatchJobData {
  /** The batch's id: where the outcome is reported. */
  batch: string;
  /** Content hash of skill and input (also the job id's tail). */
  key: string;
  /** Which skill: its content hash, and a path relative to the project for workers on other machines. */
  skill: { hash: string; ref?: string };
  input: unknown;
  /** Engine to start on (`RunOptions.engine`). */
  engine?: string;
  /** Per-run deadline in milliseconds. */
  deadlineMs?: number;
  /** W3C `traceparent` of the span around `runtime.batch`: each job's run span is its child. */
  traceparent?: string;
}

/** An outcome as a worker reports it: keyed by job, not yet by line (several lines may share one input). */
export type ReportedOutcome =
  | { key: string; ok: true; output: JsonValue; usage: Usage; cost: number; engines: string[]; attempts: number }
  | { key: string; ok: false; error: BatchFailure; attempts: number };
