/**
 * The step scheduler. A skill's steps form a graph through `dependsOn`; each step starts as soon
 * as the steps it reads are done, so independent steps run concurrently. `when:` false skips a step
 * (its output is null); `for_each` runs the step once per item, at most `concurrency` at a time,
 * keeping outputs in input order. The first failure cancels the steps still running in the same
 * skill and is rethrown once they have settled, so nothing keeps running after a run ends.
 */
import { isEngineError, type JsonValue } from '@sdl/adapters';
import type { LoadedSkill, LoadedStep, ScopeVariables } from '../load/loaded-skill.js';
import { childContext, withObservation, type RunContext, type SkillFrame } from './context.js';
import { ExpressionEvaluationError, ForEachNotListError, SdlRuntimeError, StepFailedError } from './errors.js';
import { celTypeOf, evaluateExpression } from './evaluate.js';
import type { EventOrigin } from './events.js';
import type { TraceEntry } from './result.js';
import { append, type StepAccount } from './step-account.js';
import { runPromptStep } from './step-prompt.js';
import { runToolStep } from './step-tool.js';
import { runUseStep } from './step-use.js';

/** Steps of a skill by id, made once per skill (skills are immutable once loaded). */
const stepsById = new WeakMap<LoadedSkill, ReadonlyMap<string, LoadedStep>>();

/** The `steps` of a one-step skill without `return:`: never written (runSteps writes its own map). */
const NO_OUTPUTS: ScopeVariables['steps'] = Object.freeze({});

/** Runs every step of the frame's skill on an already validated input and returns the skill's result. */
export function runSkill(parent: RunContext, frame: SkillFrame, input: JsonValue): Promise<JsonValue> {
  const skill = frame.prepared.skill;
  const only = skill.steps.length === 1 ? skill.steps[0]! : undefined;
  // A durable run's top-level steps go through `start` in runSteps, which records them.
  const durable = frame.path.length === 0 ? parent.durable : undefined;
  if (only === undefined || only.dependsOn.length > 0 || durable !== undefined) return runSteps(parent, frame, { inputs: input, steps: {} }, durable);
  // A single step without `return:` has no later reader of its output in `steps`: one shared empty map.
  const outputs: ScopeVariables['steps'] = skill.returns === undefined ? NO_OUTPUTS : {};
  const vars: ScopeVariables = { inputs: input, steps: outputs };
  // One step: no sibling to cancel when it fails and nothing to schedule, so it runs in the
  // parent's context without a child scope or a graph walk (and without an async frame of its own).
  let pending: Promise<JsonValue>;
  try {
    pending = executeStep(parent, frame, only, vars);
  } catch (error) {
    return Promise.reject(error);
  }
  // Without `return:` nothing reads the step's output from `vars` again: no closure for it, and
  // for a prompt step no `then` at all (its output is the reply text or a parsed JSON value, never undefined).
  if (skill.returns === undefined) return only.kind === 'prompt' ? pending : pending.then(orNull);
  const returns = skill.returns;
  return pending.then((output) => {
    outputs[only.id] = { output };
    return evaluateExpression(returns, vars, '`return`', parent.interrupt);
  });
}

const orNull = (output: JsonValue | undefined): JsonValue => output ?? null;

/** The steps of a skill with more than one step (or a durable run's), in dependency order, concurrently where they may. */
async function runSteps(parent: RunContext, frame: SkillFrame, vars: ScopeVariables, durable: RunContext['durable']): Promise<JsonValue> {
  const skill = frame.prepared.skill;
  const outputs = vars.steps;
  const { ctx, abort, dispose } = childContext(parent, skill.steps.length > 1);
  let byId = stepsById.get(skill);
  if (byId === undefined) {
    byId = new Map(skill.steps.map((step) => [step.id, step]));
    stepsById.set(skill, byId);
  }
  const started = new Map<string, Promise<void>>();

  const start = (step: LoadedStep): Promise<void> => {
    let promise = started.get(step.id);
    if (promise === undefined) {
      const dependencies = step.dependsOn.map((id) => {
        const dependency = byId.get(id);
        if (dependency === undefined) {
          return Promise.reject(
            new SdlRuntimeError('step_unknown', `step \`${step.id}\` depends on unknown step \`${id}\``, { location: step.source }),
          );
        }
        return start(dependency);
      });
      promise = Promise.all(dependencies).then(async () => {
        const recorded = durable?.recorded(step.id);
        if (recorded !== undefined) {
          outputs[step.id] = { output: recorded.output };
          return;
        }
        const output = await executeStep(ctx, frame, step, vars);
        outputs[step.id] = { output };
        await durable?.complete(step.id, output, ctx.totals);
      });
      started.set(step.id, promise);
    }
    return promise;
  };

  const all = skill.steps.map(start);
  try {
    await Promise.all(all);
  } catch (error) {
    abort(error);
    await Promise.allSettled(all);
    throw parent.cancel.aborted ? parent.cancel.reason : error;
  } finally {
    dispose();
  }
  if (skill.returns !== undefined) return evaluateExpression(skill.returns, vars, '`return`', parent.interrupt);
  const last = skill.steps[skill.steps.length - 1];
  return last === undefined ? null : (outputs[last.id]?.output ?? null);
}

