/**
 * `createRuntime`: the host application's entry point. Holds engines, tools and the state store,
 * resolves skills at load (engines for `requires:`, tools, dependent skills) and runs them —
 * `run()` for the result, `stream()` for typed events — on the same machinery.
 */
import { findModel, type JsonValue } from '@sdl/adapters';
import type { LoadedSkill } from './load/loaded-skill.js';
import { prepareSkill, type PreparedSkill } from './load/prepare.js';
import type { DescribeModel } from './load/requirements.js';
import { SkillResolutionError } from './load/resolution-error.js';
import { ToolRegistry, type HostTool } from './tools/registry.js';
import type { EngineRouter } from './engines/router.js';
import { callAdapterDirectly, type CallModel, type EngineBinding } from './run/call-model.js';
import { callModelThroughRouter } from './run/router-call.js';
import { CancelScope } from './run/cancellation.js';
import type { RunContext, RuntimeServices, SessionState, SkillFrame } from './run/context.js';
import { DeadlineExceededError, InputValidationError, RunCancelledError, SdlRuntimeError } from './run/errors.js';
import { EventChannel, type RunEvent } from './run/events.js';
import type { RunResult } from './run/result.js';
import { runSkill } from './run/scheduler.js';
import { randomRunId } from './run/run-id.js';
import { evaluationInterrupt } from './run/interrupt.js';
import { saveSessionTurns, sessionHistory, type ConversationStore } from './run/session.js';
import { MemoryStore } from './state/memory-store.js';
import type { BatchOptions } from './batch/run-batch.js';
import type { ProviderBatchOptions } from './batch/provider-batch.js';
import { DurableRun, type SnapshotStore } from './run/durable.js';
import type { BatchItem, BatchSummary } from './batch/types.js';
import type { McpServerConfig } from '@sdl/adapters';
import { McpServers } from './mcp/servers.js';
import { Telemetry, type TelemetryOptions } from './observability/telemetry.js';
import type { Context } from '@opentelemetry/api';

