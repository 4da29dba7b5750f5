/**
 * The wire format of runs: snake_case field names like the rest of SDL's JSON (`skillc run
 * --json`), the caller's data (inputs, outputs, tool arguments and results) left as it is.
 */
import type { RunEvent, RunResult } from '@sdl/runtime';
import type { JsonValue, Usage } from '@sdl/adapters';

/** The JSON answer of a finished run (also the data of the `done` event). */
export interface RunAnswer {
  run_id: string;
  output: JsonValue;
  usage: { input_tokens: number; output_tokens: number };
  cost: number;
  engines: string[];
}

const usageOf = (usage: Usage) => ({ input_tokens: usage.inputTokens, output_tokens: usage.outputTokens });

/** The answer for `result`. */
export function runAnswer(runId: string, result: RunResult): RunAnswer {
  return { run_id: runId, output: result.output, usage: usageOf(result.usage), cost: result.cost, engines: result.engines };
}

/** The data of one server-sent event for a run event other than `done` and `error` (those the route writes itself). */
export function eventData(event: Exclude<RunEvent, { type: 'done' } | { type: 'error' }>): Record<string, unknown> {
  const origin = { skill: event.skill, path: event.path, step: event.step, ...(event.index === undefined ? {} : { index: event.index }) };
  switch (event.type) {
    case 'step-start':
      return origin;
    case 'step-end':
      return { ...origin, status: event.status, output: event.output, duration_ms: event.durationMs };
    case 'text-delta':
      return { ...origin, text: event.text };
    case 'tool-call':
      return { ...origin, call: { id: event.call.id, name: event.call.name, arguments: event.call.arguments } };
    case 'tool-result':
      return { ...origin, call_id: event.callId, name: event.name, result: event.result, is_error: event.isError };
    case 'usage':
      return { ...origin, engine: event.engine, model: event.model, usage: usageOf(event.usage), cost_usd: event.costUsd };
    case 'engine-switch':
      return { ...origin, from: event.from, to: event.to, ...(event.reason === undefined ? {} : { reason: event.reason }) };
  }
}
