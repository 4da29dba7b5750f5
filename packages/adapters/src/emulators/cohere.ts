import type { Dialect } from './dialect.js';
import { bearer, isObject, sse, textOf } from './dialect.js';
import { chunkArguments, chunkText, type EmulatorCitation, type EmulatorMessage, type EmulatorRequest, type ResolvedReply } from './reply.js';
import { cohereAttachments, cohereDocuments, cohereRequestProblem } from './request-checks.js';

const FINISH: Record<string, string> = { end: 'COMPLETE', max_tokens: 'MAX_TOKENS', stop_sequence: 'STOP_SEQUENCE', tool_use: 'TOOL_CALL', refusal: 'COMPLETE' };

/** Cohere bills fewer input tokens than the model reads (its prompt template is not billed): `tokens` vs `billed_units`. */
const TEMPLATE_TOKENS = 7;
function usageOf(reply: ResolvedReply) {
  return {
    billed_units: { input_tokens: reply.inputTokens, output_tokens: reply.outputTokens },
    tokens: { input_tokens: reply.inputTokens + TEMPLATE_TOKENS, output_tokens: reply.outputTokens },
    ...(reply.cacheReadTokens > 0 ? { cached_tokens: reply.cacheReadTokens } : {}),
  };
}

/** A citation of a request document, over the whole reply text (the emulator does not track spans). */
function citationOf(c: EmulatorCitation, text: string) {
  const id = `doc:${c.documentIndex ?? 0}`;
  return { start: 0, end: text.length, text, sources: [{ type: 'document', id, document: { id, ...(c.documentTitle ? { title: c.documentTitle } : {}), snippet: c.citedText } }] };
}

