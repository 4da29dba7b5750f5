/**
 * OpenTelemetry spans and GenAI client metrics for runs, through `@opentelemetry/api` only: the host
 * brings the SDK and exporter; with none registered every call here is the API's no-op and a run
 * allocates nothing more than one non-recording span. The same observation points also fill the
 * run trace (`RunOptions.trace`). Prompt and reply text reaches spans only with `captureContent`,
 * and is redacted (every built-in kind plus the skill's own patterns) wherever it goes.
 */
import {
  context as otelContext,
  createNoopMeter,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { isEngineError, type EngineRequest, type EngineResponse, type Message, type Provider, type StopReason, type Usage } from '@sdl/adapters';
import type { LoadedSkill, LoadedStep } from '../load/loaded-skill.js';
import type { AttemptObserver, CallObserver, HopObserver } from '../middleware/types.js';
import type { EventOrigin } from '../run/events.js';
import { GENAI, GENAI_METRIC_BUCKETS, GENAI_METRICS, SDL_ATTR } from './genai-conventions.js';
import { Redactor } from './redactor.js';
import type { RunTrace, RunTraceMessage, RunTraceSpan, RunTraceSpanKind } from './run-trace.js';
import { SpanHoldingContext, withSpan } from './span-context.js';
import { SpanStatics, type SkillStatics } from './span-statics.js';

/** `RuntimeOptions.telemetry`: where spans and metrics go, and whether content is recorded. */
export interface TelemetryOptions {
  /** Default: the global provider (`trace.setGlobalTracerProvider`, the NodeSDK). */
  tracerProvider?: TracerProvider;
  /** Default: the global provider (`metrics.setGlobalMeterProvider`). */
  meterProvider?: MeterProvider;
  /**
   * Record prompts, replies and tool arguments/results on spans (`gen_ai.input.messages`,
   * `gen_ai.output.messages`, ...), redacted. Off by default, as the conventions advise.
   */
  captureContent?: boolean;
}

const INSTRUMENTATION = '@sdl/runtime';
/** Span options without attributes (the SDK does not keep or change them). */
const INTERNAL = Object.freeze({ kind: SpanKind.INTERNAL });
const NoopMeterClass = createNoopMeter().constructor;

interface GenAiMeters {
  duration: Histogram;
  tokens: Histogram;
}

/** Finish reasons in the conventions' vocabulary. */
const FINISH: Record<StopReason, string> = {
  end: 'stop',
  max_tokens: 'length',
  stop_sequence: 'stop',
  tool_use: 'tool_call',
  content_filter: 'content_filter',
} as Record<StopReason, string>;

/** `gen_ai.response.finish_reasons` values, one array per reason (the SDK copies attribute arrays). */
const FINISH_REASONS = new Map<string, readonly string[]>(Object.values(FINISH).map((reason) => [reason, Object.freeze([reason])]));

/** `error.type`: the engine error kind, the runtime error code, else the error's class name. */
export function errorTypeOf(error: unknown): string {
  if (isEngineError(error)) return error.kind;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : '_OTHER';
}

/** The runtime's telemetry: one per runtime; {@link Telemetry.startRun} observes one run. */
export class Telemetry {
  private tracer: Tracer | undefined;
  private meterProvider: MeterProvider | undefined;
  private meters: GenAiMeters | undefined;
  private readonly redactors = new WeakMap<LoadedSkill, Redactor>();
  /** Span names and fixed attribute sets, built once per skill, step and model. */
  readonly statics = new SpanStatics();

  constructor(private readonly options: TelemetryOptions = {}) {}

  /** Whether content goes on spans. */
  get captureContent(): boolean {
    return this.options.captureContent === true;
  }

  /** The tracer (a proxy of the global provider's until one is registered). */
  tracerNow(): Tracer {
    return (this.tracer ??= (this.options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION));
  }

  /** The GenAI client histograms, or undefined when no meter provider is registered. */
  metersNow(): GenAiMeters | undefined {
    const provider = this.options.meterProvider ?? metrics.getMeterProvider();
    if (provider !== this.meterProvider) {
      this.meterProvider = provider;
      const meter = provider.getMeter(INSTRUMENTATION);
      this.meters =
        meter instanceof NoopMeterClass
          ? undefined
          : {
              duration: meter.createHistogram(GENAI_METRICS.operationDuration, {
                unit: 's',
                description: 'GenAI operation duration.',
                advice: { explicitBucketBoundaries: [...GENAI_METRIC_BUCKETS.operationDuration] },
              }),
              tokens: meter.createHistogram(GENAI_METRICS.tokenUsage, {
                unit: '{token}',
                description: 'Number of input and output tokens used.',
                advice: { explicitBucketBoundaries: [...GENAI_METRIC_BUCKETS.tokenUsage] },
              }),
            };
    }
    return this.meters;
  }

  /** Every built-in redaction plus the skill's own patterns: what content passes before it is recorded. */
  redactorFor(skill: LoadedSkill): Redactor {
    let redactor = this.redactors.get(skill);
    if (redactor === undefined) {
      const custom = (skill.policies.redact ?? []).filter((r): r is { name: string; pattern: string } => typeof r === 'object');
      redactor = new Redactor({ custom });
      this.redactors.set(skill, redactor);
    }
    return redactor;
  }

  /**
   * Starts observing a run: its span under the active context, and the run trace when asked for.
   * Undefined when nothing would be recorded (no SDK, no meter, no trace): the run then skips
   * every observation point.
   */
  startRun(skill: LoadedSkill, info: { runId: string; sessionId?: string; trace: boolean; now: () => number; parent?: Context }): RunObservation | undefined {
    const parent = info.parent ?? otelContext.active();
    const statics = this.statics.skill(skill);
    const span = this.tracerNow().startSpan(statics.name, INTERNAL, parent);
    const recording = span.isRecording();
    const meters = this.metersNow();
    if (!recording && !info.trace && meters === undefined) return undefined;
    return new RunObservation(this, skill, statics, span, recording, meters, info, parent);
  }
}

/** Collects the run trace's spans. */
class TraceRecorder {
  readonly spans: RunTraceSpan[] = [];
  private next = 0;
  constructor(private readonly now: () => number, readonly startedAt: number) {}

  open(kind: RunTraceSpanKind, name: string, parentId: string | undefined, fields: Partial<RunTraceSpan> = {}): RunTraceSpan {
    const node: RunTraceSpan = { id: `s${++this.next}`, kind, name, startMs: this.now() - this.startedAt, durationMs: 0, status: 'ok', ...fields };
    if (parentId !== undefined) node.parentId = parentId;
    this.spans.push(node);
    return node;
  }

  close(node: RunTraceSpan, status: RunTraceSpan['status'], error?: string): void {
    node.durationMs = this.now() - this.startedAt - node.startMs;
    node.status = status;
    if (error !== undefined) node.error = error;
  }
}

/** One run being observed; shared by its nested `use:` skills. */
export class RunObservation {
  readonly recorder: TraceRecorder | undefined;
  readonly root: ObservationScope;
  private readonly runNode: RunTraceSpan | undefined;
  readonly tracer: Tracer;

  constructor(
    readonly telemetry: Telemetry,
    private readonly skill: LoadedSkill,
    statics: SkillStatics,
    private readonly span: Span,
    /** True when spans are recorded (an SDK is registered and sampled this run). */
    readonly recording: boolean,
    readonly meters: GenAiMeters | undefined,
    private readonly info: { runId: string; sessionId?: string; trace: boolean; now: () => number; parent?: Context },
    parent: Context,
  ) {
    this.tracer = telemetry.tracerNow();
    if (recording) {
      span.setAttributes(statics.run);
      span.setAttribute(SDL_ATTR.runId, info.runId);
      if (info.sessionId !== undefined) span.setAttribute(GENAI.conversationId, info.sessionId);
    }
    if (info.trace) {
      this.recorder = new TraceRecorder(info.now, info.now());
      this.runNode = this.recorder.open('run', skill.name, undefined, { skill: skill.name });
    }
    // The run's span is ended by end() below; the root scope only parents what runs inside (and
    // has no span when none is recorded: then nothing starts a span under it).
    this.root = new ObservationScope(this, parent, recording ? span : undefined, undefined, this.runNode?.id, telemetry.redactorFor(skill));
  }

  now(): number {
    return this.info.now();
  }

  /** Ends the run's span; returns the run trace when one was asked for. */
  end(outcome: { error?: unknown; usage: Usage; cost: number; engines: string[] }): RunTrace | undefined {
    const { error } = outcome;
    if (this.recording) {
      this.span.setAttribute(SDL_ATTR.runCostUsd, outcome.cost);
      this.span.setAttribute(SDL_ATTR.runEngines, outcome.engines);
      if (error !== undefined) failSpan(this.span, error, this.root.redactor);
      this.span.end();
    }
    if (this.recorder === undefined || this.runNode === undefined) return undefined;
    const message = error === undefined ? undefined : this.root.redactor.redact(error instanceof Error ? error.message : String(error));
    this.recorder.close(this.runNode, error === undefined ? 'ok' : 'error', message);
    const document: RunTrace = {
      format: 'sdl-run-trace',
      version: 1,
      runId: this.info.runId,
      skill: { name: this.skill.name, version: this.skill.version, hash: this.skill.hash },
      status: error === undefined ? 'ok' : 'error',
      startedAt: this.recorder.startedAt,
      durationMs: this.runNode.durationMs,
      usage: { ...outcome.usage },
      costUsd: outcome.cost,
      engines: [...outcome.engines],
      spans: this.recorder.spans,
    };
    if (error !== undefined) {
      const code = (error as { code?: unknown }).code;
      document.error = { name: (error as Error)?.name ?? 'Error', message: message ?? '', ...(typeof code === 'string' ? { code } : {}) };
    }
    return document;
  }
}

function failSpan(span: Span, error: unknown, redactor: Redactor): void {
  span.setAttribute(GENAI.errorType, errorTypeOf(error));
  // The message may quote a prompt or a reply: redacted, never the stack.
  span.setStatus({ code: SpanStatusCode.ERROR, message: redactor.redact(error instanceof Error ? error.message : String(error)) });
}

function errorText(error: unknown, redactor: Redactor): string {
  if (isEngineError(error)) return `${error.kind}: ${redactor.redact(error.message)}`;
  return redactor.redact(error instanceof Error ? error.message : String(error));
}

/**
 * A place in the run's tree (the run, a step, a `for_each` item or a nested skill): its span, which
 * parents what runs inside, and its run-trace node. It is itself the OTel context of its span (see
 * span-context.ts: the one value it adds, every other key read through to the enclosing context),
 * so a step is one object, not a step, a scope and a context.
 */
export class ObservationScope extends SpanHoldingContext {
  constructor(
    readonly run: RunObservation,
    /** The enclosing context: the enclosing scope's, or the run's parent. */
    protected readonly parent: Context,
    /** This scope's span; undefined when spans are not recorded (or for the run's root, ended by the run). */
    protected readonly span: Span | undefined,
    /** This scope's run-trace node, ended by {@link end} (undefined for the run's root). */
    private readonly node: RunTraceSpan | undefined,
    /** The run-trace parent of what runs inside. */
    readonly nodeId: string | undefined,
    readonly redactor: Redactor,
  ) {
    super();
  }

  /** The scope for what runs inside (the scope itself; as a step observation). */
  get scope(): ObservationScope {
    return this;
  }

  private startSpan(name: string, kind: SpanKind, attributes: Attributes): Span | undefined {
    return this.run.recording ? this.run.tracer.startSpan(name, { kind, attributes }, this.otel) : undefined;
  }

  /** The scope of a step, item or nested skill inside this one. */
  private child(span: Span | undefined, node: RunTraceSpan | undefined, redactor = this.redactor): ObservationScope {
    return new ObservationScope(this.run, this.otel, span, node, node?.id ?? this.nodeId, redactor);
  }

  /**
   * A step (or a `for_each` item when `origin.index` is set; `items` on a `for_each` step's own
   * span). Its skill is the enclosing `invoke_agent` span's `gen_ai.agent.name`.
   */
  step(step: LoadedStep, origin: EventOrigin, items?: number): StepObservation {
    const run = this.run;
    // Nothing recorded (metrics only): no scope has a span or a node, so this one serves (its end does nothing).
    if (!run.recording && run.recorder === undefined) return this;
    const { index } = origin;
    let span: Span | undefined;
    if (run.recording) {
      // SDL's own attributes, which no sampler reads: set after the start (see ModelCallObservation).
      const statics = run.telemetry.statics.step(step, origin.path);
      span = run.tracer.startSpan(index === undefined ? statics.name : `${statics.name}[${index}]`, INTERNAL, this.otel);
      span.setAttributes(statics.attributes);
      if (items !== undefined) span.setAttribute(SDL_ATTR.forEachItems, items);
      if (index !== undefined) span.setAttribute(SDL_ATTR.forEachIndex, index);
    }
    let node: RunTraceSpan | undefined;
    if (run.recorder !== undefined) {
      const fields: Partial<RunTraceSpan> = { skill: origin.skill, path: origin.path, step: step.id, stepKind: step.kind };
      if (index !== undefined) fields.index = index;
      node = run.recorder.open(index === undefined ? 'step' : 'item', index === undefined ? step.id : `${step.id}[${index}]`, this.nodeId, fields);
    }
    return this.child(span, node);
  }

  /** A nested skill run by a `use:` step. */
  skill(skill: LoadedSkill): StepObservation {
    const statics = this.run.telemetry.statics.skill(skill);
    const span = this.startSpan(statics.name, SpanKind.INTERNAL, statics.nested);
    const node = this.run.recorder?.open('skill', skill.name, this.nodeId, { skill: skill.name });
    return this.child(span, node, this.run.telemetry.redactorFor(skill));
  }

  /** One model call of a prompt step (a tool-loop turn or a repair included). */
  modelCall(engine: string, provider: Provider | undefined, request: EngineRequest): ModelCallObservation {
    return new ModelCallObservation(this, engine, provider, request);
  }

  /** One host tool call. */
  tool(name: string, callId: string | undefined, args: unknown): ToolObservation {
    let span: Span | undefined;
    if (this.run.recording) {
      const attributes: Attributes = { [GENAI.operationName]: 'execute_tool', [GENAI.toolName]: name, [GENAI.toolType]: 'function' };
      if (callId !== undefined) attributes[GENAI.toolCallId] = callId;
      if (this.run.telemetry.captureContent) attributes[GENAI.toolCallArguments] = JSON.stringify(this.redactor.redactDeep(args));
      span = this.startSpan(`execute_tool ${name}`, SpanKind.INTERNAL, attributes);
    }
    const fields: Partial<RunTraceSpan> = { tool: name };
    if (this.run.recorder !== undefined) {
      fields.arguments = this.redactor.redactDeep(args);
      if (callId !== undefined) fields.callId = callId;
    }
    const node = this.run.recorder?.open('tool_call', name, this.nodeId, fields);
    return new ToolObservation(this, span, node);
  }

  /** Ends a step, item or nested skill; `account` adds the step's usage and cost to the run trace. */
  end(status: 'ok' | 'error' | 'skipped', error?: unknown, account?: { usage: Usage; costUsd: number; engines: string[] }): void {
    if (this.span !== undefined) {
      this.span.setAttribute(SDL_ATTR.stepStatus, status);
      if (account !== undefined) this.span.setAttribute(SDL_ATTR.costUsd, account.costUsd);
      if (error !== undefined) failSpan(this.span, error, this.redactor);
      this.span.end();
    }
    if (this.node !== undefined) {
      if (account !== undefined) {
        this.node.usage = { ...account.usage };
        this.node.costUsd = account.costUsd;
        if (account.engines.length > 0) this.node.engine = account.engines.join(', ');
      }
      this.run.recorder!.close(this.node, status, error === undefined ? undefined : errorText(error, this.redactor));
    }
  }
}

/** A step, item or nested skill being observed: its scope, ended with {@link ObservationScope.end}. */
export type StepObservation = ObservationScope;

function setUsage(span: Span, usage: Usage): void {
  span.setAttribute(GENAI.usageInputTokens, usage.inputTokens);
  span.setAttribute(GENAI.usageOutputTokens, usage.outputTokens);
  if (usage.cacheReadTokens !== undefined) span.setAttribute(GENAI.usageCacheReadInputTokens, usage.cacheReadTokens);
  if (usage.cacheWriteTokens !== undefined) span.setAttribute(GENAI.usageCacheCreationInputTokens, usage.cacheWriteTokens);
  if (usage.reasoningTokens !== undefined) span.setAttribute(GENAI.usageReasoningOutputTokens, usage.reasoningTokens);
}

function traceMessages(messages: readonly Message[], redactor: Redactor): RunTraceMessage[] {
  return messages.map((m): RunTraceMessage => {
    const out: RunTraceMessage = { role: m.role, content: redactor.redact(m.content) };
    if (m.role === 'assistant' && m.toolCalls !== undefined && m.toolCalls.length > 0) {
      out.toolCalls = m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: redactor.redactDeep(c.arguments) }));
    }
    if (m.role === 'tool') out.toolCallId = m.toolCallId;
    return out;
  });
}

