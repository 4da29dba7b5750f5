import { isEngineError, printRedacted, type EngineRequest, type EngineResponse, type ModelDescriptor, type Provider, type StreamEvent } from '@sdl/adapters';
import { CircuitOpenError } from '../middleware/circuit-breaker.js';
import type { MiddlewareChain } from '../middleware/chain.js';
import { resolvePolicies, DEFAULT_POLICIES, type EnginePolicyConfig, type ResolvedPolicies, type SkillPolicies } from '../middleware/policies.js';
import { RateLimitRejectedError } from '../middleware/rate-limiter.js';
import type { CallContext, CallEvent, CallObserver, CallResult, HopObserver } from '../middleware/types.js';
import { noopLogger, scrubbingLogger, type Logger } from '../observability/logger.js';
import type { RuntimeMetrics } from '../observability/metrics.js';
import { systemClock, type Clock } from '../time/clock.js';
import { copyWith } from '../run/copy-with.js';
import { convertHistory, type HistoryTarget } from './history.js';
import type { EngineEntry, EngineRegistry } from './registry.js';
import { RoutedCallContext } from './routed-context.js';

/** The call's event sink when the caller listens to none. */
const NO_EMIT = (_event: CallEvent): void => {};

/** Stands for an absent skill policy block or engine config in the resolved-policies cache. */
const NO_POLICIES = {};

/** Every engine tried failed (or none qualified); `attempts` says, engine by engine, why. */
export class NoEngineAvailableError extends Error {
  override readonly name = 'NoEngineAvailableError';
  constructor(readonly attempts: { engine: string; reason: string; error?: unknown }[]) {
    super(
      attempts.length === 0
        ? 'no engine is configured for this call; register an engine or set a default engine'
        : `no engine could serve the call: ${attempts.map((a) => `${a.engine}: ${a.reason}`).join('; ')}`,
    );
  }
}

/**
 * Why a failure moves the call to the next engine, or undefined when it must not (the request
 * itself is at fault, the caller cancelled, a budget ran out, or a stream already started).
 * `auth` fails over: one engine's broken credentials say nothing about the others.
 */
export function failoverReason(error: unknown): string | undefined {
  if (error instanceof CircuitOpenError) return 'breaker_open';
  if (error instanceof RateLimitRejectedError) return `rate_limit_${error.reason}`;
  if (isEngineError(error)) {
    if (error.retryable) return error.kind;
    if (error.kind === 'auth') return 'auth';
  }
  return undefined;
}

/** One model call as the router takes it: the request, which engines may serve it, and under which policies. */
export interface RouteOptions {
  /** The request without a model: the model comes from `models` or the engine's default. */
  request: Omit<EngineRequest, 'model'> & { model?: string };
  /** Start here (the run's `engine` option); the rest of `prefer` follows as failover. */
  engine?: string;
  /** The skill's `engines.prefer`; without it, the runtime's order (default engine first). */
  prefer?: readonly string[];
  /** The skill's `engines.models`: engine name -> model id. */
  models?: Readonly<Record<string, string>>;
  tenant?: string;
  policies?: SkillPolicies;
  signal?: AbortSignal;
  /** Epoch ms after which no new attempt starts on any engine. */
  deadline?: number;
  runId?: string;
  sessionId?: string;
  /** Receives the call's events (usage, `engine-switch`, breaker changes) for the run's stream. */
  emit?: (event: CallEvent) => void;
  /** Returns why an engine does not qualify for this call (e.g. `requires:`), or undefined. */
  qualifies?: (entry: EngineEntry, model: string) => string | undefined;
  /** Told of each engine hop (and, through the retry stage, each attempt) when the call is traced. */
  observe?: CallObserver;
}

/** A finished routed call: which engine, provider and model answered, the response, and whether it came from the cache. */
export interface RoutedResponse {
  engine: string;
  provider: Provider;
  model: string;
  response: EngineResponse;
  cached: boolean;
}

