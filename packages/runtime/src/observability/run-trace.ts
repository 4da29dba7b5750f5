/**
 * The run trace: one JSON document describing everything a run did — every step and `for_each`
 * item, nested `use:` skills, each model call with its rendered prompt and reply (redacted), the
 * engine hops and attempts under it (retries, failovers), tool calls, timings, tokens and cost.
 * Published schema: `spec/run-trace.schema.json` (`format: sdl-run-trace`, `version: 1`).
 * Spans form a tree through `parentId`; times are milliseconds from the run's start.
 */
import type { Usage } from '@sdl/adapters';

/** What one span of a run trace stands for. */
export type RunTraceSpanKind = 'run' | 'skill' | 'step' | 'item' | 'model_call' | 'hop' | 'attempt' | 'tool_call';

/** One message as the model saw it (text redacted). */
export interface RunTraceMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Tool calls the assistant asked for. */
  toolCalls?: Array<{ id: string; name: string; arguments: unknown }>;
  /** For `tool` messages: which call this answers. */
  toolCallId?: string;
}

/** One node of the run trace's tree. */
export interface RunTraceSpan {
  id: string;
  parentId?: string;
  kind: RunTraceSpanKind;
  /** Short label: the skill, step id (`id[3]` for items), model, engine or tool name. */
  name: string;
  /** Milliseconds from the run's start. */
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error' | 'skipped';
  /** What went wrong (redacted; the error kind for engine errors). */
  error?: string;
  skill?: string;
  /** Step ids from the top-level skill down to this step. */
  path?: string[];
  step?: string;
  stepKind?: 'prompt' | 'tool' | 'use';
  index?: number;
  /** Model calls: the engine chosen first; `engine` is the one that answered. */
  requestedEngine?: string;
  engine?: string;
  provider?: string;
  model?: string;
  responseModel?: string;
  responseId?: string;
  finishReason?: string;
  usage?: Usage;
  costUsd?: number;
  /** The rendered prompt: system instructions and messages, redacted. */
  prompt?: { system?: string; messages: RunTraceMessage[] };
  /** The model's reply, redacted. */
  reply?: { text: string; toolCalls: Array<{ id: string; name: string; arguments: unknown }> };
  /** Engine switches of a model call, in order. */
  switches?: Array<{ from: string; to: string; reason: string }>;
  /** Attempts: the attempt number on its engine (1 = first). */
  attempt?: number;
  /** Attempts that failed and were retried: the wait before the next one. */
  retryInMs?: number;
  /** Hops that failed over: why. */
  failoverReason?: string;
  /** Tool calls. */
  tool?: string;
  callId?: string;
  arguments?: unknown;
  result?: unknown;
}

/** The whole run trace document. */
export interface RunTrace {
  format: 'sdl-run-trace';
  version: 1;
  runId: string;
  skill: { name: string; version: string; hash: string };
  status: 'ok' | 'error';
  error?: { name: string; code?: string; message: string };
  /** Epoch milliseconds (the runtime's clock). */
  startedAt: number;
  durationMs: number;
  usage: Usage;
  costUsd: number;
  engines: string[];
  spans: RunTraceSpan[];
}
