/**
 * The single function every model call goes through: the seam where the middleware chain
 * (redaction, cache, rate limit, breaker, retry, timeout, failover) plugs in. The default calls the
 * engine's adapter directly.
 */
import { drainStream, type EngineAdapter, type EngineRequest, type EngineResponse, type ModelDescriptor, type StreamEvent } from '@sdl/adapters';
import type { LoadedSkill, LoadedStep, Policies } from '../load/loaded-skill.js';
import type { CallObserver } from '../middleware/types.js';

/** An engine as the runtime knows it: a name (from the config) bound to an adapter and a model. */
export interface EngineBinding {
  adapter: EngineAdapter;
  /** The model id used unless the skill's `engines.models` names another. */
  model: string;
  /** Descriptor of `model` (context window, features, prices); needed for `requires:` and cost. */
  descriptor?: ModelDescriptor;
}

/** One model call as handed to {@link CallModel}. */
export interface ModelCall {
  /** The engine name the scheduler chose. */
  engine: string;
  binding: EngineBinding;
  request: EngineRequest;
  skill: LoadedSkill;
  step: LoadedStep;
  policies: Policies;
  /** Engines qualified for the skill (`requires:`), preferred first: the failover candidates. */
  candidates: readonly string[];
  /** Epoch ms after which no new attempt should start (the run's deadline). */
  deadline?: number;
  sessionId?: string;
  /** The top-level run this call belongs to (per-run budgets and cost). */
  runId?: string;
  /** Told of each failover hop as it happens (`from` → `to`, and why), in order. */
  onEngineSwitch?: (hop: { from: string; to: string; reason?: string }) => void;
  /** Present when the run is streamed: forward the adapter's stream events here. */
  onStreamEvent?: (event: StreamEvent) => void;
  /** Present when the call is traced: tell it of each engine hop (the router does). */
  observer?: CallObserver;
}

/** What a {@link CallModel} returns: the reply and which engine gave it. */
export interface ModelCallResult {
  response: EngineResponse;
  /** The engine that actually answered (differs from `ModelCall.engine` after a failover). */
  engine: string;
  /** Why the engine changed, when it did. */
  switchReason?: string;
  /** True when every hop was already reported through `onEngineSwitch`. */
  switchesReported?: boolean;
}

/**
 * The single seam through which every model call of a run passes: the adapter directly
 * ({@link callAdapterDirectly}) or the middleware chain and failover router ({@link callModelThroughRouter}).
 */
export type CallModel = (call: ModelCall) => Promise<ModelCallResult>;

/** Calls the adapter directly: `stream()` when the caller wants deltas, `generate()` otherwise. */
export const callAdapterDirectly: CallModel = (call) => {
  const { adapter } = call.binding;
  // Not async: a plain call is one `then` on the adapter's promise (an async frame and its await cost more).
  if (call.onStreamEvent === undefined) {
    const engine = call.engine;
    let pending: Promise<EngineResponse>;
    try {
      pending = adapter.generate(call.request);
    } catch (error) {
      return Promise.reject(error);
    }
    return pending.then((response) => ({ response, engine }));
  }
  return streamDirectly(adapter, call);
};

async function streamDirectly(adapter: EngineAdapter, call: ModelCall): Promise<ModelCallResult> {
  let final: EngineResponse | undefined;
  const forward = call.onStreamEvent!;
  await drainStream(adapter.stream(call.request), (event) => {
    if (event.type === 'stop') final = event.response;
    else forward(event);
  });
  if (final === undefined) throw new Error(`engine \`${call.engine}\` ended its stream without a final response`);
  return { response: final, engine: call.engine };
}