/** Messages in the conventions' JSON shape (`role` + `parts`), for `gen_ai.input.messages` / `gen_ai.output.messages`. */
function semconvMessages(messages: readonly RunTraceMessage[], finishReason?: string): string {
  return JSON.stringify(
    messages.map((m) => {
      const parts: unknown[] = [];
      if (m.role === 'tool') parts.push({ type: 'tool_call_response', id: m.toolCallId, response: m.content });
      else if (m.content !== '') parts.push({ type: 'text', content: m.content });
      for (const call of m.toolCalls ?? []) parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: call.arguments });
      return { role: m.role, parts, ...(finishReason === undefined ? {} : { finish_reason: finishReason }) };
    }),
  );
}

/**
 * One model call: the GenAI inference span, its engine hops and attempts, and the metrics. With a
 * span it is itself that span's OTel context (as {@link ObservationScope} is its step's), under
 * which the adapter is called.
 */
export class ModelCallObservation extends SpanHoldingContext implements CallObserver {
  protected readonly span: Span | undefined;
  private readonly node: RunTraceSpan | undefined;
  /** The enclosing scope's context. */
  protected readonly parent: Context;
  /** When the call started, for the duration metric (only read when meters are registered). */
  private readonly startedAt: number;
  private readonly provider: string;
  /** Set at the call's first failure: from then on its hops and attempts have spans. */
  private eventful = false;

