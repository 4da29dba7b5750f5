import type { Dialect, WireErrorKind } from './dialect.js';
import { bearer, isObject, sse, textOf } from './dialect.js';
import { chunkArguments, chunkText, type EmulatorMessage, type EmulatorRequest, type ResolvedReply } from './reply.js';
import { openaiAttachments, openaiRequestProblem } from './request-checks.js';

const ERRORS: Record<WireErrorKind, { type: string; code: string | null }> = {
  auth: { type: 'invalid_request_error', code: 'invalid_api_key' },
  invalid: { type: 'invalid_request_error', code: null },
  not_found: { type: 'invalid_request_error', code: 'model_not_found' },
  context: { type: 'invalid_request_error', code: 'context_length_exceeded' },
  rate_limited: { type: 'requests', code: 'rate_limit_exceeded' },
  overloaded: { type: 'server_error', code: null },
  server: { type: 'server_error', code: null },
  bad_gateway: { type: 'server_error', code: null },
  unavailable: { type: 'server_error', code: null },
};

const FINISH: Record<string, string> = { end: 'stop', max_tokens: 'length', stop_sequence: 'stop', tool_use: 'tool_calls', refusal: 'stop' };

/** OpenAI usage: prompt_tokens includes cached_tokens; completion_tokens includes reasoning_tokens. */
function usageOf(reply: ResolvedReply) {
  return {
    prompt_tokens: reply.inputTokens,
    completion_tokens: reply.outputTokens,
    total_tokens: reply.inputTokens + reply.outputTokens,
    prompt_tokens_details: { cached_tokens: reply.cacheReadTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reply.reasoning?.tokens ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** Formats a wait like OpenAI's `x-ratelimit-reset-*` headers: `20ms`, `1s`, `6m0s`. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

/** Chat Completions (`POST /v1/chat/completions`), JSON and data-only SSE ending in `[DONE]`. */
export const openaiDialect: Dialect = {
  provider: 'openai',
  basePath: '/v1',
  endpoint: '/v1/chat/completions',
  requestIdHeader: 'x-request-id',

  apiKey: (headers) => bearer(headers),

  parse(body, headers) {
    if (!isObject(body)) return 'We could not parse the JSON body of your request.';
    if (typeof body.model !== 'string') return "you must provide a model parameter";
    if (!Array.isArray(body.messages) || body.messages.length === 0) return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
    const problem = openaiRequestProblem(body);
    if (problem !== undefined) return problem;
    const messages: EmulatorMessage[] = [];
    const system: string[] = [];
    const callIds = new Set<string>();
    for (const [i, m] of body.messages.entries()) {
      if (!isObject(m)) return `Invalid type for 'messages[${i}]'`;
      if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content));
      else if (m.role === 'user') {
        const attachments = openaiAttachments(m.content, `messages[${i}]`);
        if (typeof attachments === 'string') return attachments;
        messages.push({ role: 'user', text: textOf(m.content), ...(attachments.length > 0 ? { attachments } : {}) });
      }
      else if (m.role === 'assistant') {
        const calls = (Array.isArray(m.tool_calls) ? m.tool_calls : []).filter(isObject).map((c) => {
          const fn = isObject(c.function) ? c.function : {};
          return { id: String(c.id), name: String(fn.name), arguments: String(fn.arguments ?? '') };
        });
        for (const c of calls) callIds.add(c.id);
        messages.push({ role: 'assistant', text: textOf(m.content), ...(calls.length > 0 ? { toolCalls: calls } : {}) });
      } else if (m.role === 'tool') {
        const id = String(m.tool_call_id);
        if (!callIds.has(id)) return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`;
        messages.push({ role: 'tool', text: textOf(m.content), toolCallId: id });
      } else return `Invalid value: '${String(m.role)}'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function', and 'developer'.`;
    }
    const format = isObject(body.response_format) ? body.response_format : undefined;
    const request: EmulatorRequest = {
      provider: 'openai',
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
    if (format?.type === 'json_schema' && isObject(format.json_schema) && isObject(format.json_schema.schema)) request.schema = format.json_schema.schema;
    else if (format?.type === 'json_object') request.jsonMode = true;
    const max = body.max_completion_tokens ?? body.max_tokens;
    if (typeof max === 'number') request.maxTokens = max;
    if (typeof body.stop === 'string') request.stop = [body.stop];
    else if (Array.isArray(body.stop)) request.stop = body.stop.map(String);
    if (typeof body.temperature === 'number') request.temperature = body.temperature;
    if (typeof body.reasoning_effort === 'string') request.reasoning = { effort: body.reasoning_effort };
    return request;
  },

  toolId: (n) => `call_emu${String(n).padStart(6, '0')}`,

  response(request, reply, ids) {
    return {
      id: ids.responseId,
      object: 'chat.completion',
      created: ids.created,
      model: request.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: (reply.toolCalls.length > 0 && reply.text === '') || reply.refusal !== undefined ? null : reply.text,
            refusal: reply.refusal ?? null,
            ...(reply.toolCalls.length > 0
              ? { tool_calls: reply.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) }
              : {}),
          },
          logprobs: null,
          finish_reason: FINISH[reply.stopReason],
        },
      ],
      usage: usageOf(reply),
    };
  },

  stream(request, reply, ids) {
    const body = request.body as { stream_options?: { include_usage?: boolean } };
    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: unknown, finish: string | null = null) =>
      sse({
        id: ids.responseId,
        object: 'chat.completion.chunk',
        created: ids.created,
        model: request.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(includeUsage ? { usage: null } : {}),
      });
    const frames = [chunk({ role: 'assistant', content: '', refusal: null })];
    for (const piece of chunkText(reply.text)) frames.push(chunk({ content: piece }));
    for (const piece of chunkText(reply.refusal ?? '')) frames.push(chunk({ refusal: piece }));
    reply.toolCalls.forEach((call, index) => {
      frames.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
      for (const piece of chunkArguments(call.arguments)) frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
    frames.push(chunk({}, FINISH[reply.stopReason]));
    if (includeUsage) {
      // The documented last chunk: empty choices, the whole request's usage.
      frames.push(
        sse({
          id: ids.responseId,
          object: 'chat.completion.chunk',
          created: ids.created,
          model: request.model,
          choices: [],
          usage: usageOf(reply),
        }),
      );
    }
    frames.push('data: [DONE]\n\n');
    return frames;
  },

  streamError: () => sse({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } }),

  malformedFrame: () => 'data: {"id": "chatcmpl-emu", "object": "chat.completion.chu\n\n',

  errorBody: (kind, message) => ({ error: { message, type: ERRORS[kind].type, param: null, code: ERRORS[kind].code } }),

  rateLimitHeaders: (s) => ({
    'x-ratelimit-limit-requests': String(s.limit),
    'x-ratelimit-remaining-requests': String(s.remaining),
    'x-ratelimit-reset-requests': duration(s.resetAt - s.now),
  }),
};
