/**
 * The response side of every adapter on hand-written wire bodies (this project's own, shaped like each
 * provider's documented replies), served over HTTP on 127.0.0.1 to the official SDKs: reasoning with
 * signatures, citations, refusals, tool plans, cache/reasoning/billed usage, unmapped blocks, and the
 * stream edge cases of issue 12 (input in content_block_start, whole message in message_start, a second
 * message in one stream, a tool call cut by max_tokens, OpenAI content arrays, Cohere `"null"` arguments).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type EngineResponse, type StreamEvent } from '@sdl/adapters';
import { startWireServer, type WireProvider, type WireServer } from './support/wire-server.js';

type Provider = WireProvider;

let wire: WireServer;
beforeAll(async () => {
  wire = await startWireServer();
});
afterAll(() => wire.close());

const generate = (provider: Provider, json: unknown): Promise<EngineResponse> => wire.generate(provider, json);
const stream = (provider: Provider, events: unknown[]): Promise<{ events: StreamEvent[]; response: EngineResponse }> => wire.stream(provider, events);

async function streamError(provider: Provider, events: unknown[]): Promise<unknown> {
  try {
    await stream(provider, events);
  } catch (err) {
    return err;
  }
  return undefined;
}

const of = <T extends StreamEvent['type']>(events: StreamEvent[], type: T) => events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type);

// ---- Anthropic -----------------------------------------------------------------------------------

const anthropicStart = (usage: object = { input_tokens: 40, output_tokens: 1 }, extra: object = {}) => ({
  type: 'message_start',
  message: { id: 'msg_sdl_1', type: 'message', role: 'assistant', model: 'claude-test-1', content: [], stop_reason: null, usage, ...extra },
});
const anthropicEnd = (stop_reason: string, usage: object = { output_tokens: 12 }) => [
  { type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage },
  { type: 'message_stop' },
];

describe('anthropic replies', () => {
  it('a whole reply keeps thinking with its signature, redacted thinking, text blocks with citations, server tool blocks, and cache usage', async () => {
    const r = await generate('anthropic', {
      id: 'msg_sdl_2',
      type: 'message',
      role: 'assistant',
      model: 'claude-test-1',
      content: [
        { type: 'thinking', thinking: 'The user wants the capital; the document says Canberra.', signature: 'sig-AAAA/bbbb==' },
        { type: 'redacted_thinking', data: 'ENCRYPTED-BLOB-123' },
        { type: 'text', text: 'According to the atlas, ' },
        {
          type: 'text',
          text: 'the capital is Canberra',
          citations: [{ type: 'char_location', cited_text: 'Canberra is the capital.', document_index: 0, document_title: 'Atlas', start_char_index: 10, end_char_index: 34 }],
        },
        { type: 'text', text: '.' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'capital of australia' } },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://example.test/au', title: 'AU' }] },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 25, cache_read_input_tokens: 9000, cache_creation_input_tokens: 500, output_tokens: 60 },
    });
    // Text blocks are joined exactly as sent: Anthropic splits sentences around citations, a separator would corrupt them.
    expect(r.text).toBe('According to the atlas, the capital is Canberra.');
    expect(r.usage).toEqual({ inputTokens: 9525, outputTokens: 60, cacheReadTokens: 9000, cacheWriteTokens: 500 });
    expect(r.parts?.map((p) => p.type)).toEqual(['reasoning', 'reasoning', 'text', 'text', 'text', 'other', 'other']);
    expect(r.parts?.[0]).toEqual({ type: 'reasoning', text: 'The user wants the capital; the document says Canberra.', signature: 'sig-AAAA/bbbb==', provider: 'anthropic' });
    expect(r.parts?.[1]).toEqual({ type: 'reasoning', text: '', redacted: 'ENCRYPTED-BLOB-123', provider: 'anthropic' });
    expect(r.citations).toEqual([
      { citedText: 'Canberra is the capital.', location: { unit: 'char', start: 10, end: 34 }, sources: [{ kind: 'document', title: 'Atlas', documentIndex: 0 }] },
    ]);
    expect(r.parts?.[5]).toMatchObject({ type: 'other', kind: 'server_tool_use', data: { name: 'web_search', input: { query: 'capital of australia' } } });
    expect(r.text).not.toContain('Canberra.\n');
    expect(JSON.stringify(r.text)).not.toContain('capital of australia');
  });

  it('a refusal stops as content_filter and carries the category and explanation of stop_details', async () => {
    const r = await generate('anthropic', {
      id: 'msg_sdl_3',
      type: 'message',
      role: 'assistant',
      model: 'claude-test-1',
      content: [],
      stop_reason: 'refusal',
      stop_details: { type: 'refusal', category: 'weapons', explanation: 'This request was declined under the usage policy.' },
      usage: { input_tokens: 12, output_tokens: 0 },
    });
    expect(r.stopReason).toBe('content_filter');
    expect(r.refusal).toEqual({ text: '', category: 'weapons', explanation: 'This request was declined under the usage policy.' });
    expect(r.text).toBe('');
  });

  it('a stream gives reasoning and citations their own events, never text-deltas', async () => {
    const { events, response } = await stream('anthropic', [
      anthropicStart({ input_tokens: 30, cache_read_input_tokens: 1200, output_tokens: 1 }),
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Check the ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'source first.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'SIG-xyz' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'citations_delta', citation: { type: 'page_location', cited_text: 'Page two says so.', document_index: 1, document_title: 'Report', start_page_number: 2, end_page_number: 3 } } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'It says so.' } },
      { type: 'content_block_stop', index: 1 },
      ...anthropicEnd('end_turn', { output_tokens: 20, cache_read_input_tokens: 1200 }),
    ]);
    expect(of(events, 'reasoning-delta').map((e) => e.text)).toEqual(['Check the ', 'source first.']);
    expect(of(events, 'reasoning-end')).toEqual([{ type: 'reasoning-end', part: { type: 'reasoning', text: 'Check the source first.', signature: 'SIG-xyz', provider: 'anthropic' } }]);
    expect(of(events, 'text-delta').map((e) => e.text)).toEqual(['It says so.']);
    expect(of(events, 'citation').map((e) => e.citation.location)).toEqual([{ unit: 'page', start: 2, end: 3 }]);
    expect(response.text).toBe('It says so.');
    expect(response.citations?.[0]?.citedText).toBe('Page two says so.');
    expect(response.usage).toEqual({ inputTokens: 1230, outputTokens: 20, cacheReadTokens: 1200 });
  });

  it('a tool_use whose input arrives whole in content_block_start (no input_json_delta) keeps that input', async () => {
    const { events, response } = await stream('anthropic', [
      anthropicStart(),
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_w1', name: 'lookup', input: { sku: 'A-17', qty: 2 } } },
      { type: 'content_block_stop', index: 0 },
      ...anthropicEnd('tool_use'),
    ]);
    expect(response.toolCalls).toEqual([{ id: 'call_toolu_w1', name: 'lookup', arguments: { sku: 'A-17', qty: 2 } }]);
    expect(of(events, 'tool-call-delta').map((e) => JSON.parse(e.argumentsDelta))).toEqual([{ sku: 'A-17', qty: 2 }]);
    expect(response.stopReason).toBe('tool_use');
  });

  it('a reply delivered whole in message_start (content and stop_reason there) is not empty', async () => {
    const { events, response } = await stream('anthropic', [
      anthropicStart({ input_tokens: 50, output_tokens: 9 }, {
        content: [
          { type: 'text', text: 'Rolling now.' },
          { type: 'tool_use', id: 'toolu_m1', name: 'roll', input: { sides: 6 } },
        ],
        stop_reason: 'tool_use',
      }),
      { type: 'message_stop' },
    ]);
    expect(response.text).toBe('Rolling now.');
    expect(response.toolCalls).toEqual([{ id: 'call_toolu_m1', name: 'roll', arguments: { sides: 6 } }]);
    expect(response.stopReason).toBe('tool_use');
    expect(of(events, 'tool-call-end')).toHaveLength(1);
  });

  it.each([
    [
      'a second message_start for another message inside the first',
      [anthropicStart(), { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, { type: 'message_start', message: { ...anthropicStart().message, id: 'msg_other' } }, ...anthropicEnd('end_turn')],
    ],
    [
      'a second whole message after message_stop',
      [anthropicStart(), ...anthropicEnd('end_turn'), { ...anthropicStart(), message: { ...anthropicStart().message, id: 'msg_next' } }, ...anthropicEnd('end_turn')],
    ],
    ['a content event after message_stop', [anthropicStart(), ...anthropicEnd('end_turn'), { type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'late' } }]],
  ])('%s is a retryable server EngineError, never two replies merged', async (_label, events) => {
    const err = await streamError('anthropic', events);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).kind).toBe('server');
    expect((err as EngineError).retryable).toBe(true);
    expect((err as EngineError).message).toMatch(/malformed response stream/);
  });

  it('a stream keeps the message-level fields and usage of message_start and message_delta, without changing the events it was given', async () => {
    const start = anthropicStart({ input_tokens: 40, output_tokens: 1, cache_read_input_tokens: 5 }, { container: { id: 'cntr_1' } });
    const delta = {
      type: 'message_delta',
      delta: { stop_reason: 'stop_sequence', stop_sequence: '###' },
      usage: { output_tokens: 12, server_tool_use: { web_search_requests: 2 } },
      context_management: { applied_edits: [] },
    };
    const given = JSON.stringify([start, delta]);
    const { response } = await stream('anthropic', [
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } },
      { type: 'content_block_stop', index: 0 },
      delta,
      { type: 'message_stop' },
    ]);
    expect(response.stopReason).toBe('stop_sequence');
    expect(response.stopSequence).toBe('###');
    expect(response.usage).toEqual({ inputTokens: 45, outputTokens: 12, cacheReadTokens: 5 });
    expect(response.unmapped).toEqual([
      { field: 'container', value: { id: 'cntr_1' } },
      { field: 'context_management', value: { applied_edits: [] } },
      { field: 'usage.server_tool_use', value: { web_search_requests: 2 } },
    ]);
    expect(JSON.stringify([start, delta])).toBe(given);
  });

  it('the same message_start restated inside its own message is ignored', async () => {
    const { response } = await stream('anthropic', [
      anthropicStart(),
      anthropicStart(),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'ok' } },
      { type: 'content_block_stop', index: 0 },
      ...anthropicEnd('end_turn'),
    ]);
    expect(response.text).toBe('ok');
  });

  it('a tool call cut by max_tokens ends with tool-call-abandoned, not a dangling start, and keeps what arrived', async () => {
    const { events, response } = await stream('anthropic', [
      anthropicStart(),
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_cut', name: 'write_file', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"path": "a.txt", "body": "half' } },
      ...anthropicEnd('max_tokens'),
    ]);
    expect(response.stopReason).toBe('max_tokens');
    expect(response.toolCalls).toEqual([]);
    expect(of(events, 'tool-call-end')).toEqual([]);
    expect(of(events, 'tool-call-abandoned')).toEqual([{ type: 'tool-call-abandoned', id: 'call_toolu_cut', reason: 'max_tokens' }]);
    expect(response.parts).toEqual([
      { type: 'other', provider: 'anthropic', kind: 'incomplete_tool_call', data: { id: 'call_toolu_cut', name: 'write_file', partialArguments: '{"path": "a.txt", "body": "half' } },
    ]);
  });
});

// ---- OpenAI --------------------------------------------------------------------------------------

const completion = (message: object, finish_reason: string, usage: object = { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 }) => ({
  id: 'chatcmpl-sdl',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason, logprobs: null }],
  usage,
});
const chunk = (delta: object, finish_reason: string | null = null) => ({ id: 'chatcmpl-sdl', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [{ index: 0, delta, finish_reason }] });
const usageChunk = (usage: object) => ({ id: 'chatcmpl-sdl', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [], usage });

describe('openai replies', () => {
  const refusal = "I'm sorry, I can't help with that request.";

  it('a refusal has the same stop reason and text on generate and on the stream', async () => {
    const whole = await generate('openai', completion({ content: null, refusal }, 'stop'));
    const { events, response } = await stream('openai', [
      chunk({ role: 'assistant', content: null, refusal: '' }),
      chunk({ refusal: "I'm sorry, " }),
      chunk({ refusal: "I can't help with that request." }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 }),
    ]);
    for (const r of [whole, response]) {
      expect(r.stopReason).toBe('content_filter');
      expect(r.refusal).toEqual({ text: refusal });
      expect(r.text).toBe('');
      expect(r.parts).toEqual([{ type: 'refusal', text: refusal }]);
    }
    expect(of(events, 'refusal-delta').map((e) => e.text).join('')).toBe(refusal);
    expect(of(events, 'text-delta')).toEqual([]);
  });

  it('content given as an array of parts (OpenAI-compatible servers) is text, with thinking parts as reasoning', async () => {
    const parts = [
      { type: 'thinking', thinking: [{ type: 'text', text: 'Add 390 and 1.' }] },
      { type: 'text', text: '391' },
    ];
    const whole = await generate('openai', completion({ content: parts }, 'stop'));
    const { events, response } = await stream('openai', [chunk({ role: 'assistant', content: [parts[0]] }), chunk({ content: [parts[1]] }), chunk({}, 'stop'), usageChunk({ prompt_tokens: 3, completion_tokens: 4 })]);
    for (const r of [whole, response]) {
      expect(r.text).toBe('391');
      expect(r.parts).toEqual([
        { type: 'reasoning', text: 'Add 390 and 1.', provider: 'openai' },
        { type: 'text', text: '391' },
      ]);
    }
    expect(of(events, 'text-delta').map((e) => e.text)).toEqual(['391']);
    expect(of(events, 'reasoning-delta').map((e) => e.text)).toEqual(['Add 390 and 1.']);
  });

  it('reasoning_content (DeepSeek-style servers) is reasoning, url annotations are citations', async () => {
    const r = await generate(
      'openai',
      completion(
        {
          content: 'See the docs.',
          reasoning_content: 'The user asked where to look.',
          annotations: [{ type: 'url_citation', url_citation: { url: 'https://docs.example.test/', title: 'Docs', start_index: 8, end_index: 12 } }],
        },
        'stop',
      ),
    );
    expect(r.text).toBe('See the docs.');
    expect(r.parts?.[0]).toEqual({ type: 'reasoning', text: 'The user asked where to look.', provider: 'openai' });
    expect(r.citations).toEqual([{ start: 8, end: 12, sources: [{ kind: 'web', url: 'https://docs.example.test/', title: 'Docs' }] }]);
  });

  it('usage reports cached prompt tokens and reasoning tokens inside prompt_tokens/completion_tokens', async () => {
    const r = await generate(
      'openai',
      completion({ content: 'ok' }, 'stop', {
        prompt_tokens: 2000,
        completion_tokens: 800,
        total_tokens: 2800,
        prompt_tokens_details: { cached_tokens: 1536 },
        completion_tokens_details: { reasoning_tokens: 512 },
      }),
    );
    expect(r.usage).toEqual({ inputTokens: 2000, outputTokens: 800, cacheReadTokens: 1536, reasoningTokens: 512 });
  });
});

// ---- Cohere --------------------------------------------------------------------------------------

describe('cohere replies', () => {
  it('arguments "null" is {}, tool_plan is its own part, billed_units are reported beside tokens', async () => {
    const r = await generate('cohere', {
      id: 'c-1',
      finish_reason: 'TOOL_CALL',
      message: {
        role: 'assistant',
        tool_plan: 'I will look up the current time.',
        tool_calls: [{ id: 'now_1', type: 'function', function: { name: 'current_time', arguments: 'null' } }],
      },
      usage: { billed_units: { input_tokens: 31, output_tokens: 9 }, tokens: { input_tokens: 520, output_tokens: 40 } },
    });
    expect(r.toolCalls).toEqual([{ id: 'call_now_1', name: 'current_time', arguments: {} }]);
    expect(r.text).toBe('');
    expect(r.parts).toEqual([{ type: 'tool-plan', text: 'I will look up the current time.' }, { type: 'tool-call', id: 'call_now_1' }]);
    expect(r.usage).toEqual({ inputTokens: 520, outputTokens: 40, billedInputTokens: 31, billedOutputTokens: 9 });
  });

  it('citations name the reply span and the documents behind it', async () => {
    const r = await generate('cohere', {
      id: 'c-2',
      finish_reason: 'COMPLETE',
      message: {
        role: 'assistant',
        content: [{ type: 'text', text: 'Emperor penguins are the tallest.' }],
        citations: [{ start: 0, end: 16, text: 'Emperor penguins', sources: [{ type: 'document', id: 'doc:0', document: { id: 'doc:0', title: 'Penguins', snippet: 'Emperor penguins are the tallest species.' } }] }],
      },
      usage: { billed_units: { input_tokens: 10, output_tokens: 7 }, tokens: { input_tokens: 300, output_tokens: 7 } },
    });
    expect(r.citations).toEqual([{ replyText: 'Emperor penguins', start: 0, end: 16, sources: [{ kind: 'document', id: 'doc:0', title: 'Penguins', text: 'Emperor penguins are the tallest species.' }] }]);
  });

  it('a stream gives the tool plan, thinking and citations their own events', async () => {
    const { events, response } = await stream('cohere', [
      { type: 'message-start', id: 'c-3', delta: { message: { role: 'assistant' } } },
      { type: 'content-start', index: 0, delta: { message: { content: { type: 'thinking', thinking: '' } } } },
      { type: 'content-delta', index: 0, delta: { message: { content: { thinking: 'Weigh the sources.' } } } },
      { type: 'content-end', index: 0 },
      { type: 'tool-plan-delta', delta: { message: { tool_plan: 'I will search ' } } },
      { type: 'tool-plan-delta', delta: { message: { tool_plan: 'the docs.' } } },
      { type: 'content-start', index: 1, delta: { message: { content: { type: 'text', text: '' } } } },
      { type: 'content-delta', index: 1, delta: { message: { content: { text: 'Tallest: emperor.' } } } },
      { type: 'citation-start', index: 0, delta: { message: { citations: { start: 9, end: 16, text: 'emperor', sources: [{ type: 'tool', id: 'search:0', tool_output: { title: 'Search' } }] } } } },
      { type: 'citation-end', index: 0 },
      { type: 'content-end', index: 1 },
      { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { billed_units: { input_tokens: 5, output_tokens: 3 }, tokens: { input_tokens: 200, output_tokens: 3 } } } },
    ]);
    expect(of(events, 'tool-plan-delta').map((e) => e.text).join('')).toBe('I will search the docs.');
    expect(of(events, 'reasoning-end').map((e) => e.part.text)).toEqual(['Weigh the sources.']);
    expect(of(events, 'citation').map((e) => e.citation.sources[0])).toEqual([{ kind: 'tool', id: 'search:0', title: 'Search' }]);
    expect(response.text).toBe('Tallest: emperor.');
    expect(of(events, 'text-delta').map((e) => e.text).join('')).toBe('Tallest: emperor.');
    expect(response.usage).toMatchObject({ billedInputTokens: 5, billedOutputTokens: 3 });
  });
});