  constructor(
    private readonly scope: ObservationScope,
    private readonly engine: string,
    provider: Provider | undefined,
    private readonly request: EngineRequest,
  ) {
    super();
    const run = scope.run;
    this.parent = scope.otel;
    this.provider = provider ?? 'unknown';
    this.startedAt = run.meters === undefined ? 0 : run.now();
    const capture = run.telemetry.captureContent && run.recording;
    const prompt = run.recorder !== undefined || capture ? this.prompt() : undefined;
    if (run.recording) {
      // At the start, what the conventions ask samplers to see (operation, provider, model; the
      // same set for every call of an engine and model); the rest right after, one call each,
      // which the SDK does in half the time of an attribute given at the start (it validates
      // and copies those twice).
      const start = run.telemetry.statics.chatStart(engine, this.provider, request.model);
      const span = run.tracer.startSpan(start.name, start.options, this.parent);
      this.span = span;
      span.setAttribute(SDL_ATTR.engine, engine);
      // `gen_ai.output.type` is conditionally required "when applicable and if the request
      // includes an output format": only a structured-output request has one. The step is the
      // parent span's `sdl.step.id`.
      if (request.output !== undefined) span.setAttribute(GENAI.outputType, 'json');
      if (request.temperature !== undefined) span.setAttribute(GENAI.requestTemperature, request.temperature);
      if (request.topP !== undefined) span.setAttribute(GENAI.requestTopP, request.topP);
      if (request.maxTokens !== undefined) span.setAttribute(GENAI.requestMaxTokens, request.maxTokens);
      if (request.stop !== undefined) span.setAttribute(GENAI.requestStopSequences, request.stop);
      if (capture && prompt !== undefined) {
        if (prompt.system !== undefined) span.setAttribute(GENAI.systemInstructions, JSON.stringify([{ type: 'text', content: prompt.system }]));
        span.setAttribute(GENAI.inputMessages, semconvMessages(prompt.messages));
      }
    }
    this.node = run.recorder?.open('model_call', request.model, scope.nodeId, {
      requestedEngine: engine,
      engine,
      provider: this.provider,
      model: request.model,
      ...(prompt === undefined ? {} : { prompt }),
    });
  }

