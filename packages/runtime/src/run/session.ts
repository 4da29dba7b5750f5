/**
 * Conversation memory. The runtime needs only these two operations of the state store
 * (`StateStore` in `../state`), so any store that has them works: memory, file or Redis.
 */
import type { JsonValue, Message } from '@sdl/adapters';
import type { RunContext, SessionState } from './context.js';
import { SdlRuntimeError } from './errors.js';
import { foldIfNeeded, SUMMARY_NAMESPACE, type SessionSummary } from './summary.js';

/** The part of the state store that conversation memory uses. */
export interface ConversationStore {
  /** Appends turns to a session, trimming to `maxTurns` and refreshing the time to live. */
  appendTurns(
    sessionId: string,
    turns: ReadonlyArray<{ message: Message; engine?: string }>,
    options?: { maxTurns?: number; ttlMs?: number },
  ): Promise<unknown>;
  /** The session's retained turns, or `undefined` when it does not exist or has expired. */
  getSession(sessionId: string): Promise<{ turns: ReadonlyArray<{ message: Message; seq?: number }>; version?: number } | undefined>;
  /** A namespaced value (the session's summary, with `memory.summarize`); every `StateStore` has it. */
  get?(namespace: string, key: string): Promise<{ value: JsonValue } | undefined>;
  /** Writes a namespaced value (the session's summary, with `memory.summarize`). */
  set?(namespace: string, key: string, value: JsonValue, options?: { ttlMs?: number }): Promise<void>;
}

/** The session's stored history (loaded once per run, on first use). */
export function sessionHistory(session: SessionState): Promise<Message[]> {
  session.history ??= session.summarize === undefined
    ? session.store.getSession(session.id).then((found) => (found === undefined ? [] : startAtUserTurn(found.turns.map((turn) => turn.message))))
    : summarizedHistory(session);
  return session.history;
}

/** With `memory.summarize`: the summary (kept on the session state) and the turns after it. */
async function summarizedHistory(session: SessionState): Promise<Message[]> {
  const { store } = session;
  if (store.get === undefined || store.set === undefined) {
    throw new SdlRuntimeError('state_unsupported', '`memory.summarize` needs a state store with namespaced values (get/set): every StateStore (memory, file, Redis) has them');
  }
  const [found, stored] = await Promise.all([store.getSession(session.id), store.get(SUMMARY_NAMESPACE, session.id)]);
  const summary = stored?.value as SessionSummary | undefined;
  if (summary !== undefined) session.summary = summary;
  session.version = found?.version ?? 0;
  const first = (found?.version ?? 0) - (found?.turns.length ?? 0) + 1;
  session.storedTurns = (found?.turns ?? []).map((t, i) => ({ seq: t.seq ?? first + i, message: t.message }));
  const through = summary?.through ?? 0;
  return startAtUserTurn(session.storedTurns.filter((t) => t.seq > through).map((t) => t.message));
}

/**
 * Drops messages before the first user message. The `max_turns` window trims by message, so it can
 * cut a tool exchange in half; a tool result or tool call whose partner was trimmed away would make
 * every provider reject the request.
 */
export function startAtUserTurn(messages: Message[]): Message[] {
  const first = messages.findIndex((m) => m.role === 'user');
  return first <= 0 ? (first === 0 ? messages : []) : messages.slice(first);
}

/** Appends the run's new turns atomically (one store call), within the window and TTL. */
export async function saveSessionTurns(session: SessionState, ctx: RunContext): Promise<void> {
  if (session.newTurns.length === 0) return;
  const options: { maxTurns?: number; ttlMs?: number } = {};
  // With `memory.summarize` the oldest turns are folded into the summary before the window drops them.
  const window = session.summarize === undefined ? session.maxTurns : await foldIfNeeded(ctx, session);
  if (window !== undefined) options.maxTurns = window;
  if (session.ttlMs !== undefined) options.ttlMs = session.ttlMs;
  await session.store.appendTurns(session.id, session.newTurns, options);
}