/** Time as the runtime needs it; the `Clock` of `time/` (and its `FakeClock`) fits. */
export interface RuntimeClock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds; the returned function cancels the timer. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** Structured log sink; messages never contain keys or prompt text. */
export interface RuntimeLogger {
  /** Fine-grained detail (per call); usually off. */
  debug?(message: string, fields?: Record<string, unknown>): void;
  /** One line per run (skill, duration, engines, tokens). */
  info?(message: string, fields?: Record<string, unknown>): void;
  /** A run that failed, with the error's name and code (never its prompt text). */
  warn?(message: string, fields?: Record<string, unknown>): void;
  /** Failures of the runtime itself. */
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** What {@link createRuntime} needs: engines (or a router), host tools, state, and optional services. */
export interface RuntimeOptions {
  /** Engines by config name (not needed with `router`, whose registry supplies them). */
  engines?: Record<string, EngineBinding> | ReadonlyMap<string, EngineBinding>;
  /**
   * The engine router (registry + middleware chain + failover). With it, model calls go through
   * the chain, engines come from its registry, and registry changes apply to new runs at once.
   */
  router?: EngineRouter;
  /** The engine preferred after a skill's own `engines.prefer`. */
  defaultEngine?: string;
  /**
   * Refuse at load (`SkillResolutionError`) a skill naming an engine — in `engines.prefer`,
   * `engines.models` or a step's `engine` — that this runtime does not have, with a did-you-mean,
   * instead of skipping the name. On by default; `strictEngines: false` is for hosts that serve
   * skills written for more engines than they configure, and skips the names it does not have.
   */
  strictEngines?: boolean;
  /** Host tools by name (more can be registered later on `runtime.tools`). */
  tools?: Record<string, HostTool>;
  /**
   * MCP servers whose tools skills may use: the config's `mcp:` section (`config.mcp`) or an
   * {@link McpServers}. A skill's declared tools that no host tool serves are bound to server
   * tools on its first run or {@link Runtime.prepare} (see spec/mcp.md); connections start then
   * and close with {@link Runtime.close}.
   */
  mcp?: Record<string, McpServerConfig> | McpServers;
  /** Conversation memory (any `StateStore`: memory, file, Redis); an in-process `MemoryStore` by default. */
  state?: ConversationStore;
  logger?: RuntimeLogger;
  /** The model-call seam; defaults to the router when given, else to calling the adapter directly. */
  callModel?: CallModel;
  /** Finds model descriptors (for `requires:` and cost); defaults to the adapters' `models.json` (`findModel`). */
  describeModel?: DescribeModel;
  /** Repair round trips after a reply that is not valid for its schema (default 1). */
  repairAttempts?: number;
  /** `for_each` items in flight when a step sets no `concurrency` (default 8). */
  forEachConcurrency?: number;
  clock?: RuntimeClock;
  /**
   * The one directory that file paths named in inputs (`attach:` values) may be read from; default:
   * none, so local paths are refused. Paths must stay inside it (links are followed first).
   */
  mediaRoot?: string;
  /**
   * OpenTelemetry: spans per run, step, model call, engine hop, attempt and tool call, and the
   * GenAI client metrics, through `@opentelemetry/api` (the global providers by default; nothing
   * is recorded when the host registers none). See `spec/observability.md`.
   */
  telemetry?: TelemetryOptions;
}

/** Per-run options of {@link Runtime.run} and {@link Runtime.stream}. */
export interface RunOptions {
  /** Conversation id; history is loaded and appended when the skill has `memory.conversation`. */
  session?: string;
  /** Whose memory the run reads and writes across sessions (`memoryTools`: `remember` / `recall`). */
  user?: string;
  /** Engine to use when it qualifies for the skill (overrides `engines.prefer`). */
  engine?: string;
  /** Aborts every in-flight model and tool call; the run rejects with {@link RunCancelledError}. */
  signal?: AbortSignal;
  /** Budget in milliseconds from the start of the run; past it the run rejects with {@link DeadlineExceededError}. */
  deadlineMs?: number;
  /**
   * Makes the run durable: each completed top-level step is recorded under `runId` in `store`
   * (default: the runtime's `state`), and running the same id again resumes it, skipping (and not
   * billing again) the recorded steps. See `spec/runtime.md`, Durable runs.
   */
  durable?: { runId: string; store?: SnapshotStore };
  /**
   * Records the run trace (`RunResult.runTrace`): every step, model call (rendered prompt and
   * reply, redacted), engine hop, attempt and tool call with timings, tokens and cost, in one JSON
   * document (schema: `spec/run-trace.schema.json`). On failure the error carries it as `runTrace`.
   */
  trace?: boolean;
  /** The OpenTelemetry context whose span is the parent of the run's span (default: the active context). */
  traceContext?: Context;
  /** The run's id in logs and engine calls (a server hands it to its caller); a random UUID by default, `durable.runId` when durable. */
  runId?: string;
}

/** A runtime: engines, tools and state shared by every run. See `spec/runtime.md`. */
export interface Runtime {
  /** The host tools skills may use; register more at any time (skills resolve again on next load). */
  readonly tools: ToolRegistry;
  /** Resolves a skill now (instead of on first run); throws {@link SkillResolutionError} listing every problem. */
  load(skill: LoadedSkill): PreparedSkill;
  /**
   * Like {@link Runtime.load}, after binding the skill's tools to MCP servers (connecting to them
   * if needed); `run` and `stream` do this on a skill's first run.
   */
  prepare(skill: LoadedSkill): Promise<PreparedSkill>;
  /** The MCP servers of this runtime (none configured: an empty set). */
  readonly mcp: McpServers;
  /** Closes what the runtime opened: MCP connections (stdio servers are stopped). Runs may not start afterwards. */
  close(): Promise<void>;
  /** Runs a skill to completion; rejects with a typed error (see `spec/runtime.md`, Errors). */
  run(skill: LoadedSkill | PreparedSkill, input: unknown, options?: RunOptions): Promise<RunResult>;
  /** Events of one run; ends with `done` (carrying the result) or `error`. Breaking out cancels the run. */
  stream(skill: LoadedSkill | PreparedSkill, input: unknown, options?: RunOptions): AsyncIterableIterator<RunEvent>;
  /** Adds or replaces an engine without a restart; runs already going keep the binding they started with. */
  setEngine(name: string, binding: EngineBinding): void;
  /** Removes an engine for runs that start afterwards. */
  removeEngine(name: string): boolean;
  /** Makes `name` preferred after a skill's own `engines.prefer`, for runs that start afterwards. */
  setDefaultEngine(name: string | undefined): void;
  /** Configured engine names, the default first. */
  engineNames(): string[];
  /**
   * Runs a skill over many inputs, one BullMQ job per distinct input in Redis, taken by workers in
   * this process and in `skillc worker` processes; resumable (see `spec/runtime.md`, Batch runs).
   * BullMQ loads on the first call.
   */
  batch(skill: LoadedSkill | PreparedSkill, items: Iterable<BatchItem> | AsyncIterable<BatchItem>, options: BatchOptions): Promise<BatchSummary>;
  /**
   * Runs a skill over many inputs through the provider's batch API (Anthropic Message Batches,
   * OpenAI Batch) of `options.engine`, at the batch price; polled with backoff, resumable through
   * Redis (see `spec/batch.md`, Provider batches).
   * @throws ProviderBatchUnsupportedError when the engine has no batch API.
   */
  providerBatch(skill: LoadedSkill | PreparedSkill, items: Iterable<BatchItem> | AsyncIterable<BatchItem>, options: ProviderBatchOptions): Promise<BatchSummary>;
}

const systemClock: RuntimeClock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

function isPrepared(skill: LoadedSkill | PreparedSkill): skill is PreparedSkill {
  return 'skill' in skill && 'inputValidator' in skill;
}

/**
 * The steps of a run with conversation memory or durability: the history is loaded up front (so a
 * store failure is reported as itself), the new turns are saved and the durable run finished after.
 */
async function runWithState(
  ctx: RunContext,
  frame: SkillFrame,
  input: JsonValue,
  session: SessionState | undefined,
  durable: DurableRun | undefined,
): Promise<JsonValue> {
  if (session !== undefined) await sessionHistory(session);
  const output = await runSkill(ctx, frame, input);
  if (session !== undefined) await saveSessionTurns(session, ctx);
  if (durable !== undefined) await durable.finish(output);
  return output;
}

/** The top-level frame of each prepared skill (frames are never changed): one object, not one per run. */
const rootFrames = new WeakMap<PreparedSkill, SkillFrame>();
const ROOT_PATH: readonly string[] = Object.freeze([]);

function rootFrame(prepared: PreparedSkill): SkillFrame {
  let frame = rootFrames.get(prepared);
  if (frame === undefined) {
    frame = { prepared, path: ROOT_PATH };
    rootFrames.set(prepared, frame);
  }
  return frame;
}

/**
 * Aborts `cancel` when the caller's signal aborts, the deadline passes or the event stream closes;
 * returns what undoes those links, called once the run has settled.
 */
function linkCancellation(
  cancel: CancelScope,
  clock: RuntimeClock,
  signal: AbortSignal | undefined,
  deadlineMs: number | undefined,
  streamClosed: CancelScope | undefined,
): () => void {
  let onCallerAbort: (() => void) | undefined;
  if (signal !== undefined) {
    onCallerAbort = () => cancel.abort(new RunCancelledError(signal.reason));
    if (signal.aborted) onCallerAbort();
    else signal.addEventListener('abort', onCallerAbort, { once: true });
  }
  const cancelDeadline = deadlineMs === undefined ? undefined : clock.setTimer(deadlineMs, () => cancel.abort(new DeadlineExceededError(deadlineMs)));
  const unlinkStream = streamClosed?.onAbort(() => cancel.abort(new RunCancelledError('the event stream was closed')));
  return () => {
    cancelDeadline?.();
    if (onCallerAbort !== undefined) signal!.removeEventListener('abort', onCallerAbort);
    unlinkStream?.();
  };
}

/** The options of a call that passes none (read only; one object instead of a fresh `{}` per run). */
const NO_OPTIONS: RunOptions = Object.freeze({});

/**
 * Creates a runtime for a host application.
 *
 * @example
 * ```ts
 * import { ScriptedAdapter } from '@sdl/adapters';
 * import { createRuntime, loadSkillFile } from '@sdl/runtime';
 *
 * // Offline: a scripted engine; in production an AnthropicAdapter/OpenAIAdapter/CohereAdapter or a router.
 * const engine = new ScriptedAdapter({ replies: { triage: '{"category": "billing", "priority": "high", "language": "ja"}' } });
 * const runtime = createRuntime({ engines: { openai: { adapter: engine, model: 'gpt-5-mini' } } });
 * const skill = await loadSkillFile('skills/classify-ticket.skill.yaml');
 * const input = { subject: '返金について', body: '先週キャンセルした注文の返金がまだ届いていません。', customer_tier: 'pro' };
 *
 * const { output, usage, cost } = await runtime.run(skill, input, { deadlineMs: 30_000 });
 * for await (const event of runtime.stream(skill, input)) {
 *   if (event.type === 'done') console.log(event.result.output);
 * }
 * ```
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const router = options.router;
  const describeModel: DescribeModel = options.describeModel ?? findModel;
  const fromRegistry = (): Map<string, EngineBinding> => {
    const bindings = new Map<string, EngineBinding>();
    if (router === undefined) return bindings;
    for (const name of router.registry.order()) {
      const entry = router.registry.get(name)!;
      const descriptor = describeModel(entry.provider, entry.model);
      bindings.set(name, { adapter: entry.adapter, model: entry.model, ...(descriptor ? { descriptor } : {}) });
    }
    return bindings;
  };
  let engines =
    options.engines === undefined
      ? fromRegistry()
      : new Map(options.engines instanceof Map ? options.engines : Object.entries(options.engines));
  let defaultEngine = options.defaultEngine;
  const tools = new ToolRegistry(options.tools);
  const clock = options.clock ?? systemClock;
  // One reader of the clock for every run's telemetry, not a closure per run.
  const clockNow = () => clock.now();
  const logger = options.logger;
  const state: ConversationStore = options.state ?? new MemoryStore();
  const telemetry = new Telemetry(options.telemetry);
  // Prepared skills are cached per skill object; changing engines starts a new generation.
  let cache = new WeakMap<LoadedSkill, PreparedSkill>();
  const ordered = (): ReadonlyMap<string, EngineBinding> => {
    if (defaultEngine === undefined || !engines.has(defaultEngine)) return engines;
    return new Map([[defaultEngine, engines.get(defaultEngine)!], ...engines]);
  };
  const services = (): RuntimeServices => ({
    engines,
    tools,
    callModel: options.callModel ?? (router ? callModelThroughRouter(router) : callAdapterDirectly),
    repairAttempts: options.repairAttempts ?? 1,
    defaultForEachConcurrency: options.forEachConcurrency ?? 8,
    now: () => clock.now(),
    ...(options.mediaRoot === undefined ? {} : { mediaRoot: options.mediaRoot }),
  });
  let currentServices = services();
  const changed = () => {
    cache = new WeakMap();
    currentServices = services();
  };
  if (router !== undefined && options.engines === undefined) {
    // Hot switching: a registry change re-resolves skills for runs that start after it.
    router.registry.onChange(() => {
      engines = fromRegistry();
      defaultEngine = router.registry.defaultEngine;
      changed();
    });
  }

  const mcp = options.mcp instanceof McpServers ? options.mcp : new McpServers(options.mcp ?? {});
  // Skills whose tools were bound to MCP servers already (a binding holds for the runtime's life).
  const bound = new WeakSet<LoadedSkill>();
  /** The skill's tools still have to be bound to this runtime's MCP servers. */
  const needsBinding = (skill: LoadedSkill): boolean => !bound.has(skill) && mcp.size > 0;
  const prepare = async (skill: LoadedSkill): Promise<PreparedSkill> => {
    if (needsBinding(skill)) {
      const { problems } = await mcp.bind(skill, tools);
      if (problems.length > 0) {
        // Reported with what loading finds besides (other tools, engines), all at once.
        let others: SkillResolutionError['problems'] = [];
        try {
          load(skill);
        } catch (error) {
          if (!(error instanceof SkillResolutionError)) throw error;
          others = error.problems.filter((p) => !problems.some((q) => q.kind === p.kind && q.subject === p.subject));
        }
        throw new SkillResolutionError(skill.name, skill.file, [...problems, ...others]);
      }
      bound.add(skill);
    }
    return load(skill);
  };