  private prompt(): { system?: string; messages: RunTraceMessage[] } {
    const redactor = this.scope.redactor;
    const prompt: { system?: string; messages: RunTraceMessage[] } = { messages: traceMessages(this.request.messages, redactor) };
    if (this.request.system !== undefined) prompt.system = redactor.redact(this.request.system);
    return prompt;
  }

  /** Runs `fn(arg)` under the chat span's context, so spans the adapter's HTTP client makes nest under it. */
  run<A, T>(fn: (arg: A) => T, arg: A): T {
    return this.span === undefined ? fn(arg) : otelContext.with(this.otel, fn, undefined, arg);
  }

  /** A failover hop as reported by the router (`ModelCall.onEngineSwitch`). */
  switched(hop: { from: string; to: string; reason?: string }): void {
    if (this.node !== undefined) (this.node.switches ??= []).push({ from: hop.from, to: hop.to, reason: hop.reason ?? 'unavailable' });
    this.span?.addEvent('sdl.engine_switch', { [SDL_ATTR.failoverFrom]: hop.from, [SDL_ATTR.failoverTo]: hop.to, [SDL_ATTR.failoverReason]: hop.reason ?? 'unavailable' });
  }

  /**
   * The router starts trying `engine`. Hop and attempt spans are made only for a call that retries
   * or fails over: until its first failure a call's first hop and attempt keep just their start
   * times, and are made (with those times) when an attempt or the hop fails. A call answered by its
   * first attempt has its `chat` span alone, which keeps the common path at three spans per call.
   */
  hop(engine: string, provider: Provider, model: string): HopObserver {
    return new HopObservation(this, this.scope, this.otel, this.node, engine, provider, model);
  }