/** A started routed stream: which engine, provider and model serve it, and its events. */
export interface RoutedStream {
  engine: string;
  provider: Provider;
  model: string;
  /** Already started: failures before the first delta were retried or failed over. */
  events: AsyncIterable<StreamEvent>;
}

/** The response of a routed call's result (a `generate`'s). */
export function responseOf(result: CallResult): EngineResponse {
  if (result.kind !== 'response') throw new Error('internal: expected a response');
  return result.response;
}

/** A routed call's response (the router's `generate`). */
function routedResponse(ctx: CallContext, result: CallResult): RoutedResponse {
  return { engine: ctx.engine, provider: ctx.provider, model: ctx.model, response: responseOf(result), cached: !!result.cached };
}

/** A routed call's started stream (the router's `stream`). */
function routedStream(ctx: CallContext, result: CallResult): RoutedStream {
  if (result.kind !== 'stream') throw new Error('internal: expected a stream');
  return { engine: ctx.engine, provider: ctx.provider, model: ctx.model, events: result.events };
}

/** A traced hop's outcome: the hop ends when the chain answers (then `finish`) or fails (with the failover reason, unless the caller gave up). */
function observedHop<T>(pending: Promise<CallResult>, hop: HopObserver, signal: AbortSignal | undefined, ctx: CallContext, finish: (ctx: CallContext, result: CallResult) => T): Promise<T> {
  return pending.then(
    (result) => {
      hop.end();
      return finish(ctx, result);
    },
    (error: unknown) => {
      hop.end(error, signal?.aborted ? undefined : failoverReason(error));
      throw error;
    },
  );
}

/** An engine entry's model as the router uses it (see `modelOf`). */
interface EngineModel {
  model: string;
  descriptor: ModelDescriptor | undefined;
  target: HistoryTarget;
}

/** Options of {@link EngineRouter}. */
export interface EngineRouterOptions {
  registry: EngineRegistry;
  chain: MiddlewareChain;
  clock?: Clock;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  /** Runtime-wide policy defaults (under skill and engine config). */
  defaults?: ResolvedPolicies;
  /** Model features for history conversion; unknown models are assumed to support tools. */
  describeModel?: (provider: Provider, model: string) => ModelDescriptor | undefined;
}

/**
 * Sends a call through the middleware chain to one engine after another: the `engine` asked
 * for, then `prefer` (or the registry's order), moving on when an engine is unavailable
 * (breaker open, overloaded, a rate-limit wait beyond the cap, retries exhausted, auth) and
 * emitting `engine-switch`. Each call reads the registry when it starts, so registry changes
 * and `setDefaultEngine()` affect new calls only.
 */
export class EngineRouter {
  readonly registry: EngineRegistry;
  readonly chain: MiddlewareChain;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: RuntimeMetrics | undefined;
  private readonly defaults: ResolvedPolicies;
  /** Resolved policies by skill policy block, then by engine config (see policiesFor). */
  private readonly resolved = new WeakMap<object, WeakMap<object, ResolvedPolicies>>();
  private readonly describeModel: EngineRouterOptions['describeModel'];
  /** The last model asked for each engine entry, with its descriptor and history target (see modelOf). */
  private readonly models = new WeakMap<EngineEntry, EngineModel>();

  constructor(options: EngineRouterOptions) {
    this.registry = options.registry;
    this.chain = options.chain;
    this.clock = options.clock ?? systemClock;
    // Whatever logger the host passes, nothing it receives from the chain carries keys or personal data.
    this.logger = options.logger ? scrubbingLogger(options.logger) : noopLogger;
    this.metrics = options.metrics;
    this.defaults = options.defaults ?? DEFAULT_POLICIES;
    this.describeModel = options.describeModel;
    // Its registry's adapters and its chain's clients hold keys and passwords.
    printRedacted(this, 'EngineRouter', () => ({ engines: this.registry.names() }));
  }

  /** Makes `name` the default engine for new calls. */
  setDefaultEngine(name: string): void {
    this.registry.setDefaultEngine(name);
  }

