import type { EngineAdapter, EngineRequest, Provider } from '@sdl/adapters';
import { IDLE_SIGNAL } from '../middleware/call-signal.js';
import type { ResolvedPolicies } from '../middleware/policies.js';
import type { CallContext, CallEvent, HopObserver } from '../middleware/types.js';
import type { Logger } from '../observability/logger.js';
import type { RuntimeMetrics } from '../observability/metrics.js';
import type { Clock } from '../time/clock.js';

/** What the router knows of one engine hop when it makes the hop's {@link RoutedCallContext}. */
export type RoutedCallFields = Pick<
  CallContext,
  'engine' | 'provider' | 'model' | 'adapter' | 'request' | 'streaming' | 'tenant' | 'policies' | 'deadline' | 'clock' | 'logger' | 'emit'
> & {
  /** The caller's signal; without one, `signal` is a never-aborting stand-in made on first read. */
  signal: AbortSignal | undefined;
};

/**
 * The context of one engine hop of a routed call. A class rather than an object literal: the
 * literal needed a getter closure and a computed key per call, which V8 builds through its slow
 * path; here the lazy `signal` and `state` are prototype accessors over private fields and every
 * context has one shape. The optional fields (`runId`, `sessionId`, `metrics`, `observer`) are own
 * properties only when set, as before.
 */
export class RoutedCallContext implements CallContext {
  readonly engine: string;
  readonly provider: Provider;
  readonly model: string;
  readonly adapter: EngineAdapter;
  request: EngineRequest;
  readonly streaming: boolean;
  readonly tenant: string;
  readonly policies: ResolvedPolicies;
  readonly deadline: number;
  /** The retry stage counts attempts; without one (a single attempt allowed) this is the only one. */
  attempt = 1;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (event: CallEvent) => void;
  declare readonly runId?: string;
  declare readonly sessionId?: string;
  declare readonly metrics?: RuntimeMetrics;
  declare readonly observer?: HopObserver;
  /** True when the caller passed no signal (see `callerMayAbort`). */
  readonly [IDLE_SIGNAL]: boolean;
  #signal: AbortSignal | undefined;
  #state: Map<string, unknown> | undefined;

  constructor(fields: RoutedCallFields) {
    this.engine = fields.engine;
    this.provider = fields.provider;
    this.model = fields.model;
    this.adapter = fields.adapter;
    this.request = fields.request;
    this.streaming = fields.streaming;
    this.tenant = fields.tenant;
    this.policies = fields.policies;
    this.deadline = fields.deadline;
    this.clock = fields.clock;
    this.logger = fields.logger;
    this.emit = fields.emit;
    this.#signal = fields.signal;
    this[IDLE_SIGNAL] = fields.signal === undefined;
  }

  /** Fires when the caller gives up. */
  get signal(): AbortSignal {
    return (this.#signal ??= new AbortController().signal);
  }

  /** Scratch space for host middleware, made on first use. */
  get state(): Map<string, unknown> {
    return (this.#state ??= new Map());
  }
}