  /** The first failure of the call: from now on its hops and attempts get spans. */
  markEventful(): void {
    this.eventful = true;
  }

  /** Whether the call has failed once (its hops and attempts get spans). */
  get isEventful(): boolean {
    return this.eventful;
  }

  /** The call answered (on `engine`, after any failover). */
  end(engine: string, provider: Provider | undefined, response: EngineResponse, costUsd: number): void {
    const run = this.scope.run;
    const finish = FINISH[response.stopReason] ?? response.stopReason;
    const usedProvider = provider ?? this.provider;
    const capture = run.telemetry.captureContent && this.span !== undefined;
    const reply = run.recorder !== undefined || capture ? this.reply(response) : undefined;
    const span = this.span;
    if (span !== undefined) {
      // One call per attribute: the SDK's setAttributes loops over setAttribute anyway.
      setUsage(span, response.usage);
      // The provider was set at the start; it changes only when another engine answered.
      if (usedProvider !== this.provider) span.setAttribute(GENAI.providerName, usedProvider);
      span.setAttribute(GENAI.responseModel, response.model);
      span.setAttribute(GENAI.responseFinishReasons, (FINISH_REASONS.get(finish) ?? [finish]) as string[]);
      span.setAttribute(SDL_ATTR.costUsd, costUsd);
      if (engine !== this.engine) {
        span.setAttribute(SDL_ATTR.engine, engine);
        span.setAttribute(SDL_ATTR.engineRequested, this.engine);
      }
      if (response.requestId !== undefined) span.setAttribute(GENAI.responseId, response.requestId);
      if (capture && reply !== undefined) {
        span.setAttribute(GENAI.outputMessages, semconvMessages([{ role: 'assistant', content: reply.text, toolCalls: reply.toolCalls }], finish));
      }
      span.end();
    }
    this.metrics(usedProvider, response.model, undefined, response.usage);
    if (this.node !== undefined) {
      Object.assign(this.node, { engine, provider: usedProvider, responseModel: response.model, finishReason: finish, usage: { ...response.usage }, costUsd, reply });
      if (response.requestId !== undefined) this.node.responseId = response.requestId;
      run.recorder!.close(this.node, 'ok');
    }
  }

