/**
 * Memory that summarizes (`memory.summarize`): when a session's history would pass `max_turns`,
 * the oldest turns are folded into a running summary by one model call, kept beside the turns in
 * the same store (a namespaced value, so every store holds it) and sent ahead of the recent turns.
 * The summary carries the turn range it covers; a turn is folded exactly once.
 */
import type { EngineRequest, Message } from '@sdl/adapters';
import type { RunContext, SessionState } from './context.js';
import { modelTurn } from './model-turn.js';
import { append, newStepAccount } from './step-account.js';
import { SdlRuntimeError } from './errors.js';

/** The summary record kept per session (namespace `summary`, key: the session id). */
export interface SessionSummary {
  /** The summary text. */
  text: string;
  /** The first turn it covers (always 1: the summary folds from the start). */
  from: number;
  /** The last turn it covers; turns after it are kept verbatim. */
  through: number;
  /** The engine that wrote it. */
  engine: string;
  /** Epoch ms of the fold. */
  at: number;
}

/** Where summaries live in a store's namespaced values. */
export const SUMMARY_NAMESPACE = 'summary';

/** The instructions of the summary call when the skill gives none. */
export const DEFAULT_SUMMARY_PROMPT =
  'You maintain the running summary of a conversation between a user and an assistant. Rewrite the summary so far ' +
  'together with the new turns into one summary that keeps every fact, name, number, decision, preference and open ' +
  'question a later turn may need. Write plain sentences, no preamble.';

/** The summary as a block of the system prompt, ahead of the step's own system prompt. */
export function summaryBlock(summary: SessionSummary): string {
  return `Summary of the earlier conversation (turns ${summary.from}–${summary.through}):\n${summary.text}`;
}

/** A turn as transcript text for the summary call. */
function transcriptLine(seq: number, message: Message): string {
  if (message.role === 'tool') return `[${seq}] tool ${message.name} returned: ${message.content}`;
  const calls = message.role === 'assistant' && message.toolCalls?.length ? ` (called ${message.toolCalls.map((c) => `${c.name}(${JSON.stringify(c.arguments)})`).join(', ')})` : '';
  return `[${seq}] ${message.role}: ${message.content}${calls}`;
}

/**
 * Before the run's new turns are appended: folds the oldest turns into the summary when the
 * history would pass `max_turns`, and returns the window the append keeps (`maxTurns` of the
 * append). The fold ends just before a user turn, so the verbatim part never starts inside a tool
 * exchange. The summary is written before the turns are appended: a crash between the two leaves
 * turns that the summary already covers, which reads skip.
 */
export async function foldIfNeeded(ctx: RunContext, session: SessionState): Promise<number | undefined> {
  const policy = session.summarize;
  const budget = session.maxTurns;
  if (policy === undefined || budget === undefined) return budget;
  const through = session.summary?.through ?? 0;
  const version = session.version ?? 0;
  const all: Array<{ seq: number; message: Message }> = [
    ...(session.storedTurns ?? []).filter((t) => t.seq > through),
    ...session.newTurns.map((t, i) => ({ seq: version + 1 + i, message: t.message })),
  ];
  if (all.length <= budget) return budget;

  const last = version + session.newTurns.length;
  let cut = last - policy.keepRecent;
  // `all` holds consecutive positions from its first one (after `through`, or later when turns were
  // dropped before the skill summarized), so the turn at position p is all[p - first].
  const first = all[0]!.seq;
  while (cut > through && all[cut + 1 - first]?.message.role !== 'user') cut--;
  if (cut <= through) return budget; // no user turn to start the verbatim part at: keep dropping as before
  const folded = all.slice(0, Math.max(0, cut + 1 - first));

  const call = session.lastCall;
  if (call === undefined) return budget;
  const engine = policy.engine ?? call.engine;
  const binding = ctx.services.engines.get(engine);
  if (binding === undefined) throw new SdlRuntimeError('engine_unknown', `memory.summarize: engine \`${engine}\` is not configured in this runtime`);
  const previous = session.summary === undefined ? '(none yet)' : session.summary.text;
  const request: EngineRequest = {
    model: call.frame.prepared.skill.engines.models[engine] ?? binding.model,
    stepId: 'memory.summarize',
    stepPath: 'memory.summarize',
    system: policy.prompt ?? DEFAULT_SUMMARY_PROMPT,
    messages: [
      {
        role: 'user',
        content: `Summary so far (turns 1–${through}):\n${previous}\n\nNew turns ${through + 1}–${cut}:\n${folded.map((t) => transcriptLine(t.seq, t.message)).join('\n')}`,
      },
    ],
  };
  if (ctx.cancel.mayAbort) request.signal = ctx.cancel.signal;
  const account = newStepAccount();
  const startedAt = ctx.services.now();
  const origin = { skill: call.frame.prepared.skill.name, path: [], step: 'memory.summarize' };
  const response = await modelTurn(ctx, call.frame, call.step, origin, account, engine, request);
  const summary: SessionSummary = { text: response.text, from: 1, through: cut, engine, at: ctx.services.now() };
  await session.store.set!(SUMMARY_NAMESPACE, session.id, summary as unknown as import('@sdl/adapters').JsonValue, session.ttlMs === undefined ? {} : { ttlMs: session.ttlMs });
  session.summary = summary;
  append(ctx.totals, 'trace', {
    skill: origin.skill,
    path: [],
    step: 'memory.summarize',
    status: 'ok',
    engines: account.engines,
    usage: account.usage,
    costUsd: account.costUsd,
    modelCalls: account.modelCalls,
    toolCalls: 0,
    repairs: 0,
    startedAt,
    durationMs: ctx.services.now() - startedAt,
    summary: { from: 1, through: cut },
  });
  return last - cut;
}
