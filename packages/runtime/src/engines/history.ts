import type { Attachment, Message, ModelFeature, Provider, ToolCall, UserMessage } from '@sdl/adapters';

/** What {@link convertHistory} needs to know about the engine a conversation moves to. */
export interface HistoryTarget {
  features: readonly ModelFeature[];
  /** False when the target's model has no descriptor: its features are a guess, so attachments are kept as they are. */
  featuresKnown?: boolean;
  /** The target's provider; reasoning produced by another provider is dropped. Undefined keeps all. */
  provider?: Provider;
}

function describeAttachment(a: Attachment): string {
  const what = a.type === 'image' ? 'an image' : `a document${a.title !== undefined ? ` (${a.title})` : ''}`;
  return `[${what} was attached here; this engine cannot read it]`;
}

/** A user turn with the attachments the target cannot take replaced by a note in the text. */
function userTurnFor(m: UserMessage, target: HistoryTarget): UserMessage {
  if (m.attachments === undefined || target.featuresKnown === false) return { ...m };
  const takes = (a: Attachment) =>
    a.type === 'image' ? target.features.includes('vision') : a.source.kind === 'base64' && a.source.mediaType === 'text/plain' ? true : target.features.includes('pdf');
  const kept = m.attachments.filter(takes);
  const notes = m.attachments.filter((a) => !takes(a)).map(describeAttachment);
  const copy: UserMessage = { role: 'user', content: [...notes, m.content].filter(Boolean).join('\n') };
  if (kept.length > 0) copy.attachments = kept;
  return copy;
}

/** A user turn that every engine takes as it is. */
const isPlainUserTurn = (m: Message): boolean => m.role === 'user' && m.attachments === undefined;

/** The ids answered and called when a conversation has no tool results: none (never added to, since no call is kept). */
const NO_IDS: ReadonlySet<string> & Set<string> = new Set<string>();

function describeCall(call: ToolCall): string {
  return `[called tool ${call.name} with ${JSON.stringify(call.arguments)}]`;
}

/**
 * Prepares an engine-neutral conversation for another engine. Messages are already neutral
 * (adapters normalize tool-call ids and keep provider-only blocks out), so what remains is what
 * the target cannot take:
 * - tool calls that never got a result are dropped (providers reject a dangling call);
 * - results whose call is missing are kept as plain user text;
 * - for a model without the `tools` feature, calls and results become text, in order;
 * - reasoning parts of another provider are dropped (their signatures are only valid where they
 *   were made, and their text is not the reply);
 * - images (without `vision`) and PDFs (without `pdf`) become a note in the turn's text.
 * The system prompt is a separate field; each adapter places it where its provider wants it.
 */
export function convertHistory(messages: readonly Message[], target: HistoryTarget): Message[] {
  // Only user turns without attachments (a first turn): nothing to convert, so the turns are not copied one by one.
  if (messages.every(isPlainUserTurn)) return messages.slice();
  // Without tool results (a first turn, a plain chat) no call is answered: no sets to build.
  const answered = messages.some((m) => m.role === 'tool')
    ? new Set(messages.filter((m) => m.role === 'tool').map((m) => (m as { toolCallId: string }).toolCallId))
    : NO_IDS;
  const called = answered === NO_IDS ? NO_IDS : new Set<string>();
  const tools = target.features.includes('tools');
  const out: Message[] = [];
  for (const m of messages) {
    if (m.role === 'assistant') {
      const calls = (m.toolCalls ?? []).filter((c) => answered.has(c.id));
      for (const c of calls) called.add(c.id);
      // Reasoning (and its signature) is only valid on the provider that produced it.
      const reasoning = (m.reasoning ?? []).filter((p) => target.provider === undefined || p.provider === target.provider);
      if (tools) {
        const copy: Message = { role: 'assistant', content: m.content };
        if (calls.length) copy.toolCalls = calls;
        if (reasoning.length > 0) copy.reasoning = reasoning;
        out.push(copy);
      } else {
        const text = [m.content, ...calls.map(describeCall)].filter(Boolean).join('\n');
        out.push(reasoning.length > 0 ? { role: 'assistant', content: text, reasoning } : { role: 'assistant', content: text });
      }
    } else if (m.role === 'tool') {
      if (tools && called.has(m.toolCallId)) out.push({ ...m });
      else out.push({ role: 'user', content: `[result of tool ${m.name}${m.isError ? ' (error)' : ''}]: ${m.content}` });
    } else out.push(userTurnFor(m, target));
  }
  return out;
}
