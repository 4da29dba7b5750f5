/**
 * Conversation memory. The runtime needs only these two operations of the state store
 * (`StateStore` in `../state`), so any store that has them works: memory, file or Redis.
 */
import type { Message } from '@sdl/adapters';
import type { SessionState } from './context.js';

/** The part of the state store that conversation memory uses. */
export interface ConversationStore {
  /** Appends turns to a session, trimming to `maxTurns` and refreshing the time to live. */
  appendTurns(
    sessionId: string,
    turns: ReadonlyArray<{ message: Message; engine?: string }>,
    options?: { maxTurns?: number; ttlMs?: number },
  ): Promise<unknown>;
  /** The session's retained turns, or `undefined` when it does not exist or has expired. */
  getSession(sessionId: string): Promise<{ turns: ReadonlyArray<{ message: Message }> } | undefined>;
}

/** The session's stored history (loaded once per run, on first use). */
export function sessionHistory(session: SessionState): Promise<Message[]> {
  session.history ??= session.store
    .getSession(session.id)
    .then((found) => (found === undefined ? [] : startAtUserTurn(found.turns.map((turn) => turn.message))));
  return session.history;
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
export async function saveSessionTurns(session: SessionState): Promise<void> {
  if (session.newTurns.length === 0) return;
  const options: { maxTurns?: number; ttlMs?: number } = {};
  if (session.maxTurns !== undefined) options.maxTurns = session.maxTurns;
  if (session.ttlMs !== undefined) options.ttlMs = session.ttlMs;
  await session.store.appendTurns(session.id, session.newTurns, options);
}
