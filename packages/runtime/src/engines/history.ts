import type { Message, ModelFeature, ToolCall } from '@sdl/adapters';

/** What {@link convertHistory} needs to know about the engine a conversation moves to. */
export interface HistoryTarget {
  features: readonly ModelFeature[];
}

function describeCall(call: ToolCall): string {
  return `[called tool ${call.name} with ${JSON.stringify(call.arguments)}]`;
}

/**
 * Prepares an engine-neutral conversation for another engine. Messages are already neutral
 * (adapters normalize tool-call ids and keep provider-only blocks out), so what remains is what
 * the target cannot take:
 * - tool calls that never got a result are dropped (providers reject a dangling call);
 * - results whose call is missing are kept as plain user text;
 * - for a model without the `tools` feature, calls and results become text, in order.
 * The system prompt is a separate field; each adapter places it where its provider wants it.
 */
export function convertHistory(messages: readonly Message[], target: HistoryTarget): Message[] {
  const answered = new Set(messages.filter((m) => m.role === 'tool').map((m) => (m as { toolCallId: string }).toolCallId));
  const called = new Set<string>();
  const tools = target.features.includes('tools');
  const out: Message[] = [];
  for (const m of messages) {
    if (m.role === 'assistant') {
      const calls = (m.toolCalls ?? []).filter((c) => answered.has(c.id));
      for (const c of calls) called.add(c.id);
      if (tools) {
        const copy: Message = { role: 'assistant', content: m.content };
        if (calls.length) copy.toolCalls = calls;
        out.push(copy);
      } else {
        const text = [m.content, ...calls.map(describeCall)].filter(Boolean).join('\n');
        out.push({ role: 'assistant', content: text });
      }
    } else if (m.role === 'tool') {
      if (tools && called.has(m.toolCallId)) out.push({ ...m });
      else out.push({ role: 'user', content: `[result of tool ${m.name}${m.isError ? ' (error)' : ''}]: ${m.content}` });
    } else out.push({ ...m });
  }
  return out;
}
