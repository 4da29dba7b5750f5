import type { EngineAdapter, EngineRequest, Provider } from '@sdl/adapters';
import { HOP_REQUEST, IDLE_SIGNAL } from '../middleware/call-signal.js';
import type { ResolvedPolicies } from '../middleware/policies.js';
import type { CallContext, CallEvent, HopObserver } from '../middleware/types.js';
import type { Logger } from '../observability/logger.js';
import type { RuntimeMetrics } from '../observability/metrics.js';
import type { Clock } from '../time/clock.js';

/**
 * The context of one engine hop of a routed call. A class rather than an object literal: the
 * literal needed a getter closure and a computed key per call, which V8 builds through its slow
 * path; here the lazy `signal` and `state` are prototype accessors over private fields and every
 * context has one shape. The optional fields (`runId`, `sessionId`, `metrics`, `observer`) are own
 * properties only when set, as before. The constructor takes the hop's fields as arguments, not
 * as one object: that object was made per call only to be read here.
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
  /** The request as the router made it (see `isHopRequest`). */
  readonly [HOP_REQUEST]: EngineRequest;
  #signal: AbortSignal | undefined;
  #state: Map<string, unknown> | undefined;

  /**
   * @param entry the engine of the hop (its name, provider and adapter)
   * @param signal the caller's signal; without one, `signal` is a never-aborting stand-in made on first read
   */
  constructor(
    entry: { readonly name: string; readonly provider: Provider; readonly adapter: EngineAdapter },
    model: string,
    request: EngineRequest,
    streaming: boolean,
    tenant: string,
    policies: ResolvedPolicies,
    signal: AbortSignal | undefined,
    deadline: number,
    clock: Clock,
    logger: Logger,
    emit: (event: CallEvent) => void,
  ) {
    this.engine = entry.name;
    this.provider = entry.provider;
    this.model = model;
    this.adapter = entry.adapter;
    this.request = request;
    this.streaming = streaming;
    this.tenant = tenant;
    this.policies = policies;
    this.deadline = deadline;
    this.clock = clock;
    this.logger = logger;
    this.emit = emit;
    this.#signal = signal;
    this[IDLE_SIGNAL] = signal === undefined;
    this[HOP_REQUEST] = request;
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