  private reply(response: EngineResponse): { text: string; toolCalls: Array<{ id: string; name: string; arguments: unknown }> } {
    const redactor = this.scope.redactor;
    return {
      text: redactor.redact(response.text),
      toolCalls: response.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: redactor.redactDeep(c.arguments) })),
    };
  }

  /** The call failed on every engine it tried. */
  fail(error: unknown): void {
    if (this.span !== undefined) {
      failSpan(this.span, error, this.scope.redactor);
      this.span.end();
    }
    this.metrics(this.provider, undefined, errorTypeOf(error), undefined);
    if (this.node !== undefined) this.scope.run.recorder!.close(this.node, 'error', errorText(error, this.scope.redactor));
  }

  private metrics(provider: string, responseModel: string | undefined, errorType: string | undefined, usage: Usage | undefined): void {
    const meters = this.scope.run.meters;
    if (meters === undefined) return;
    const attributes: Attributes = { [GENAI.operationName]: 'chat', [GENAI.providerName]: provider, [GENAI.requestModel]: this.request.model };
    if (responseModel !== undefined) attributes[GENAI.responseModel] = responseModel;
    if (errorType !== undefined) attributes[GENAI.errorType] = errorType;
    meters.duration.record((this.scope.run.now() - this.startedAt) / 1000, attributes);
    if (usage !== undefined) {
      meters.tokens.record(usage.inputTokens, { ...attributes, [GENAI.tokenType]: 'input' });
      meters.tokens.record(usage.outputTokens, { ...attributes, [GENAI.tokenType]: 'output' });
    }
  }
}

