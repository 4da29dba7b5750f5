/**
 * Typed errors a host sees from `runtime.run` / `runtime.stream`. Every error that a skill author
 * can cause carries the `file:line:col` of the YAML node responsible, and never a secret.
 */
import { formatLocation, type SourceLocation } from '../load/loaded-skill.js';

/** Base class; `code` is stable and meant for programs, `message` for people. */
export class SdlRuntimeError extends Error {
  readonly code: string;
  readonly location?: SourceLocation;

  constructor(code: string, message: string, options: { location?: SourceLocation; cause?: unknown } = {}) {
    super(
      options.location === undefined ? message : `${formatLocation(options.location)}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.code = code;
    if (options.location !== undefined) this.location = options.location;
  }
}

/** One problem with a value, at a JSON Pointer path (`/items/0/name`; `` for the value itself). */
export interface ValueProblem {
  path: string;
  message: string;
}

/** The run's input does not match the skill's `inputs` schema. */
export class InputValidationError extends SdlRuntimeError {
  readonly problems: ValueProblem[];
  readonly skill: string;

  constructor(skill: string, problems: ValueProblem[], what = 'input') {
    super(
      'input_invalid',
      `invalid ${what} for skill \`${skill}\`:\n` +
        problems.map((p) => `  - ${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('\n'),
    );
    this.skill = skill;
    this.problems = problems;
  }
}

/** The run's `deadlineMs` passed before it finished; in-flight calls were aborted. */
export class DeadlineExceededError extends SdlRuntimeError {
  readonly deadlineMs: number;
  constructor(deadlineMs: number) {
    super('deadline_exceeded', `run did not finish within its deadline of ${deadlineMs} ms`);
    this.deadlineMs = deadlineMs;
  }
}

/** The caller's signal was aborted; in-flight calls were aborted with it. */
export class RunCancelledError extends SdlRuntimeError {
  constructor(reason?: unknown) {
    super(
      'cancelled',
      `run cancelled${reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : ''}`,
      { cause: reason },
    );
  }
}

/** A `when`, `for_each`, `with:` or `return` expression (or a template) failed while evaluating. */
export class ExpressionEvaluationError extends SdlRuntimeError {
  constructor(what: string, text: string, location: SourceLocation, cause: unknown) {
    super('expression_failed', `${what} \`${text}\` failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      location,
      cause,
    });
  }
}

/** A `for_each` expression did not produce a list. */
export class ForEachNotListError extends SdlRuntimeError {
  constructor(stepId: string, text: string, got: string, location: SourceLocation) {
    super('for_each_not_list', `step \`${stepId}\`: for_each \`${text}\` must produce a list, got ${got}`, {
      location,
    });
  }
}

/** A prompt step's model kept calling tools beyond `max_tool_iterations`. */
export class ToolLoopLimitError extends SdlRuntimeError {
  readonly iterations: number;
  constructor(stepId: string, iterations: number, location: SourceLocation) {
    super(
      'tool_loop_limit',
      `step \`${stepId}\`: the model was still calling tools after ${iterations} round trips ` +
        `(max_tool_iterations: ${iterations}); raise max_tool_iterations or tell the model when to stop`,
      { location },
    );
    this.iterations = iterations;
  }
}

/**
 * The model refused (stop reason `content_filter`) in a step that needs JSON output: there is no value
 * to validate, and asking it to repair a refusal is pointless. `refusal` is the model's own words.
 */
export class ModelRefusedError extends SdlRuntimeError {
  readonly refusal: string;
  constructor(stepId: string, refusal: string, location: SourceLocation) {
    super(
      'model_refused',
      `step \`${stepId}\`: the model refused to answer${refusal ? ` ("${refusal.length > 200 ? `${refusal.slice(0, 200)}...` : refusal}")` : ''}, so the step has no JSON output; ` +
        'rephrase the prompt, or route the step to another engine',
      { location },
    );
    this.refusal = refusal;
  }
}

/** A `tool:` step's host tool threw, or its arguments did not match the declared schema. */
export class ToolStepError extends SdlRuntimeError {
  readonly tool: string;
  constructor(stepId: string, tool: string, message: string, location: SourceLocation, cause?: unknown) {
    super('tool_failed', `step \`${stepId}\`: tool \`${tool}\` ${message}`, { location, cause });
    this.tool = tool;
  }
}

/** Wraps an unexpected failure inside a step with the step's id and location. */
export class StepFailedError extends SdlRuntimeError {
  readonly stepId: string;
  constructor(stepId: string, location: SourceLocation, cause: unknown) {
    super('step_failed', `step \`${stepId}\` failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      location,
      cause,
    });
    this.stepId = stepId;
  }
}
