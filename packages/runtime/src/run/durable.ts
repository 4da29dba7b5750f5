/**
 * Durable runs: each completed top-level step of a run is recorded in the state store (the run's
 * snapshot), so a run interrupted by a crash is resumed by its id without redoing, or paying for,
 * the steps it already completed. The snapshot holds the skill's hash and the input, so a resume
 * runs the same skill on the same input or refuses.
 */
import type { JsonValue, Usage } from '@sdl/adapters';
import { canonicalJson } from '@sdl/compiler/core';
import { SdlRuntimeError } from './errors.js';
import type { RunTotals } from './context.js';
import { addEngine } from './step-account.js';

/** The part of a `StateStore` durable runs use. */
export interface SnapshotStore {
  /** Saves the run's snapshot, replacing the earlier one. */
  putSnapshot(runId: string, snapshot: JsonValue): Promise<void>;
  /** The run's snapshot, or undefined. */
  getSnapshot(runId: string): Promise<{ value: JsonValue; savedAt: number } | undefined>;
  /** Writes a namespaced value (the index of run ids). */
  set(namespace: string, key: string, value: JsonValue): Promise<void>;
  /** Reads a namespaced value. */
  get(namespace: string, key: string): Promise<{ value: JsonValue } | undefined>;
}

/** A completed step as recorded: its output and what it cost. */
export interface RecordedStep {
  output: JsonValue;
  usage: { input_tokens: number; output_tokens: number };
  cost: number;
  engines: string[];
  completedAt: number;
}

/** A durable run's snapshot (`format: sdl-run/1`). */
export interface RunSnapshot {
  format: 'sdl-run/1';
  runId: string;
  skill: string;
  skillHash: string;
  /** Where the skill was loaded from (for `skillc runs resume`). */
  file: string;
  input: JsonValue;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: number;
  updatedAt: number;
  /** Completed top-level steps by id. */
  steps: { [stepId: string]: RecordedStep };
  output?: JsonValue;
  error?: { code: string; message: string };
  /** How many times the run was started (1 + resumes). */
  attempts: number;
}

const INDEX_NAMESPACE = 'sdl-runs';
const INDEX_KEY = 'index';
const INDEX_LIMIT = 1000;

/** Run ids as `skillc runs list` shows them: the ids of durable runs started with this store, newest last. */
export async function listDurableRuns(store: SnapshotStore): Promise<string[]> {
  const index = await store.get(INDEX_NAMESPACE, INDEX_KEY);
  return Array.isArray(index?.value) ? (index.value as string[]) : [];
}

/** The snapshot of a durable run, or undefined. */
export async function readRunSnapshot(store: SnapshotStore, runId: string): Promise<RunSnapshot | undefined> {
  const stored = await store.getSnapshot(runId);
  const value = stored?.value as Partial<RunSnapshot> | undefined;
  return value?.format === 'sdl-run/1' ? (value as RunSnapshot) : undefined;
}

/** One durable run in progress: what was recorded, and the writes of what completes. */
export class DurableRun {
  private tail: Promise<void> = Promise.resolve();
  private constructor(
    private readonly store: SnapshotStore,
    readonly snapshot: RunSnapshot,
    private readonly now: () => number,
  ) {}

  /** Opens the run `runId`: a new one, or the recorded one when it exists (same skill and input, or an error). */
  static async open(
    store: SnapshotStore,
    runId: string,
    skill: { name: string; hash: string; file: string },
    input: JsonValue,
    now: () => number,
  ): Promise<DurableRun> {
    const existing = await readRunSnapshot(store, runId);
    if (existing !== undefined) {
      if (existing.skillHash !== skill.hash) {
        throw new SdlRuntimeError(
          'run_skill_changed',
          `run \`${runId}\` was started with another version of skill \`${existing.skill}\` (${existing.skillHash}); resume it with that version, or start a new run id`,
        );
      }
      if (canonicalJson(existing.input) !== canonicalJson(input)) {
        throw new SdlRuntimeError('run_input_changed', `run \`${runId}\` was started with another input; resume it without an input (skillc runs resume ${runId}), or start a new run id`);
      }
      // A finished run is not run again: its recorded result stands.
      if (existing.status === 'succeeded') return new DurableRun(store, existing, now);
      existing.status = 'running';
      existing.attempts += 1;
      delete existing.error;
      const run = new DurableRun(store, existing, now);
      await run.save();
      return run;
    }
    const at = now();
    const snapshot: RunSnapshot = {
      format: 'sdl-run/1', runId, skill: skill.name, skillHash: skill.hash, file: skill.file, input,
      status: 'running', startedAt: at, updatedAt: at, steps: {}, attempts: 1,
    };
    const run = new DurableRun(store, snapshot, now);
    await run.save();
    const ids = await listDurableRuns(store);
    if (!ids.includes(runId)) await store.set(INDEX_NAMESPACE, INDEX_KEY, [...ids, runId].slice(-INDEX_LIMIT));
    return run;
  }

  /** The recorded output of a completed step, or undefined when the step has to run. */
  recorded(stepId: string): RecordedStep | undefined {
    return this.snapshot.steps[stepId];
  }

  /** Adds what the recorded steps cost to a resumed run's totals, so the result counts every step once. */
  seed(totals: RunTotals): void {
    for (const step of Object.values(this.snapshot.steps)) {
      totals.usage.inputTokens += step.usage.input_tokens;
      totals.usage.outputTokens += step.usage.output_tokens;
      totals.cost += step.cost;
      for (const engine of step.engines) addEngine(totals, engine);
    }
  }

  /** Records a completed step; what it cost is read from the run's trace (its entries and its nested ones). */
  complete(stepId: string, output: JsonValue, totals: RunTotals): Promise<void> {
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let cost = 0;
    const engines: string[] = [];
    for (const entry of totals.trace) {
      if (entry.path[0] !== stepId) continue;
      usage.inputTokens += entry.usage.inputTokens;
      usage.outputTokens += entry.usage.outputTokens;
      cost += entry.costUsd;
      for (const engine of entry.engines) if (!engines.includes(engine)) engines.push(engine);
    }
    this.snapshot.steps[stepId] = {
      output, usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens }, cost, engines, completedAt: this.now(),
    };
    return this.save();
  }

  /** Marks the run finished. */
  finish(output: JsonValue): Promise<void> {
    this.snapshot.status = 'succeeded';
    this.snapshot.output = output;
    return this.save();
  }

  /** Marks the run failed (it can be resumed). */
  fail(error: unknown): Promise<void> {
    this.snapshot.status = 'failed';
    this.snapshot.error = {
      code: error instanceof SdlRuntimeError ? error.code : ((error as { kind?: string })?.kind ?? 'error'),
      message: error instanceof Error ? error.message : String(error),
    };
    return this.save();
  }

  /** Writes the snapshot; writes of one run go one after another, each holding everything so far. */
  private save(): Promise<void> {
    const write = this.tail.then(() => {
      this.snapshot.updatedAt = this.now();
      return this.store.putSnapshot(this.snapshot.runId, this.snapshot as unknown as JsonValue);
    });
    this.tail = write.catch(() => {});
    return write;
  }
}
