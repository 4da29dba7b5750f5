import type { EngineAdapter, EngineRequest, EngineResponse, Provider, StreamEvent } from '@sdl/adapters';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../observability/logger.js';
import type { RuntimeMetrics } from '../observability/metrics.js';
import type { ResolvedPolicies } from './policies.js';
import { traitsOf } from './stage-traits.js';

/**
 * What a call produces. Middleware return results instead of assigning `ctx.body` (Koa) so that
 * retry can call `next()` again and stream wrappers compose as plain values.
 */
export type CallResult =
  | { kind: 'response'; response: EngineResponse; cached?: boolean }
  | { kind: 'stream'; events: AsyncIterable<StreamEvent>; cached?: boolean };

/** Events the runtime forwards to `runtime.stream()` listeners. */
export type CallEvent =
  | { type: 'retry'; engine: string; attempt: number; delayMs: number; errorKind: string; message: string }
  | { type: 'breaker-state'; engine: string; from: BreakerStateName; to: BreakerStateName }
  | { type: 'engine-switch'; from: string; to: string; reason: string }
  | { type: 'rate-limit-wait'; engine: string; scope: 'engine' | 'tenant'; key: string; queued: number }
  | { type: 'cache-hit'; engine: string; coalesced: boolean };

/** A circuit breaker's state: `closed` lets calls through, `open` refuses them, `half-open` lets one probe through. */
export type BreakerStateName = 'closed' | 'open' | 'half-open';

/** Everything a middleware may read about one engine call. */
export interface CallContext {
  /** The engine's name in the registry (e.g. `claude`). */
  readonly engine: string;
  readonly provider: Provider;
  readonly model: string;
  /** The adapter this call started on; a registry update does not change it mid-call. */
  readonly adapter: EngineAdapter;
  /** The request as it will be sent; redaction replaces it, timeout adds the attempt's signal. */
  request: EngineRequest;
  readonly streaming: boolean;
  /** Whose budget the call counts against for per-tenant rate limits. */
  readonly tenant: string;
  readonly policies: ResolvedPolicies;
  /** Fires when the caller gives up; every wait in the chain listens to it. */
  readonly signal: AbortSignal;
  /** Epoch ms after which no new attempt starts (Infinity when there is none). */
  readonly deadline: number;
  /** 1 for the first attempt; set by the retry middleware. */
  attempt: number;
  readonly runId?: string;
  readonly sessionId?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: RuntimeMetrics;
  /** Forwards an event to the run's stream listeners (e.g. usage with its cost, an engine switch). */
  emit(event: CallEvent): void;
  /** Scratch space for host middleware, keyed by the middleware's own name. */
  readonly state: Map<string, unknown>;
  /** Set when the call is traced: the retry stage reports each attempt to it. */
  readonly observer?: HopObserver;
}

/** Told of the engine hops of one routed call (tracing); implemented by the runtime's telemetry. */
export interface CallObserver {
  /** The router starts trying `engine`; the hop ends when it answers or fails over. */
  hop(engine: string, provider: Provider, model: string): HopObserver;
}

/** One engine hop of a traced call. */
export interface HopObserver {
  /** Attempt number `attempt` (1 = first) starts on this engine. */
  attempt(attempt: number): AttemptObserver;
  /** The hop ended: answered (no error) or failed (`failoverReason` when the router moves on). */
  end(error?: unknown, failoverReason?: string): void;
}

/** One attempt of a traced call. */
export interface AttemptObserver {
  /** Runs the attempt under its trace context. */
  run<T>(fn: () => T): T;
  /** The attempt ended; `retryInMs` when another attempt follows after that wait. */
  end(error?: unknown, retryInMs?: number): void;
}

/** Runs the rest of the chain (inner middleware and the adapter call) and resolves with its result. */
export type Next = () => Promise<CallResult>;

/**
 * Koa-style onion middleware: do work, `await next()` to run the rest of the chain (it may be
 * called again, which is how retry works), post-process and return the result.
 */
export type Middleware = (ctx: CallContext, next: Next) => Promise<CallResult>;

/** The innermost handler: the adapter call. */
export type Terminal = (ctx: CallContext) => Promise<CallResult>;

/** Runs `middleware` in order around `terminal`. */
export function compose(middleware: readonly Middleware[], terminal: Terminal): Terminal {
  // Nested once here, so a call allocates no dispatcher, and a `next` closure only for a stage
  // that may call `next()` without its context (host middleware): a built-in one that passes it
  // (`passesContext`) gets the inner composition itself.
  let run = terminal;
  for (let i = middleware.length - 1; i >= 0; i--) {
    const stage = middleware[i]!;
    const inner = run;
    // (It calls `next(ctx)`, so `inner` stands for its `Next`.)
    run = traitsOf(stage)?.passesContext ? (ctx) => stage(ctx, inner as Next) : (ctx) => stage(ctx, () => inner(ctx));
  }
  return run;
}
