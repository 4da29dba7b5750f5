import type { Dialect, WireErrorKind } from './dialect.js';
import { bearer, header, isObject, sse, textOf } from './dialect.js';
import { chunkArguments, chunkText, type EmulatorCitation, type EmulatorMessage, type EmulatorRequest, type ResolvedReply } from './reply.js';
import { anthropicAttachments, anthropicRequestProblem } from './request-checks.js';

const ERROR_TYPES: Record<WireErrorKind, string> = {
  auth: 'authentication_error',
  invalid: 'invalid_request_error',
  not_found: 'not_found_error',
  context: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  overloaded: 'overloaded_error',
  server: 'api_error',
  bad_gateway: 'api_error',
  unavailable: 'api_error',
};

const STOP: Record<string, string> = { end: 'end_turn', max_tokens: 'max_tokens', stop_sequence: 'stop_sequence', tool_use: 'tool_use', refusal: 'refusal' };

/** Anthropic usage: `input_tokens` excludes cache reads and writes, which have fields of their own. */
function usageOf(reply: ResolvedReply, outputTokens: number) {
  return {
    input_tokens: reply.inputTokens - reply.cacheReadTokens - reply.cacheWriteTokens,
    cache_creation_input_tokens: reply.cacheWriteTokens,
    cache_read_input_tokens: reply.cacheReadTokens,
    output_tokens: outputTokens,
  };
}

/** A citation of a document of the request, as a `char_location` (the emulator does not track offsets: 0..length). */
function citationOf(c: EmulatorCitation) {
  return { type: 'char_location', cited_text: c.citedText, document_index: c.documentIndex ?? 0, document_title: c.documentTitle ?? null, start_char_index: 0, end_char_index: c.citedText.length };
}

/** The refusal's stop details, as the API gives them with `stop_reason: refusal`. */
const stopDetails = (reply: ResolvedReply) => (reply.refusal !== undefined ? { type: 'refusal', category: 'emulated', explanation: reply.refusal } : null);