/** One host tool call being observed. */
export class ToolObservation {
  constructor(
    private readonly scope: ObservationScope,
    private readonly span: Span | undefined,
    private readonly node: RunTraceSpan | undefined,
  ) {}

  /**
   * Runs the tool call under the tool span's context (so the host's own spans nest under it) and
   * ends the observation with its outcome, or with the error when the call throws (cancellation).
   */
  async call<T extends { ok: true; value: unknown } | { ok: false; message: string }>(fn: () => Promise<T>): Promise<T> {
    let outcome: T;
    try {
      outcome = await (this.span === undefined ? fn() : otelContext.with(withSpan(this.scope.otel, this.span), fn));
    } catch (error) {
      this.end({ ok: false, message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    this.end(outcome);
    return outcome;
  }

  /** Ends it with the tool's outcome. */
  end(outcome: { ok: true; value: unknown } | { ok: false; message: string }): void {
    const redactor = this.scope.redactor;
    if (this.span !== undefined) {
      if (this.scope.run.telemetry.captureContent && outcome.ok) this.span.setAttribute(GENAI.toolCallResult, JSON.stringify(redactor.redactDeep(outcome.value)));
      if (!outcome.ok) {
        this.span.setAttribute(GENAI.errorType, 'tool_error');
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: redactor.redact(outcome.message) });
      }
      this.span.end();
    }
    if (this.node !== undefined) {
      this.node.result = outcome.ok ? redactor.redactDeep(outcome.value) : { error: redactor.redact(outcome.message) };
      this.scope.run.recorder!.close(this.node, outcome.ok ? 'ok' : 'error', outcome.ok ? undefined : redactor.redact(outcome.message));
    }
  }
}

/** One engine hop of a model call (see {@link ModelCallObservation.hop}). */
class HopObservation implements HopObserver {
  private readonly startedAt = performance.now();
  private span: Span | undefined;
  /** The hop span's context once it has one. */
  context: Context;
  private readonly node: RunTraceSpan | undefined;