/** The step's place in the run, for its events and trace entry. */
function originOf(frame: SkillFrame, step: LoadedStep): EventOrigin {
  return { skill: frame.prepared.skill.name, path: frame.path.length === 0 ? [step.id] : [...frame.path, step.id], step: step.id };
}

/**
 * Runs one step (every item of a `for_each` step). Not `async`: a plain step hands back the
 * promise of its one execution without another promise round; it throws when the run is already
 * cancelled (callers await it inside `async` functions, where that becomes a rejection).
 */
function executeStep(ctx: RunContext, frame: SkillFrame, step: LoadedStep, vars: ScopeVariables): Promise<JsonValue> {
  ctx.cancel.throwIfAborted();
  if (step.when === undefined && step.forEach === undefined) return runOnce(ctx, frame, step, vars, originOf(frame, step));
  return executeConditionalStep(ctx, frame, step, vars);
}

async function executeConditionalStep(ctx: RunContext, frame: SkillFrame, step: LoadedStep, vars: ScopeVariables): Promise<JsonValue> {
  const origin = originOf(frame, step);
  if (step.when !== undefined) {
    const condition = evaluateExpression(step.when, vars, `\`when\` of step \`${step.id}\``, ctx.interrupt);
    if (typeof condition !== 'boolean') {
      throw new ExpressionEvaluationError(
        `\`when\` of step \`${step.id}\``,
        step.when.text,
        step.when.source,
        new TypeError(`expected bool, got ${celTypeOf(condition)}`),
      );
    }
    if (!condition) {
      ctx.emit?.({ type: 'step-start', ...origin });
      ctx.emit?.({ type: 'step-end', status: 'skipped', output: null, durationMs: 0, ...origin });
      closeTrace(ctx, origin, openTrace(origin, ctx.services.now()), 'skipped');
      ctx.obs?.step(step, origin).end('skipped');
      return null;
    }
  }

  if (step.forEach === undefined) return runOnce(ctx, frame, step, vars, origin);

  const { over, as, concurrency } = step.forEach;
  const items = evaluateExpression(over, vars, `\`for_each\` of step \`${step.id}\``, ctx.interrupt);
  if (!Array.isArray(items)) throw new ForEachNotListError(step.id, over.text, celTypeOf(items), over.source);
  const startedAt = ctx.services.now();
  ctx.emit?.({ type: 'step-start', ...origin });
  const limit = Math.max(1, concurrency ?? ctx.services.defaultForEachConcurrency);
  // The items' spans sit under one span of the whole step.
  const observed = ctx.obs?.step(step, origin, items.length);
  let results: JsonValue[];
  try {
    results = await mapBounded(observed === undefined ? ctx : withObservation(ctx, observed.scope), items, limit, (itemCtx, item, index) =>
      runOnce(itemCtx, frame, step, { ...vars, [as]: item, index }, { ...origin, index }, true),
    );
  } catch (error) {
    observed?.end('error', ctx.cancel.aborted ? ctx.cancel.reason : error);
    throw error;
  }
  observed?.end('ok');
  ctx.emit?.({ type: 'step-end', status: 'ok', output: results, durationMs: ctx.services.now() - startedAt, ...origin });
  return results;
}