  let toolsVersion = tools.version;
  const load = (skill: LoadedSkill): PreparedSkill => {
    if (tools.version !== toolsVersion) {
      // A tool was registered, replaced or removed: resolve skills again.
      toolsVersion = tools.version;
      cache = new WeakMap();
    }
    let prepared = cache.get(skill);
    if (prepared === undefined) {
      prepared = prepareSkill(skill, {
        engines: ordered(),
        tools,
        describeModel,
        strictEngines: options.strictEngines !== false,
      });
      cache.set(skill, prepared);
    }
    return prepared;
  };

  /**
   * Runs a skill, reporting events to `emit` when given; the one path under both `run` and `stream`.
   * Never throws: every failure is a rejection. Not `async`, nor is the run below it: a plain run
   * (no MCP binding, durability or session) waits for nothing but its steps, in one `then` (an async
   * frame of this size and its await cost ~0.7 KB per call).
   */
  const execute = (
    skill: LoadedSkill | PreparedSkill,
    input: unknown,
    runOptions: RunOptions,
    emit: ((event: RunEvent) => void) | undefined,
    streamClosed?: CancelScope,
  ): Promise<RunResult> => {
    try {
      // A skill already bound (or a runtime without MCP servers) is prepared without a promise round.
      if (isPrepared(skill)) return start(skill, input, runOptions, emit, streamClosed);
      if (!needsBinding(skill)) return start(load(skill), input, runOptions, emit, streamClosed);
      return prepare(skill).then((prepared) => start(prepared, input, runOptions, emit, streamClosed));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /** Checks the input and the engine asked for, opens the durable run when there is one, and runs. May throw. */
  const start = (
    prepared: PreparedSkill,
    input: unknown,
    runOptions: RunOptions,
    emit: ((event: RunEvent) => void) | undefined,
    streamClosed: CancelScope | undefined,
  ): Promise<RunResult> => {
    const checked = prepared.inputValidator.validate(input ?? {});
    if (!checked.ok) throw new InputValidationError(prepared.skill.name, checked.problems);

    if (runOptions.engine !== undefined) {
      const qualification = prepared.engineQualifications.find((q) => q.engine === runOptions.engine);
      if (qualification === undefined) {
        throw new SdlRuntimeError('engine_unknown', `engine \`${runOptions.engine}\` is not configured (configured: ${[...engines.keys()].join(', ') || 'none'})`);
      }
      if (qualification.reasons.length > 0) {
        throw new SkillResolutionError(prepared.skill.name, prepared.skill.file, [
          { kind: 'engine', subject: runOptions.engine, reason: qualification.reasons.join('; ') },
        ]);
      }
    }
    if (runOptions.durable === undefined) return runPrepared(prepared, checked.value, runOptions, emit, streamClosed, undefined);
    return startDurable(prepared, input, checked.value, runOptions, emit, streamClosed);
  };

  /** A durable run: opened (or resumed) from its snapshot; one that already succeeded returns its output. */
  const startDurable = async (
    prepared: PreparedSkill,
    input: unknown,
    value: JsonValue,
    runOptions: RunOptions,
    emit: ((event: RunEvent) => void) | undefined,
    streamClosed: CancelScope | undefined,
  ): Promise<RunResult> => {
    const store = runOptions.durable!.store ?? (typeof (state as Partial<SnapshotStore>).putSnapshot === 'function' ? (state as unknown as SnapshotStore) : undefined);
    if (store === undefined) throw new SdlRuntimeError('run_store_missing', 'a durable run needs a state store that keeps snapshots (memory, file or redis StateStore)');
    const durable = await DurableRun.open(store, runOptions.durable!.runId, prepared.skill, (input ?? {}) as JsonValue, () => clock.now());
    if (durable.snapshot.status === 'succeeded') {
      const totals = { usage: { inputTokens: 0, outputTokens: 0 }, cost: 0, engines: [] as string[], trace: [] };
      durable.seed(totals);
      return { output: durable.snapshot.output ?? null, usage: totals.usage, cost: totals.cost, engines: totals.engines, trace: [] };
    }
    return runPrepared(prepared, value, runOptions, emit, streamClosed, durable);
  };

  /** Runs the prepared skill on its checked input: cancellation links, context, telemetry, outcome. May throw. */
  const runPrepared = (
    prepared: PreparedSkill,
    value: JsonValue,
    runOptions: RunOptions,
    emit: ((event: RunEvent) => void) | undefined,
    streamClosed: CancelScope | undefined,
    durable: DurableRun | undefined,
  ): Promise<RunResult> => {
    const callerSignal = runOptions.signal;
    const deadlineMs = runOptions.deadlineMs;
    const cancel = new CancelScope(callerSignal !== undefined || deadlineMs !== undefined || streamClosed !== undefined);
    // Links to the caller's signal, the deadline and the event stream are made only when there are
    // such things (a plain `run()` allocates no closures for them).
    const unlink = cancel.mayAbort ? linkCancellation(cancel, clock, callerSignal, deadlineMs, streamClosed) : undefined;

    const memory = prepared.skill.memory;
    let session: SessionState | undefined;
    if (runOptions.session !== undefined && memory?.conversation) {
      session = { id: runOptions.session, store: state, newTurns: [] };
      if (memory.max_turns !== undefined) session.maxTurns = memory.max_turns;
      if (memory.ttl_s !== undefined) session.ttlMs = memory.ttl_s * 1000;
      if (memory.summarize !== undefined && memory.max_turns !== undefined) {
        const keepRecent = Math.min(memory.summarize.keep_recent ?? Math.max(1, Math.floor(memory.max_turns / 2)), Math.max(1, memory.max_turns - 1));
        session.summarize = { keepRecent, ...(memory.summarize.engine ? { engine: memory.summarize.engine } : {}), ...(memory.summarize.prompt ? { prompt: memory.summarize.prompt } : {}) };
      }
    }

    const ctx: RunContext = {
      runId: runOptions.durable?.runId ?? runOptions.runId ?? randomRunId(),
      services: currentServices,
      cancel,
      emit,
      totals: { usage: { inputTokens: 0, outputTokens: 0 }, cost: 0, engines: [], trace: [] },
    };
    if (runOptions.engine !== undefined) ctx.engineOverride = runOptions.engine;
    if (deadlineMs !== undefined) ctx.deadline = clock.now() + deadlineMs;
    if (cancel.mayAbort) ctx.interrupt = evaluationInterrupt(cancel, clock, ctx.deadline, deadlineMs);
    if (session !== undefined) ctx.session = session;
    if (runOptions.user !== undefined) ctx.user = runOptions.user;
    if (durable !== undefined) {
      ctx.durable = durable;
      durable.seed(ctx.totals);
    }
    // Optional fields assigned, not spread from conditional literals (a spread mid-literal is V8's slow path).
    const runInfo: Parameters<Telemetry['startRun']>[1] = { runId: ctx.runId, trace: runOptions.trace === true, now: clockNow };
    if (session !== undefined) runInfo.sessionId = session.id;
    if (runOptions.traceContext !== undefined) runInfo.parent = runOptions.traceContext;
    const observation = telemetry.startRun(prepared.skill, runInfo);
    if (observation !== undefined) ctx.obs = observation.root;
    // Read only for the log line (a boxed number in the run's closure context otherwise).
    const startedAt = logger?.info === undefined ? 0 : clock.now();

    const failed = async (error: unknown): Promise<never> => {
      try {
        const reported = cancel.aborted ? cancel.reason : error;
        const runTrace = observation?.end({ error: reported, usage: ctx.totals.usage, cost: ctx.totals.cost, engines: ctx.totals.engines });
        if (runTrace !== undefined && reported !== null && typeof reported === 'object') {
          // Not enumerable: the error prints and serializes as before.
          Object.defineProperty(reported, 'runTrace', { value: runTrace, configurable: true, writable: true, enumerable: false });
        }
        if (durable !== undefined) await durable.fail(reported).catch(() => {});
        logger?.warn?.('run failed', { skill: prepared.skill.name, error: (reported as Error)?.name, code: (reported as SdlRuntimeError)?.code });
        throw reported;
      } finally {
        unlink?.();
      }
    };
    let pending: Promise<JsonValue>;
    try {
      cancel.throwIfAborted();
      const frame = rootFrame(prepared);
      pending = session === undefined && durable === undefined ? runSkill(ctx, frame, value) : runWithState(ctx, frame, value, session, durable);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then((output) => {
      let result: RunResult;
      try {
        const { usage, cost } = ctx.totals;
        const used = ctx.totals.engines;
        const trace = ctx.totals.trace;
        logger?.info?.('run finished', { skill: prepared.skill.name, ms: clock.now() - startedAt, engines: used, ...usage });
        result = { output, usage, cost, engines: used, trace };
        const runTrace = observation?.end({ usage, cost, engines: used });
        if (runTrace !== undefined) result.runTrace = runTrace;
      } catch (error) {
        return failed(error);
      }
      unlink?.();
      return result;
    }, failed);
  };

  const runtime: Runtime = {
    tools,
    load,
    prepare,
    mcp,
    close: () => mcp.close(),
    run: (skill, input, runOptions = NO_OPTIONS) => execute(skill, input, runOptions, undefined),
    stream(skill, input, runOptions = NO_OPTIONS) {
      const closed = new CancelScope();
      const channel = new EventChannel<RunEvent>(() => closed.abort(undefined));
      execute(skill, input, runOptions, (event) => channel.push(event), closed).then(
        (result) => {
          channel.push({ type: 'done', result });
          channel.close();
        },
        (error: unknown) => {
          channel.push({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) });
          channel.close();
        },
      );
      return channel;
    },
    setEngine(name, binding) {
      if (router !== undefined && options.engines === undefined) {
        router.registry.set({ name, provider: binding.adapter.provider, model: binding.model, adapter: binding.adapter });
        return;
      }
      engines = new Map(engines).set(name, binding);
      changed();
    },
    removeEngine(name) {
      if (router !== undefined && options.engines === undefined) return router.registry.remove(name);
      if (!engines.has(name)) return false;
      engines = new Map(engines);
      engines.delete(name);
      changed();
      return true;
    },
    setDefaultEngine(name) {
      if (router !== undefined && options.engines === undefined && name !== undefined) {
        router.registry.setDefaultEngine(name);
        return;
      }
      defaultEngine = name;
      changed();
    },
    engineNames: () => [...engines.keys()],
    batch: async (skill, items, batchOptions) => {
      const { runBatch } = await import('./batch/run-batch.js');
      return runBatch(runtime, skill, items, batchOptions);
    },
    providerBatch: async (skill, items, batchOptions) => {
      const { runProviderBatch } = await import('./batch/provider-batch.js');
      const name = batchOptions.engine ?? ordered().keys().next().value ?? '(none)';
      return runProviderBatch(runtime, { name, binding: engines.get(name) }, skill, items, batchOptions);
    },
  };
  return runtime;
}