  constructor(
    private readonly call: ModelCallObservation,
    private readonly scope: ObservationScope,
    private readonly parent: Context,
    callNode: RunTraceSpan | undefined,
    readonly engine: string,
    private readonly provider: Provider,
    private readonly model: string,
  ) {
    this.context = parent;
    if (call.isEventful) this.open();
    this.node = scope.run.recorder?.open('hop', engine, callNode?.id, { engine, provider, model });
  }

  /** Makes the hop's span (with its start time) if the call records spans and it has none yet. */
  open(): Span | undefined {
    if (this.span !== undefined || !this.scope.run.recording) return this.span;
    this.call.markEventful();
    this.span = this.scope.run.tracer.startSpan(
      `sdl.engine ${this.engine}`,
      { kind: SpanKind.INTERNAL, startTime: this.startedAt, attributes: { [SDL_ATTR.engine]: this.engine, [GENAI.providerName]: this.provider, [GENAI.requestModel]: this.model } },
      this.parent,
    );
    this.context = withSpan(this.parent, this.span);
    return this.span;
  }

  attempt(attempt: number): AttemptObserver {
    return new AttemptObservation(this, this.call, this.scope, this.node, attempt);
  }

  end(error?: unknown, failoverReason?: string): void {
    if (error !== undefined) this.open();
    const span = this.span;
    if (span !== undefined) {
      if (failoverReason !== undefined) span.setAttribute(SDL_ATTR.failoverReason, failoverReason);
      if (error !== undefined) failSpan(span, error, this.scope.redactor);
      span.end();
    }
    if (this.node !== undefined) {
      if (failoverReason !== undefined) this.node.failoverReason = failoverReason;
      this.scope.run.recorder!.close(this.node, error === undefined ? 'ok' : 'error', error === undefined ? undefined : errorText(error, this.scope.redactor));
    }
  }
}

/** One attempt on an engine hop. */
class AttemptObservation implements AttemptObserver {
  private readonly startedAt = performance.now();
  private span: Span | undefined;
  private readonly node: RunTraceSpan | undefined;

  constructor(
    private readonly hop: HopObservation,
    call: ModelCallObservation,
    private readonly scope: ObservationScope,
    hopNode: RunTraceSpan | undefined,
    private readonly attempt: number,
  ) {
    if (call.isEventful) this.open();
    this.node = scope.run.recorder?.open('attempt', `${hop.engine} #${attempt}`, hopNode?.id, { engine: hop.engine, attempt });
  }

  private open(): void {
    if (this.span !== undefined || this.hop.open() === undefined) return;
    this.span = this.scope.run.tracer.startSpan(
      `sdl.attempt ${this.hop.engine} #${this.attempt}`,
      { kind: SpanKind.INTERNAL, startTime: this.startedAt, attributes: { [SDL_ATTR.engine]: this.hop.engine, [SDL_ATTR.attempt]: this.attempt } },
      this.hop.context,
    );
  }

  /** Under the attempt's context (once it has a span), so the adapter's own HTTP spans nest there. */
  run<T>(fn: () => T): T {
    return this.span === undefined ? fn() : otelContext.with(withSpan(this.hop.context, this.span), fn);
  }

  end(error?: unknown, retryInMs?: number): void {
    if (error !== undefined) this.open();
    const span = this.span;
    if (span !== undefined) {
      if (retryInMs !== undefined) span.setAttribute(SDL_ATTR.retryDelayMs, retryInMs);
      if (error !== undefined) failSpan(span, error, this.scope.redactor);
      span.end();
    }
    if (this.node !== undefined) {
      if (retryInMs !== undefined) this.node.retryInMs = retryInMs;
      this.scope.run.recorder!.close(this.node, error === undefined ? 'ok' : 'error', error === undefined ? undefined : errorText(error, this.scope.redactor));
    }
  }
}