/** The Messages API (`POST /v1/messages`), JSON and SSE, as documented by Anthropic. */
export const anthropicDialect: Dialect = {
  provider: 'anthropic',
  basePath: '',
  endpoint: '/v1/messages',
  requestIdHeader: 'request-id',

  apiKey: (headers) => header(headers, 'x-api-key') ?? bearer(headers),

  parse(body, headers) {
    if (!isObject(body)) return 'the request body must be a JSON object';
    if (typeof body.model !== 'string') return 'model: Field required';
    if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
    const problem = anthropicRequestProblem(body);
    if (problem !== undefined) return problem;
    const messages: EmulatorMessage[] = [];
    const toolUseIds = new Set<string>();
    for (const [i, m] of body.messages.entries()) {
      if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
      const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : undefined;
      if (!blocks) return `messages.${i}.content: Input should be a valid string or list`;
      if (m.role === 'assistant') {
        const calls = blocks
          .filter((b) => isObject(b) && b.type === 'tool_use')
          .map((b) => ({ id: String(b.id), name: String(b.name), arguments: JSON.stringify(b.input ?? {}) }));
        for (const c of calls) toolUseIds.add(c.id);
        messages.push({ role: 'assistant', text: textOf(blocks.filter((b) => isObject(b) && b.type === 'text')), ...(calls.length > 0 ? { toolCalls: calls } : {}) });
        continue;
      }
      const attachments = anthropicAttachments(blocks, `messages.${i}`);
      if (typeof attachments === 'string') return attachments;
      let pending = attachments.length > 0 ? attachments : undefined;
      for (const b of blocks) {
        if (!isObject(b)) continue;
        if (b.type === 'tool_result') {
          const id = String(b.tool_use_id);
          if (!toolUseIds.has(id)) {
            return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
          }
          messages.push({ role: 'tool', text: textOf(b.content), toolCallId: id });
        } else if (b.type === 'text') {
          messages.push({ role: 'user', text: String(b.text), ...(pending ? { attachments: pending } : {}) });
          pending = undefined;
        }
      }
    }
    const system = typeof body.system === 'string' ? body.system : Array.isArray(body.system) ? textOf(body.system) : undefined;
    const format = isObject(body.output_config) && isObject(body.output_config.format) ? body.output_config.format : undefined;
    const request: EmulatorRequest = {
      provider: 'anthropic',
      model: body.model,
      messages,
      tools: Array.isArray(body.tools)
        ? body.tools.filter(isObject).map((t) => ({ name: String(t.name), ...(typeof t.description === 'string' ? { description: t.description } : {}), parameters: (t.input_schema ?? {}) as Record<string, unknown> }))
        : [],
      stream: body.stream === true,
      maxTokens: body.max_tokens,
      body,
      headers,
    };
    if (system !== undefined && system !== '') request.system = system;
    if (format?.type === 'json_schema' && isObject(format.schema)) request.schema = format.schema;
    if (Array.isArray(body.stop_sequences)) request.stop = body.stop_sequences.map(String);
    if (typeof body.temperature === 'number') request.temperature = body.temperature;
    if (isObject(body.thinking) && body.thinking.type !== 'disabled') {
      const effort = isObject(body.output_config) ? body.output_config.effort : undefined;
      request.reasoning = {
        ...(typeof body.thinking.budget_tokens === 'number' ? { budgetTokens: body.thinking.budget_tokens } : {}),
        ...(typeof effort === 'string' ? { effort } : {}),
      };
    }
    return request;
  },

  toolId: (n) => `toolu_emu${String(n).padStart(6, '0')}`,

  response(request, reply, ids) {
    const content: unknown[] = [];
    if (reply.reasoning) content.push({ type: 'thinking', thinking: reply.reasoning.text, signature: reply.reasoning.signature });
    if (reply.text !== '' || (reply.toolCalls.length === 0 && reply.refusal === undefined)) {
      content.push({ type: 'text', text: reply.text, ...(reply.citations.length > 0 ? { citations: reply.citations.map(citationOf) } : {}) });
    }
    for (const c of reply.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments) });
    return {
      id: ids.responseId,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content,
      stop_reason: STOP[reply.stopReason],
      stop_sequence: reply.stopSequence ?? null,
      ...(reply.refusal !== undefined ? { stop_details: stopDetails(reply) } : {}),
      usage: usageOf(reply, reply.outputTokens),
    };
  },

  stream(request, reply, ids) {
    const frames = [
      sse(
        {
          type: 'message_start',
          message: {
            id: ids.responseId,
            type: 'message',
            role: 'assistant',
            model: request.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: usageOf(reply, 1),
          },
        },
        'message_start',
      ),
    ];
    let index = 0;
    if (reply.reasoning) {
      frames.push(sse({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }, 'content_block_start'));
      for (const piece of chunkText(reply.reasoning.text)) {
        frames.push(sse({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } }, 'content_block_delta'));
      }
      frames.push(sse({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: reply.reasoning.signature } }, 'content_block_delta'));
      frames.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
      index++;
    }
    if (reply.text !== '' || (reply.toolCalls.length === 0 && reply.refusal === undefined)) {
      frames.push(sse({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start'));
      frames.push(sse({ type: 'ping' }, 'ping'));
      for (const c of reply.citations) {
        frames.push(sse({ type: 'content_block_delta', index, delta: { type: 'citations_delta', citation: citationOf(c) } }, 'content_block_delta'));
      }
      for (const piece of chunkText(reply.text)) {
        frames.push(sse({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }, 'content_block_delta'));
      }
      frames.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
      index++;
    }
    for (const call of reply.toolCalls) {
      frames.push(sse({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }, 'content_block_start'));
      for (const piece of chunkArguments(call.arguments)) {
        frames.push(sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }, 'content_block_delta'));
      }
      frames.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
      index++;
    }
    frames.push(
      sse(
        {
          type: 'message_delta',
          delta: { stop_reason: STOP[reply.stopReason], stop_sequence: reply.stopSequence ?? null, ...(reply.refusal !== undefined ? { stop_details: stopDetails(reply) } : {}) },
          usage: usageOf(reply, reply.outputTokens),
        },
        'message_delta',
      ),
    );
    frames.push(sse({ type: 'message_stop' }, 'message_stop'));
    return frames;
  },

  streamError: () => sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error'),

  malformedFrame: () => `event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_del\n\n`,

  errorBody: (kind, message, ids) => ({ type: 'error', error: { type: ERROR_TYPES[kind], message }, request_id: ids.requestId }),

  rateLimitHeaders: (s) => ({
    'anthropic-ratelimit-requests-limit': String(s.limit),
    'anthropic-ratelimit-requests-remaining': String(s.remaining),
    'anthropic-ratelimit-requests-reset': new Date(s.resetAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }),
};
