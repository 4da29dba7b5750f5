/**
 * One model round trip from a prompt step: picks up the engine binding, forwards stream deltas as
 * events, reports engine switches, and books usage and cost on the step and on the run.
 */
import { costOf as modelCost, type EngineRequest, type EngineResponse, type ModelDescriptor, type Usage } from '@sdl/adapters';
import type { PromptStep } from '../load/loaded-skill.js';
import { callAdapterDirectly, type ModelCall, type ModelCallResult } from './call-model.js';
import type { RunContext, SkillFrame } from './context.js';
import { textDeltaEvent, type EventOrigin } from './events.js';
import { addEngine, type StepAccount } from './step-account.js';
import { SdlRuntimeError } from './errors.js';
import type { ModelCallObservation } from '../observability/telemetry.js';
import { withinTokenBudget } from './token-budget.js';

/** US dollars for the usage at the descriptor's prices, by the adapters' per-provider formula (0 when the price is unknown). */
export function costOf(usage: Usage, descriptor: ModelDescriptor | undefined): number {
  if (descriptor === undefined) return 0;
  return modelCost(descriptor, usage);
}

function descriptorFor(ctx: RunContext, frame: SkillFrame, engine: string, model: string): ModelDescriptor | undefined {
  // A loop, not `find` with an arrow: the arrow's closure was allocated twice per model call.
  const qualifications = frame.prepared.engineQualifications;
  for (let i = 0; i < qualifications.length; i++) {
    const q = qualifications[i]!;
    if (q.engine === engine && q.model === model) {
      if (q.descriptor !== undefined) return q.descriptor;
      break;
    }
  }
  return ctx.services.engines.get(engine)?.descriptor;
}

/**
 * One model call of `step` on `engine`, booked on `account` and the run's totals. Not `async` (an
 * async frame and its await cost ~0.4 KB more per call than one `then`): what fails before the call
 * is made (an unknown engine, the token budget) throws synchronously; every caller is inside an
 * async function or turns a throw into a rejection.
 */
export function modelTurn(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  origin: EventOrigin,
  account: StepAccount,
  engine: string,
  request: EngineRequest,
): Promise<EngineResponse>;
/** With `after`: what `after` makes of the booked reply, in the same `then` (one promise layer less than a `then` of the caller's). */
export function modelTurn<T>(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  origin: EventOrigin,
  account: StepAccount,
  engine: string,
  request: EngineRequest,
  after: (response: EngineResponse) => T,
): Promise<T>;
export function modelTurn(
  ctx: RunContext,
  frame: SkillFrame,
  step: PromptStep,
  origin: EventOrigin,
  account: StepAccount,
  engine: string,
  request: EngineRequest,
  after?: (response: EngineResponse) => unknown,
): Promise<unknown> {
  const binding = ctx.services.engines.get(engine);
  if (binding === undefined) {
    throw new SdlRuntimeError('engine_unknown', `engine \`${engine}\` is not configured in this runtime`, { location: step.source });
  }
  request = withinTokenBudget(ctx, frame, step, request, descriptorFor(ctx, frame, engine, request.model));
  const emit = ctx.emit;
  if (emit === undefined && ctx.obs === undefined && ctx.services.callModel === callAdapterDirectly) {
    // The default seam, unobserved and not streamed, reads only the binding and the request: the
    // adapter is called here, without the ModelCall, its result object and a `then` (~0.3 KB).
    return binding.adapter.generate(request).then((response) => {
      const booked = bookResponse(ctx, frame, origin, account, engine, request, undefined, engine, response);
      return after === undefined ? booked : after(booked);
    });
  }
  // Optional fields are set only when present (a CallModel may tell absent from undefined).
  const call: ModelCall = {
    engine,
    binding,
    request,
    skill: frame.prepared.skill,
    step,
    policies: frame.prepared.skill.policies,
    candidates: frame.prepared.engines,
    runId: ctx.runId,
  };
  if (ctx.deadline !== undefined) call.deadline = ctx.deadline;
  if (ctx.session !== undefined) call.sessionId = ctx.session.id;
  if (emit !== undefined) {
    call.onEngineSwitch = (hop) => emit({ type: 'engine-switch', ...hop, ...origin });
    call.onStreamEvent = (event) => {
      if (event.type === 'text-delta') emit(textDeltaEvent(event.text, origin));
    };
  }
  const observed = ctx.obs?.modelCall(engine, binding.adapter.provider, request);
  if (observed === undefined) {
    return ctx.services.callModel(call).then((result) => {
      const booked = bookTurn(ctx, frame, origin, account, engine, request, undefined, result);
      return after === undefined ? booked : after(booked);
    });
  }
  call.observer = observed;
  const reportSwitch = call.onEngineSwitch;
  call.onEngineSwitch = (hop) => {
    observed.switched(hop);
    reportSwitch?.(hop);
  };
  let pending: Promise<ModelCallResult>;
  try {
    pending = observed.run(ctx.services.callModel, call);
  } catch (error) {
    observed.fail(error);
    throw error;
  }
  return pending.then(
    (result) => {
      const booked = bookTurn(ctx, frame, origin, account, engine, request, observed, result);
      return after === undefined ? booked : after(booked);
    },
    (error: unknown) => {
      observed.fail(error);
      throw error;
    },
  );
}

/** Reports an engine switch the CallModel did not report itself, then books the reply. */
function bookTurn(
  ctx: RunContext,
  frame: SkillFrame,
  origin: EventOrigin,
  account: StepAccount,
  engine: string,
  request: EngineRequest,
  observed: ModelCallObservation | undefined,
  result: ModelCallResult,
): EngineResponse {
  if (result.engine !== engine && !result.switchesReported) {
    const hop = { from: engine, to: result.engine, ...(result.switchReason ? { reason: result.switchReason } : {}) };
    observed?.switched(hop);
    ctx.emit?.({ type: 'engine-switch', ...hop, ...origin });
  }
  return bookResponse(ctx, frame, origin, account, engine, request, observed, result.engine, result.response);
}

/** Books the reply of `used` (the engine that answered): span end, usage and cost, the usage event. */
function bookResponse(
  ctx: RunContext,
  frame: SkillFrame,
  origin: EventOrigin,
  account: StepAccount,
  engine: string,
  request: EngineRequest,
  observed: ModelCallObservation | undefined,
  used: string,
  response: EngineResponse,
): EngineResponse {
  const emit = ctx.emit;
  const model = used === engine ? request.model : response.model;
  const costUsd = costOf(response.usage, descriptorFor(ctx, frame, used, model));
  observed?.end(used, ctx.services.engines.get(used)?.adapter.provider, response, costUsd);

  account.modelCalls++;
  account.usage.inputTokens += response.usage.inputTokens;
  account.usage.outputTokens += response.usage.outputTokens;
  account.costUsd += costUsd;
  addEngine(account, used);
  const totals = ctx.totals;
  totals.usage.inputTokens += response.usage.inputTokens;
  totals.usage.outputTokens += response.usage.outputTokens;
  totals.cost += costUsd;
  addEngine(totals, used);
  emit?.({ type: 'usage', engine: used, model: response.model, usage: response.usage, costUsd, ...origin });
  return response;
}