/** Cohere's v2 Chat API (`POST /v2/chat`), JSON and SSE with `message-start` ... `message-end`. */
export const cohereDialect: Dialect = {
  provider: 'cohere',
  basePath: '',
  endpoint: '/v2/chat',
  requestIdHeader: 'x-debug-trace-id',

  apiKey: (headers) => bearer(headers),

  parse(body, headers) {
    if (!isObject(body)) return 'invalid request: the body must be a JSON object';
    if (typeof body.model !== 'string') return 'invalid request: model must be specified';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'invalid request: messages must not be empty';
    const problem = cohereRequestProblem(body);
    if (problem !== undefined) return problem;
    const messages: EmulatorMessage[] = [];
    const system: string[] = [];
    const callIds = new Set<string>();
    for (const [i, m] of body.messages.entries()) {
      if (!isObject(m)) return `invalid request: messages[${i}] must be an object`;
      if (m.role === 'system') system.push(textOf(m.content));
      else if (m.role === 'user') {
        const attachments = cohereAttachments(m.content, `messages[${i}]`);
        if (typeof attachments === 'string') return attachments;
        messages.push({ role: 'user', text: textOf(m.content), ...(attachments.length > 0 ? { attachments } : {}) });
      }
      else if (m.role === 'assistant') {
        const calls = (Array.isArray(m.tool_calls) ? m.tool_calls : []).filter(isObject).map((c) => {
          const fn = isObject(c.function) ? c.function : {};
          return { id: String(c.id), name: String(fn.name), arguments: String(fn.arguments ?? '') };
        });
        for (const c of calls) callIds.add(c.id);
        const text = textOf(m.content) || (typeof m.tool_plan === 'string' ? m.tool_plan : '');
        messages.push({ role: 'assistant', text, ...(calls.length > 0 ? { toolCalls: calls } : {}) });
      } else if (m.role === 'tool') {
        const id = String(m.tool_call_id);
        if (!callIds.has(id)) return `invalid request: tool message references unknown tool_call_id ${id}`;
        messages.push({ role: 'tool', text: textOf(m.content), toolCallId: id });
      } else return `invalid request: messages[${i}].role must be one of system, user, assistant, tool`;
    }
    const format = isObject(body.response_format) ? body.response_format : undefined;
    const request: EmulatorRequest = {
      provider: 'cohere',
      model: body.model,
      messages,
      tools: (Array.isArray(body.tools) ? body.tools : [])
        .filter((t) => isObject(t) && isObject(t.function))
        .map((t) => {
          const fn = (t as { function: Record<string, unknown> }).function;
          return { name: String(fn.name), ...(typeof fn.description === 'string' ? { description: fn.description } : {}), parameters: (fn.parameters ?? {}) as Record<string, unknown> };
        }),
      stream: body.stream === true,
      body,
      headers,
    };
    if (system.length > 0) request.system = system.join('\n');
    if (format?.type === 'json_object' && isObject(format.json_schema)) request.schema = format.json_schema;
    else if (format?.type === 'json_object') request.jsonMode = true;
    if (typeof body.max_tokens === 'number') request.maxTokens = body.max_tokens;
    if (Array.isArray(body.stop_sequences)) request.stop = body.stop_sequences.map(String);
    if (typeof body.temperature === 'number') request.temperature = body.temperature;
    if (isObject(body.thinking) && body.thinking.type === 'enabled') {
      request.reasoning = typeof body.thinking.token_budget === 'number' ? { budgetTokens: body.thinking.token_budget } : {};
    }
    const documents = cohereDocuments(body);
    if (documents.length > 0) request.documents = documents;
    return request;
  },

  toolId: (n, name) => `${name}_emu${String(n).padStart(6, '0')}`,

  response(_request, reply, ids) {
    const usage = usageOf(reply);
    const text = reply.refusal ?? reply.text;
    const thinking = reply.reasoning ? [{ type: 'thinking', thinking: reply.reasoning.text }] : [];
    return {
      id: ids.responseId,
      finish_reason: FINISH[reply.stopReason],
      message: {
        role: 'assistant',
        ...(reply.toolCalls.length > 0
          ? {
              tool_plan: `I will call ${reply.toolCalls.map((c) => c.name).join(', ')}.`,
              tool_calls: reply.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
            }
          : { content: [...thinking, { type: 'text', text }] }),
        ...(reply.citations.length > 0 ? { citations: reply.citations.map((c) => citationOf(c, text)) } : {}),
      },
      usage,
    };
  },

  stream(_request, reply, ids) {
    const ev = (type: string, rest: Record<string, unknown>) => sse({ type, ...rest }, type);
    const frames = [ev('message-start', { id: ids.responseId, delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } })];
    if (reply.toolCalls.length > 0) {
      const plan = `I will call ${reply.toolCalls.map((c) => c.name).join(', ')}.`;
      for (const piece of chunkText(plan)) frames.push(ev('tool-plan-delta', { delta: { message: { tool_plan: piece } } }));
      reply.toolCalls.forEach((call, index) => {
        frames.push(ev('tool-call-start', { index, delta: { message: { tool_calls: { id: call.id, type: 'function', function: { name: call.name, arguments: '' } } } } }));
        for (const piece of chunkArguments(call.arguments)) {
          frames.push(ev('tool-call-delta', { index, delta: { message: { tool_calls: { function: { arguments: piece } } } } }));
        }
        frames.push(ev('tool-call-end', { index }));
      });
    } else {
      const text = reply.refusal ?? reply.text;
      let index = 0;
      if (reply.reasoning) {
        frames.push(ev('content-start', { index, delta: { message: { content: { type: 'thinking', thinking: '' } } } }));
        for (const piece of chunkText(reply.reasoning.text)) frames.push(ev('content-delta', { index, delta: { message: { content: { thinking: piece } } } }));
        frames.push(ev('content-end', { index }));
        index++;
      }
      frames.push(ev('content-start', { index, delta: { message: { content: { type: 'text', text: '' } } } }));
      for (const piece of chunkText(text)) frames.push(ev('content-delta', { index, delta: { message: { content: { text: piece } } } }));
      reply.citations.forEach((c, i) => {
        frames.push(ev('citation-start', { index: i, delta: { message: { citations: citationOf(c, text) } } }));
        frames.push(ev('citation-end', { index: i }));
      });
      frames.push(ev('content-end', { index }));
    }
    frames.push(
      ev('message-end', {
        delta: {
          finish_reason: FINISH[reply.stopReason],
          usage: usageOf(reply),
        },
      }),
    );
    return frames;
  },

  streamError: () => sse({ type: 'message-end', delta: { finish_reason: 'ERROR', error: 'internal server error' } }, 'message-end'),

  malformedFrame: () => `event: content-delta\ndata: {"type": "content-delta", "index": 0, "delta": {"mess\n\n`,

  errorBody: (_kind, message) => ({ message }),

  rateLimitHeaders: (s) => ({
    'x-endpoint-monthly-call-limit': String(s.limit),
    'x-trial-endpoint-call-limit': String(s.limit),
    'x-trial-endpoint-call-remaining': String(s.remaining),
  }),
};