/** Runs one execution of a step (the step, or one `for_each` item) with its events and trace entry. */
function runOnce(
  ctx: RunContext,
  frame: SkillFrame,
  step: LoadedStep,
  vars: ScopeVariables,
  origin: EventOrigin,
  isItem = false,
): Promise<JsonValue> {
  // Not async itself: the step's outcome is booked in one `then` (an async frame per step cost
  // more than the booking; see bench/README.md, http).
  let stepCtx = ctx;
  let entry: TraceEntry;
  let observed: ReturnType<NonNullable<RunContext['obs']>['step']> | undefined;
  let pending: Promise<JsonValue>;
  try {
    entry = openTrace(origin, ctx.services.now());
    if (!isItem) ctx.emit?.({ type: 'step-start', ...origin });
    observed = ctx.obs?.step(step, origin);
    if (observed !== undefined) stepCtx = withObservation(ctx, observed.scope);
  } catch (error) {
    return Promise.reject(error);
  }
  try {
    pending = runKind(stepCtx, frame, step, vars, origin, entry);
  } catch (caught) {
    pending = Promise.reject(caught);
  }
  return pending.then(
    (output) => {
      closeTrace(stepCtx, origin, entry, 'ok');
      observed?.end('ok', undefined, entry);
      if (!isItem) stepCtx.emit?.({ type: 'step-end', status: 'ok', output, durationMs: stepCtx.services.now() - entry.startedAt, ...origin });
      return output;
    },
    (caught: unknown) => {
      const error = stepCtx.cancel.aborted ? stepCtx.cancel.reason : locate(caught, step);
      closeTrace(stepCtx, origin, entry, 'error', error);
      observed?.end('error', error, entry);
      throw error;
    },
  );
}

/** Runs the step by its kind. */
function runKind(ctx: RunContext, frame: SkillFrame, step: LoadedStep, vars: ScopeVariables, origin: EventOrigin, account: StepAccount): Promise<JsonValue> {
  switch (step.kind) {
    case 'prompt':
      return runPromptStep(ctx, frame, step, vars, origin, account);
    case 'tool':
      return runToolStep(ctx, frame, step, vars).then((output) => {
        account.toolCalls++;
        return output;
      });
    case 'use':
      return runUseStep(ctx, frame, step, vars, runSkill);
  }
}

/** Typed errors pass through; anything else gets the step's id and location. */
function locate(error: unknown, step: LoadedStep): unknown {
  return error instanceof SdlRuntimeError || isEngineError(error) ? error : new StepFailedError(step.id, step.source, error);
}

/**
 * The trace entry of a step execution, made when it starts: it is also the step's account (usage,
 * cost, engines, calls are booked on it), so there is no account to copy into an entry at the end.
 * Keys in the order the entry always had; status and duration are set by {@link closeTrace}.
 */
function openTrace(origin: EventOrigin, startedAt: number): TraceEntry {
  return {
    skill: origin.skill,
    path: origin.path,
    step: origin.step,
    status: 'ok',
    engines: [],
    usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: 0,
    modelCalls: 0,
    toolCalls: 0,
    repairs: 0,
    startedAt,
    durationMs: 0,
  };
}

/** Ends a step execution's entry and appends it to the run's trace. */
function closeTrace(ctx: RunContext, origin: EventOrigin, entry: TraceEntry, status: TraceEntry['status'], error?: unknown): void {
  entry.status = status;
  entry.durationMs = ctx.services.now() - entry.startedAt;
  if (origin.index !== undefined) entry.index = origin.index;
  if (error !== undefined) entry.error = error instanceof Error ? error.message : String(error);
  append(ctx.totals, 'trace', entry);
}

/**
 * Maps items with at most `limit` in flight, results in input order. The first failure stops new
 * items from starting and cancels the ones in flight; it is rethrown once they have settled.
 */
async function mapBounded<T, R>(
  parent: RunContext,
  items: readonly T[],
  limit: number,
  fn: (ctx: RunContext, item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const { ctx, abort, dispose } = childContext(parent, items.length > 1);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(ctx, items[index]!, index);
      } catch (error) {
        if (failure === undefined) {
          failure = { error };
          abort(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker)).finally(dispose);
  if (failure !== undefined) throw parent.cancel.aborted ? parent.cancel.reason : failure.error;
  return results;
}