  /**
   * Makes one call, failing over along the engine order until an engine answers.
   * @throws {@link NoEngineAvailableError} when every candidate engine failed or none qualified (the error itself when only one was tried); the caller's
   * cancellation and non-failover errors (e.g. `invalid_request`, budget) are rethrown as they are.
   */
  generate(options: RouteOptions): Promise<RoutedResponse> {
    return this.route(options, false, routedResponse);
  }

  /**
   * {@link generate} with `finish` making what the caller gets from the answering hop's context and
   * result (see {@link responseOf}) instead of a {@link RoutedResponse}: a caller that turns that
   * into a value of its own saves an object and a promise per call.
   */
  generateWith<T>(options: RouteOptions, finish: (ctx: CallContext, result: CallResult) => T): Promise<T> {
    return this.route(options, false, finish);
  }

  /**
   * Starts one streaming call, failing over like `generate` until an engine delivers its first event.
   * @throws {@link NoEngineAvailableError} like `generate`; a failure after the first event is thrown while iterating `events`, without failover.
   */
  stream(options: RouteOptions): Promise<RoutedStream> {
    return this.route(options, true, routedStream);
  }

  /** The engines this call would try, in order (snapshot of the registry now). */
  candidates(options: Pick<RouteOptions, 'engine' | 'prefer'>): string[] {
    const base = options.prefer && options.prefer.length ? [...options.prefer] : this.registry.order();
    const ordered = options.engine !== undefined ? [options.engine, ...base] : base;
    return [...new Set(ordered)];
  }

  /** The engine order of one call: the skill's single preferred engine as it is (the common case), else {@link candidates}. */
  private order(options: RouteOptions): readonly string[] {
    const prefer = options.prefer;
    if (prefer?.length === 1 && (options.engine === undefined || options.engine === prefer[0])) return prefer;
    return this.candidates(options);
  }

