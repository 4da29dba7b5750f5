/**
 * The model-call seam implemented with the engine router (`../engines/router.ts`): every call goes
 * through the middleware chain (redaction, cache, budget, rate limit, breaker, retry, timeout,
 * metrics) and fails over down the skill's qualified engines.
 */
import type { EngineResponse, StreamEvent } from '@sdl/adapters';
import { responseOf, type EngineRouter, type RoutedResponse, type RouteOptions } from '../engines/router.js';
import type { SkillPolicies } from '../middleware/policies.js';
import { forEachEvent } from '../middleware/stream.js';
import type { CallContext, CallEvent, CallResult } from '../middleware/types.js';
import type { CallModel, ModelCall, ModelCallResult } from './call-model.js';

/** Options of {@link callModelThroughRouter}. */
export interface RouterCallOptions {
  /** Whose rate-limit budget calls count against (default `default`). */
  tenant?: string;
  /** Sees the chain's events (retries, breaker changes, rate-limit waits, cache hits). */
  onCallEvent?: (event: CallEvent) => void;
}

/** A {@link CallModel} that sends each call through `router`. */
export function callModelThroughRouter(router: EngineRouter, options: RouterCallOptions = {}): CallModel {
  // Not async itself: a call that answers passes through one `then` (an async frame per call cost
  // more than this seam's own work; see bench/README.md, http). Streams take the async path. It
  // makes no closure itself (those are in CallEvents and answeredWith): a function that does
  // allocates the context of the variables they share on every call.
  return (call) => {
    const route: RouteOptions = {
      request: call.request,
      engine: call.engine,
      prefer: call.candidates,
      models: call.skill.engines.models,
      policies: call.skill.policies as SkillPolicies,
      qualifies: qualifierOf(call.candidates),
    };
    // Without a listener, only an engine switch needs the call's events, and with one candidate that
    // is the engine asked for (the router then tries that engine alone) there is none.
    const events = options.onCallEvent !== undefined || !(call.candidates.length === 1 && call.candidates[0] === call.engine) ? new CallEvents(call, options.onCallEvent) : undefined;
    if (events !== undefined) route.emit = events.emit;
    // Assigned, not spread from conditional literals: a spread allocates and copies an object each.
    if (call.request.signal !== undefined) route.signal = call.request.signal;
    if (call.deadline !== undefined) route.deadline = call.deadline;
    if (call.sessionId !== undefined) route.sessionId = call.sessionId;
    if (call.runId !== undefined) route.runId = call.runId;
    if (options.tenant !== undefined) route.tenant = options.tenant;
    if (call.observer !== undefined) route.observe = call.observer;
    if (call.onStreamEvent !== undefined) return streamed(router, route, call.onStreamEvent, events);
    try {
      // Without events the router makes the result itself: no RoutedResponse and no `then` of this seam's.
      return events === undefined ? router.generateWith(route, answered) : answeredWith(router.generate(route), events);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** The events of one routed call: engine switches go to the call (their reason is the result's), every event to the host's listener. */
class CallEvents {
  switchReason: string | undefined;

  constructor(
    private readonly call: ModelCall,
    private readonly listener: ((event: CallEvent) => void) | undefined,
  ) {}

  readonly emit = (event: CallEvent): void => {
    if (event.type === 'engine-switch') {
      this.switchReason = event.reason;
      this.call.onEngineSwitch?.({ from: event.from, to: event.to, ...(event.reason === undefined ? {} : { reason: event.reason }) });
    }
    this.listener?.(event);
  };
}

/** A routed call's result when no engine switch can have happened, from the answering hop. */
const answered = (ctx: CallContext, result: CallResult): ModelCallResult => ({ response: responseOf(result), engine: ctx.engine, switchesReported: true });

/** A routed call's result, with the reason of its last engine switch when there was one. */
function answeredWith(pending: Promise<RoutedResponse>, events: CallEvents): Promise<ModelCallResult> {
  return pending.then((routed) => {
    const result: ModelCallResult = { response: routed.response, engine: routed.engine, switchesReported: true };
    if (events.switchReason) result.switchReason = events.switchReason;
    return result;
  });
}

/** A streamed call: deltas go to `forward`, the final response is the result. */
async function streamed(router: EngineRouter, route: RouteOptions, forward: (event: StreamEvent) => void, events: CallEvents | undefined): Promise<ModelCallResult> {
  const routed = await router.stream(route);
  let final: EngineResponse | undefined;
  await forEachEvent(routed.events, (event) => {
    if (event.type === 'stop') final = event.response;
    else forward(event);
  });
  if (final === undefined) throw new Error(`engine \`${routed.engine}\` ended its stream without a final response`);
  const reason = events?.switchReason;
  return { response: final, engine: routed.engine, switchesReported: true, ...(reason ? { switchReason: reason } : {}) };
}

/** The `qualifies` test of a skill's candidate engines, one per candidates array (a prepared skill's, kept for its life) instead of a closure per call. */
const qualifiers = new WeakMap<readonly string[], NonNullable<RouteOptions['qualifies']>>();
function qualifierOf(candidates: readonly string[]): NonNullable<RouteOptions['qualifies']> {
  let qualifies = qualifiers.get(candidates);
  if (qualifies === undefined) {
    qualifies = qualifierFor(candidates);
    qualifiers.set(candidates, qualifies);
  }
  return qualifies;
}

/** Made here rather than in qualifierOf: a closure there would allocate its context on every lookup. */
function qualifierFor(candidates: readonly string[]): NonNullable<RouteOptions['qualifies']> {
  return (entry) => (candidates.includes(entry.name) ? undefined : 'does not satisfy the skill’s requires:');
}
