import type { Usage } from '@sdl/adapters';

/** Per step (per item) accounting, copied into the trace when the step ends. */
export interface StepAccount {
  usage: Usage;
  costUsd: number;
  engines: string[];
  modelCalls: number;
  toolCalls: number;
  repairs: number;
}

export function newStepAccount(): StepAccount {
  return { usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, engines: [], modelCalls: 0, toolCalls: 0, repairs: 0 };
}
