/**
 * The state one run carries through the scheduler: services from the runtime, the combined abort
 * signal (caller + deadline), the event sink, and the accounting (usage, cost, engines, trace)
 * that nested `use:` runs share with their parent.
 */
import type { Message, Usage } from '@sdl/adapters';
import type { PreparedSkill } from '../load/prepare.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { CallModel, EngineBinding } from './call-model.js';
import type { CancelScope } from './cancellation.js';
import type { RunEvent } from './events.js';
import type { TraceEntry } from './result.js';
import type { ConversationStore } from './session.js';
import type { DurableRun } from './durable.js';
import type { ObservationScope } from '../observability/telemetry.js';
import type { PromptStep } from '../load/loaded-skill.js';
import type { SessionSummary } from './summary.js';

/** What the runtime lends every run. */
export interface RuntimeServices {
  engines: ReadonlyMap<string, EngineBinding>;
  tools: ToolRegistry;
  callModel: CallModel;
  /** Repair round trips after an invalid structured reply. */
  repairAttempts: number;
  /** Items of one `for_each` step running at once when the step sets no `concurrency`. */
  defaultForEachConcurrency: number;
  now(): number;
  /** The directory local attachment files are read from; undefined: none are. */
  mediaRoot?: string;
}

/** Conversation memory of the run's session, loaded before the first prompt step. */
export interface SessionState {
  id: string;
  store: ConversationStore;
  maxTurns?: number;
  ttlMs?: number;
  history?: Promise<Message[]>;
  /** Turns produced by this run, appended to the store when the run succeeds. */
  newTurns: Array<{ message: Message; engine?: string }>;
  /** `memory.summarize`, resolved (keep_recent defaulted). */
  summarize?: { engine?: string; prompt?: string; keepRecent: number };
  /** Set when the history is loaded: the stored turns with their positions, the version and the summary. */
  storedTurns?: Array<{ seq: number; message: Message }>;
  version?: number;
  summary?: SessionSummary;
  /** The run's last prompt step that added turns: the summary call is booked on it. */
  lastCall?: { frame: SkillFrame; step: PromptStep; engine: string };
}

export interface RunContext {
  /** Identifies the top-level run (shared by nested `use:` runs): per-run budgets and cost key on it. */
  runId: string;
  services: RuntimeServices;
  /** Aborted when the caller cancels, the deadline passes, or a sibling step fails. */
  cancel: CancelScope;
  /** Undefined for `run()` (nothing listens), set for `stream()`. */
  emit: ((event: RunEvent) => void) | undefined;
  /** The engine the caller asked for (`RunOptions.engine`). */
  engineOverride?: string;
  /** Epoch ms of the run's deadline, when it has one. */
  deadline?: number;
  /**
   * For expression evaluation, which is synchronous (timers cannot fire during it): true when the
   * run is cancelled or past its deadline (then the run is aborted with the deadline error first).
   * Set only when the run has a deadline, a signal or an event stream.
   */
  interrupt?: () => boolean;
  /** Shared by nested runs and by child contexts (same object). */
  totals: RunTotals;
  session?: SessionState;
  /** The run's user (`RunOptions.user`): facts of `memoryTools` are kept per user. */
  user?: string;
  /** Set for durable runs: completed top-level steps are recorded, and recorded ones are not run again. */
  durable?: DurableRun;
  /** Set when the run is observed (OpenTelemetry recording, GenAI metrics or a run trace): where its spans go. */
  obs?: ObservationScope;
}

/** Accounting for the whole run, nested `use:` runs included. */
export interface RunTotals {
  usage: Usage;
  cost: number;
  engines: string[];
  trace: TraceEntry[];
}

/**
 * A context with its own cancellation scope, aborted with the parent's: a failing step cancels its
 * siblings without cancelling the caller's run. Call `dispose()` when the scope ends.
 */
export function childContext(
  ctx: RunContext,
  siblings = true,
): { ctx: RunContext; abort(reason: unknown): void; dispose(): void } {
  const { scope, dispose } = ctx.cancel.child(siblings);
  return { ctx: { ...ctx, cancel: scope }, abort: (reason) => scope.abort(reason), dispose };
}

/** One skill being run inside a run: the top-level skill or a nested `use:` dependency. */
export interface SkillFrame {
  prepared: PreparedSkill;
  /** Step ids from the top-level skill to this frame's `use:` step. */
  path: readonly string[];
}


/**
 * The context for what runs inside an observed step or skill. A spread, then the one property set:
 * `ctx` is observed, so it already has an own `obs` and the copy keeps its shape (V8 clones the
 * object's map; `Object.assign` copies property by property, ~3x the time). A spread followed by a
 * property `ctx` does not have takes V8's slow path (~1 µs): that never happens here.
 */
export function withObservation(ctx: RunContext, obs: ObservationScope): RunContext {
  const inner = { ...ctx };
  inner.obs = obs;
  return inner;
}
