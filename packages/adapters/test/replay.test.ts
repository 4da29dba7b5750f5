/**
 * Replays hand-written fixtures in each provider's documented response and stream formats through the
 * real adapter + SDK: a tiny local server answers every request with the fixture's bytes.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicAdapter,
  CohereAdapter,
  type EngineAdapter,
  EngineError,
  type EngineResponse,
  OpenAIAdapter,
  type StreamEvent,
} from '@sdl/adapters';

type Provider = 'anthropic' | 'openai' | 'cohere';

interface Replay {
  provider: Provider;
  fixture: string;
  status?: number;
  headers?: Record<string, string>;
  /** For a successful call: what the adapter must produce. */
  response?: Partial<EngineResponse>;
  /** Stream-only checks on the event sequence. */
  events?: (events: StreamEvent[]) => void;
  error?: { kind: string; retryAfterMs?: number };
}

const replays: Replay[] = [
  {
    provider: 'anthropic',
    fixture: 'message-multi-block.json',
    headers: { 'request-id': 'req_fixture_1' },
    response: {
      text: "I'll check the weather in both cities. One moment.",
      toolCalls: [
        { id: 'call_toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'celsius' } },
        { id: 'call_toolu_01B7x2kX9mZ3jdwq8', name: 'get_weather', arguments: { location: 'New York, NY', unit: 'celsius' } },
      ],
      usage: { inputTokens: 472, outputTokens: 131 },
      stopReason: 'tool_use',
      model: 'claude-sonnet-5',
      requestId: 'req_fixture_1',
    },
  },
  {
    provider: 'anthropic',
    fixture: 'stream-multi-block.sse',
    // The stream's request id is read from the response headers (sdk.ts's DeadlineClient).
    headers: { 'request-id': 'req_fixture_stream_1' },
    response: {
      text: "Okay, let's check the weather for San Francisco, CA:",
      toolCalls: [{ id: 'call_toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'fahrenheit' } }],
      usage: { inputTokens: 472, outputTokens: 89 },
      stopReason: 'tool_use',
      requestId: 'req_fixture_stream_1',
    },
    events(events) {
      expect(events.filter((e) => e.type === 'text-delta').map((e) => (e.type === 'text-delta' ? e.text : ''))).toEqual(['Okay', ',', " let's check the weather for San Francisco, CA:"]);
      expect(events.filter((e) => e.type === 'tool-call-delta')).toHaveLength(8);
      // Text block events come before the tool block's.
      const kinds = events.map((e) => e.type);
      expect(kinds.indexOf('tool-call-start')).toBeGreaterThan(kinds.lastIndexOf('text-delta'));
    },
  },
  { provider: 'anthropic', fixture: 'stream-overloaded.sse', error: { kind: 'overloaded' } },
  {
    provider: 'anthropic',
    fixture: 'error-rate-limit.json',
    status: 429,
    headers: { 'retry-after': '7', 'anthropic-ratelimit-requests-reset': '2099-01-01T00:00:00Z' },
    error: { kind: 'rate_limited', retryAfterMs: 7000 },
  },
  {
    provider: 'openai',
    fixture: 'chat-completion-tool-calls.json',
    headers: { 'x-request-id': 'req_oa_1' },
    response: {
      text: '',
      toolCalls: [
        { id: 'call_abc123', name: 'get_current_weather', arguments: { location: 'Boston, MA' } },
        { id: 'call_def456', name: 'get_current_weather', arguments: { location: 'Paris, France', unit: 'celsius' } },
      ],
      usage: { inputTokens: 82, outputTokens: 17 },
      stopReason: 'tool_use',
      model: 'gpt-5.4-2026-03-05',
      requestId: 'req_oa_1',
    },
  },
  {
    provider: 'openai',
    fixture: 'stream-text.sse',
    response: { text: 'Hello there!', toolCalls: [], usage: { inputTokens: 9, outputTokens: 3 }, stopReason: 'end' },
  },
  {
    provider: 'openai',
    fixture: 'stream-tool-calls.sse',
    response: {
      text: '',
      toolCalls: [
        { id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather', arguments: { location: 'Paris, France' } },
        { id: 'call_Xb8m2ZKqY0hQe4v1mPz7Lr5s', name: 'get_weather', arguments: { location: 'Bogotá, Colombia' } },
      ],
      usage: { inputTokens: 58, outputTokens: 41 },
      stopReason: 'tool_use',
    },
    events(events) {
      expect(events.filter((e) => e.type === 'tool-call-start').map((e) => (e.type === 'tool-call-start' ? e.id : ''))).toEqual([
        'call_DdmO9pD3xa9XTPNJ32zg2hcA',
        'call_Xb8m2ZKqY0hQe4v1mPz7Lr5s',
      ]);
      expect(events.filter((e) => e.type === 'tool-call-delta')).toHaveLength(5);
    },
  },
  { provider: 'openai', fixture: 'stream-error-chunk.sse', error: { kind: 'server' } },
  { provider: 'openai', fixture: 'error-context-length.json', status: 400, error: { kind: 'context_length' } },
  {
    provider: 'openai',
    fixture: 'error-rate-limit.json',
    status: 429,
    headers: { 'x-ratelimit-reset-requests': '1m30s', 'x-ratelimit-reset-tokens': '6s' },
    error: { kind: 'rate_limited', retryAfterMs: 6000 },
  },
  {
    provider: 'cohere',
    fixture: 'chat-response.json',
    response: {
      text: 'LLMs stand for Large Language Models, which are a type of neural network model specialized in processing and generating human language.',
      toolCalls: [],
      usage: { inputTokens: 71, outputTokens: 418 },
      stopReason: 'end',
    },
  },
  {
    provider: 'cohere',
    fixture: 'chat-tool-calls.json',
    response: {
      toolCalls: [{ id: 'call_query_daily_sales_report_1462q5ha36gp', name: 'query_daily_sales_report', arguments: { day: '2023-09-29' } }],
      usage: { inputTokens: 913, outputTokens: 83 },
      stopReason: 'tool_use',
    },
  },
  {
    provider: 'cohere',
    fixture: 'stream-tool-calls.sse',
    response: {
      text: '',
      toolCalls: [
        { id: 'call_get_weather_nsz5zm3w56q3', name: 'get_weather', arguments: { location: 'Toronto' } },
        { id: 'call_get_weather_xyz9k2m1', name: 'get_weather', arguments: { location: 'Oslo' } },
      ],
      usage: { inputTokens: 913, outputTokens: 83 },
      stopReason: 'tool_use',
    },
    events(events) {
      expect(events.map((e) => e.type)).toEqual([
        'tool-plan-delta',
        'tool-plan-delta',
        'tool-call-start',
        'tool-call-delta',
        'tool-call-delta',
        'tool-call-delta',
        'tool-call-end',
        'tool-call-start',
        'tool-call-delta',
        'tool-call-end',
        'usage',
        'stop',
      ]);
    },
  },
  {
    provider: 'cohere',
    fixture: 'stream-text.sse',
    response: { text: 'Hello world', usage: { inputTokens: 69, outputTokens: 2 }, stopReason: 'max_tokens' },
  },
  {
    provider: 'cohere',
    fixture: 'error-too-many-requests.json',
    status: 429,
    headers: { 'retry-after': 'Wed, 21 Oct 2099 07:28:00 GMT' },
    error: { kind: 'rate_limited' },
  },
];

let server: Server;
let origin = '';
let current: Replay | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const replay = current!;
      const body = readFileSync(new URL(`./fixtures/${replay.provider}/${replay.fixture}`, import.meta.url));
      const type = replay.fixture.endsWith('.sse') ? 'text/event-stream' : 'application/json';
      res.writeHead(replay.status ?? 200, { 'content-type': type, 'content-length': body.length, ...replay.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function adapterFor(provider: Provider): EngineAdapter {
  const options = { apiKey: 'sk-replay', timeoutMs: 5000 };
  if (provider === 'anthropic') return new AnthropicAdapter({ ...options, baseURL: origin });
  if (provider === 'openai') return new OpenAIAdapter({ ...options, baseURL: `${origin}/v1` });
  return new CohereAdapter({ ...options, baseURL: origin });
}

describe.each(replays)('replay $provider/$fixture', (replay) => {
  const streaming = replay.fixture.endsWith('.sse');
  it(streaming ? 'streams to the expected events and response' : 'maps to the expected response', async () => {
    current = replay;
    const adapter = adapterFor(replay.provider);
    const request = { model: 'fixture-model', messages: [{ role: 'user' as const, content: 'hi' }] };
    let response: EngineResponse | undefined;
    let events: StreamEvent[] = [];
    let error: unknown;
    try {
      if (streaming) {
        for await (const event of adapter.stream(request)) events.push(event);
        const stop = events.at(-1);
        response = stop?.type === 'stop' ? stop.response : undefined;
      } else response = await adapter.generate(request);
    } catch (err) {
      error = err;
    }
    if (replay.error) {
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).kind).toBe(replay.error.kind);
      if (replay.error.retryAfterMs !== undefined) expect((error as EngineError).retryAfterMs).toBe(replay.error.retryAfterMs);
      if (replay.headers?.['retry-after']?.includes('GMT')) expect((error as EngineError).retryAfterMs).toBeGreaterThan(0);
      return;
    }
    expect(error).toBeUndefined();
    expect(response).toMatchObject(replay.response!);
    if (streaming) {
      expect(events.at(-1)?.type).toBe('stop');
      // Tool-call-end events carry the same calls as the final response.
      expect(events.filter((e) => e.type === 'tool-call-end').map((e) => (e.type === 'tool-call-end' ? e.call : null))).toEqual(response?.toolCalls);
      replay.events?.(events);
    }
  });
});