  /**
   * Tries the engines in order; `finish` turns the answering engine's result into what the caller
   * gets. A call with one engine to try (the common case) that qualifies goes through one `then`
   * instead of the failover loop's async frame: with nothing to fail over to, its failure is
   * thrown as it is, as the loop would.
   */
  private route<T>(options: RouteOptions, streaming: boolean, finish: (ctx: CallContext, result: CallResult) => T): Promise<T> {
    let ctx: CallContext;
    let hop: HopObserver | undefined;
    try {
      const order = this.order(options);
      const entry = order.length === 1 ? this.registry.get(order[0]!) : undefined;
      const model = entry === undefined ? '' : (options.models?.[entry.name] ?? entry.model);
      if (entry === undefined || options.qualifies?.(entry, model)) return this.failover(order, options, streaming, finish);
      hop = options.observe?.hop(entry.name, entry.provider, model);
      ctx = this.context(entry, model, options, streaming, options.signal, options.emit ?? NO_EMIT, hop);
    } catch (error) {
      return Promise.reject(error);
    }
    let pending: Promise<CallResult>;
    try {
      pending = this.chain.run(ctx);
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Untraced, a failure passes through as it is: no handler of the router's for it.
    return hop === undefined ? pending.then((result) => finish(ctx, result)) : observedHop(pending, hop, options.signal, ctx, finish);
  }

  /** {@link route} along more than one engine (or one that is missing or does not qualify). */
  private async failover<T>(order: readonly string[], options: RouteOptions, streaming: boolean, finish: (ctx: CallContext, result: CallResult) => T): Promise<T> {
    const attempts: { engine: string; reason: string; error?: unknown }[] = [];
    const emit = options.emit ?? NO_EMIT;
    // Without a caller signal each call's ctx gets a stand-in made only if a stage reads it.
    const signal = options.signal;
    let previous: string | undefined;
    let lastError: unknown;
    let tried = 0;
    for (const name of order) {
      const entry = this.registry.get(name);
      if (!entry) {
        attempts.push({ engine: name, reason: 'not registered' });
        continue;
      }
      const model = options.models?.[name] ?? entry.model;
      const refusal = options.qualifies?.(entry, model);
      if (refusal) {
        attempts.push({ engine: name, reason: refusal });
        continue;
      }
      if (previous !== undefined) {
        const reason = attempts[attempts.length - 1]?.reason ?? 'unavailable';
        emit({ type: 'engine-switch', from: previous, to: name, reason });
        this.metrics?.engineSwitches.inc({ from: previous, to: name, reason });
        this.logger.warn('switching engine', { from: previous, to: name, reason });
      }
      const hop = options.observe?.hop(name, entry.provider, model);
      const ctx = this.context(entry, model, options, streaming, signal, emit, hop);
      tried++;
      let result: CallResult;
      try {
        result = await this.chain.run(ctx);
      } catch (error) {
        lastError = error;
        const reason = signal?.aborted ? undefined : failoverReason(error);
        hop?.end(error, reason);
        if (reason === undefined) throw error;
        attempts.push({ engine: name, reason, error });
        previous = name;
        continue;
      }
      hop?.end();
      return finish(ctx, result);
    }
    if (tried === 1 && lastError !== undefined) throw lastError;
    throw new NoEngineAvailableError(attempts);
  }

  private context(
    entry: EngineEntry,
    model: string,
    options: RouteOptions,
    streaming: boolean,
    signal: AbortSignal | undefined,
    emit: (e: CallEvent) => void,
    hop: HopObserver | undefined,
  ): CallContext {
    const { descriptor, target } = this.modelOf(entry, model);
    const messages = convertHistory(options.request.messages, target);
    const request = copyWith(options.request as EngineRequest, 'messages', messages);
    request.model = model;
    if (descriptor && !descriptor.features.includes('tools')) delete request.tools;
    const ctx = new RoutedCallContext(
      entry,
      model,
      request,
      streaming,
      options.tenant ?? 'default',
      this.policiesFor(options.policies, entry.config),
      signal,
      options.deadline ?? Number.POSITIVE_INFINITY,
      this.clock,
      this.logger,
      emit,
    );
    const optional = ctx as { runId?: string; sessionId?: string; metrics?: RuntimeMetrics; observer?: HopObserver };
    if (hop !== undefined) optional.observer = hop;
    if (options.runId !== undefined) optional.runId = options.runId;
    if (options.sessionId !== undefined) optional.sessionId = options.sessionId;
    if (this.metrics) optional.metrics = this.metrics;
    return ctx;
  }

  /**
   * The model's descriptor for an engine entry and the history target it makes, worked out once per
   * entry and model: entries are never changed (a config reload brings new ones), `findModel`
   * copies the descriptor on every ask, and the target would be an object per call.
   */
  private modelOf(entry: EngineEntry, model: string): EngineModel {
    const known = this.models.get(entry);
    if (known !== undefined && known.model === model) return known;
    const descriptor = this.describeModel?.(entry.provider, model);
    const made: EngineModel = { model, descriptor, target: { features: descriptor?.features ?? ['tools'], featuresKnown: descriptor !== undefined, provider: entry.provider } };
    this.models.set(entry, made);
    return made;
  }

  /**
   * The policies for a skill's policy block on an engine's config, resolved once per pair: both
   * are loaded once and never changed (a config reload brings new entries), and resolving
   * allocates a dozen objects per call otherwise.
   */
  private policiesFor(skill: SkillPolicies | undefined, engine: EnginePolicyConfig | undefined): ResolvedPolicies {
    const skillKey = skill ?? NO_POLICIES;
    let bySkill = this.resolved.get(skillKey);
    if (!bySkill) {
      bySkill = new WeakMap();
      this.resolved.set(skillKey, bySkill);
    }
    let policies = bySkill.get(engine ?? NO_POLICIES);
    if (!policies) {
      policies = resolvePolicies(skill, engine, this.defaults);
      bySkill.set(engine ?? NO_POLICIES, policies);
    }
    return policies;
  }
}
