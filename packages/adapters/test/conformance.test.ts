/**
 * One conformance table, run against every adapter through its real SDK over HTTP to the matching
 * emulator (and against the scripted engine where the row is not about the wire). The rows are the
 * same for every engine, so a gap shows as a failing row.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicAdapter,
  CohereAdapter,
  defaultReply,
  type EmulatedProvider,
  type Emulator,
  type EmulatorRequest,
  type EngineAdapter,
  type EngineErrorKind,
  type EngineRequest,
  EngineError,
  type Message,
  OpenAIAdapter,
  ScriptedAdapter,
  type StreamEvent,
  startEmulator,
  type ToolDefinition,
} from '@sdl/adapters';

const API_KEY = 'sk-test-conformance-0123456789';

interface Engine {
  name: EmulatedProvider | 'scripted';
  adapter: EngineAdapter;
  /** Absent for the scripted engine. */
  emulator?: Emulator;
}

const ADAPTERS = { anthropic: AnthropicAdapter, openai: OpenAIAdapter, cohere: CohereAdapter } as const;

/** The scripted engine answers with the emulators' default reply rules, so the functional rows hold. */
function scriptedEngine(): Engine {
  const adapter = new ScriptedAdapter({
    handler: (request) => {
      const neutral: EmulatorRequest = {
        provider: 'openai',
        model: request.model,
        messages: request.messages.map((m) =>
          m.role === 'tool'
            ? { role: 'tool', text: m.content, toolCallId: m.toolCallId }
            : m.role === 'assistant'
              ? { role: 'assistant', text: m.content, toolCalls: (m.toolCalls ?? []).map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.arguments) })) }
              : { role: 'user', text: m.content },
        ),
        tools: request.tools ?? [],
        stream: false,
        body: {},
        headers: {},
        ...(request.output ? { schema: request.output.schema } : {}),
      };
      const reply = defaultReply(neutral);
      let text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
      let stopReason: 'end' | 'max_tokens' | 'stop_sequence' | undefined;
      const stop = request.stop?.find((s) => text.includes(s));
      if (stop) {
        text = text.slice(0, text.indexOf(stop));
        stopReason = 'stop_sequence';
      } else if (request.maxTokens !== undefined && text.length > request.maxTokens * 4) {
        text = text.slice(0, request.maxTokens * 4);
        stopReason = 'max_tokens';
      }
      return { text, ...(reply.toolCalls ? { toolCalls: reply.toolCalls } : {}), ...(stopReason ? { stopReason } : {}) };
    },
  });
  return { name: 'scripted', adapter };
}

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } } },
};

const ask = (content: string, extra: Partial<EngineRequest> = {}): EngineRequest => ({
  model: 'test-model',
  messages: [{ role: 'user', content }],
  ...extra,
});

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected the call to fail');
}

const lastParsed = (engine: Engine) => engine.emulator?.requests.at(-1)?.parsed;

interface Row {
  name: string;
  /** Rows about the wire (faults, headers) do not apply to the scripted engine. */
  wireOnly?: boolean;
  run(engine: Engine): Promise<void>;
}

const functionalRows: Row[] = [
  {
    name: 'plain text',
    async run(engine) {
      const res = await engine.adapter.generate(ask('hello there'));
      expect(res.text).toBe('echo: hello there');
      expect(res.toolCalls).toEqual([]);
      expect(res.stopReason).toBe('end');
      expect(res.usage.inputTokens).toBeGreaterThan(0);
      expect(res.usage.outputTokens).toBeGreaterThan(0);
      if (engine.emulator) expect(res.requestId).toMatch(/^req_emu\d+$/);
    },
  },
  {
    name: 'system prompt',
    async run(engine) {
      const res = await engine.adapter.generate(ask('hi', { system: 'You are terse.' }));
      expect(res.text).toBe('echo: hi');
      if (engine.emulator) {
        expect(lastParsed(engine)?.system).toBe('You are terse.');
        // The system prompt is never a user turn.
        expect(lastParsed(engine)?.messages.map((m) => m.role)).toEqual(['user']);
      }
    },
  },
  {
    name: 'multi-turn',
    async run(engine) {
      const messages: Message[] = [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'echo: first' },
        { role: 'user', content: 'second' },
      ];
      const res = await engine.adapter.generate({ model: 'test-model', messages });
      expect(res.text).toBe('echo: second');
      if (engine.emulator) {
        expect(lastParsed(engine)?.messages.map((m) => [m.role, m.text])).toEqual([
          ['user', 'first'],
          ['assistant', 'echo: first'],
          ['user', 'second'],
        ]);
      }
    },
  },
  {
    name: 'tool call round trip',
    async run(engine) {
      const first = await engine.adapter.generate(ask('call get_weather {"city":"Paris","unit":"c"}', { tools: [weather] }));
      expect(first.stopReason).toBe('tool_use');
      expect(first.toolCalls).toHaveLength(1);
      const call = first.toolCalls[0]!;
      expect(call.id).toMatch(/^call_/);
      expect(call).toMatchObject({ name: 'get_weather', arguments: { city: 'Paris', unit: 'c' } });
      if (engine.emulator) expect(lastParsed(engine)?.tools.map((t) => t.name)).toEqual(['get_weather']);
      const second = await engine.adapter.generate({
        model: 'test-model',
        tools: [weather],
        messages: [
          { role: 'user', content: 'call get_weather {"city":"Paris","unit":"c"}' },
          { role: 'assistant', content: '', toolCalls: [call] },
          { role: 'tool', toolCallId: call.id, name: 'get_weather', content: '{"temp":21}' },
        ],
      });
      expect(second.text).toBe('tool get_weather returned: {"temp":21}');
      expect(second.stopReason).toBe('end');
    },
  },
  {
    name: 'history with tool calls made on other engines',
    async run(engine) {
      // Ids as other providers produce them, already normalized by their adapters.
      for (const id of ['call_toolu_01A09q90qw90lq917835lq9', 'call_abc123XYZ', 'call_get_weather_1byjy32y4hvq']) {
        const res = await engine.adapter.generate({
          model: 'test-model',
          tools: [weather],
          messages: [
            { role: 'user', content: 'weather?' },
            { role: 'assistant', content: 'Let me look.', toolCalls: [{ id, name: 'get_weather', arguments: { city: 'Oslo' } }] },
            { role: 'tool', toolCallId: id, name: 'get_weather', content: 'rain' },
          ],
        });
        expect(res.text).toBe('tool get_weather returned: rain');
        if (engine.emulator) {
          const [, assistant, result] = lastParsed(engine)!.messages;
          // The text said alongside the call, the call and its result all reach the provider, linked by one id.
          expect(assistant).toMatchObject({ role: 'assistant', text: 'Let me look.', toolCalls: [{ id, name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
          expect(result).toMatchObject({ role: 'tool', toolCallId: id, text: 'rain' });
        }
      }
    },
  },
  {
    name: 'JSON output',
    async run(engine) {
      const schema = { type: 'object', required: ['summary', 'count'], properties: { summary: { type: 'string' }, count: { type: 'integer' } } };
      const res = await engine.adapter.generate(ask('Short text.', { output: { schema, name: 'summary' } }));
      expect(JSON.parse(res.text)).toEqual({ summary: 'Short text.', count: 0 });
      if (engine.emulator) expect(lastParsed(engine)?.schema).toEqual(schema);
    },
  },
  {
    name: 'streaming text',
    async run(engine) {
      const events = await collect(engine.adapter.stream(ask('stream these four words')));
      const deltas = events.filter((e) => e.type === 'text-delta');
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.map((e) => e.text).join('')).toBe('echo: stream these four words');
      const last = events.at(-1);
      expect(last?.type).toBe('stop');
      expect(events.filter((e) => e.type === 'stop')).toHaveLength(1);
      const usage = events.find((e) => e.type === 'usage');
      expect(usage?.type === 'usage' && usage.usage.outputTokens).toBeGreaterThan(0);
      if (last?.type === 'stop') {
        expect(last.response.text).toBe('echo: stream these four words');
        expect(last.response.stopReason).toBe('end');
      }
    },
  },
  {
    name: 'streaming tool-call arguments',
    async run(engine) {
      const events = await collect(engine.adapter.stream(ask('call get_weather {"city":"Paris","unit":"f"}', { tools: [weather] })));
      const start = events.find((e) => e.type === 'tool-call-start');
      expect(start).toMatchObject({ type: 'tool-call-start', name: 'get_weather' });
      const id = start?.type === 'tool-call-start' ? start.id : '';
      expect(id).toMatch(/^call_/);
      const deltas = events.filter((e) => e.type === 'tool-call-delta' && e.id === id);
      expect(deltas.length).toBeGreaterThan(1);
      const args = deltas.map((e) => (e.type === 'tool-call-delta' ? e.argumentsDelta : '')).join('');
      expect(JSON.parse(args)).toEqual({ city: 'Paris', unit: 'f' });
      const end = events.find((e) => e.type === 'tool-call-end');
      expect(end).toEqual({ type: 'tool-call-end', call: { id, name: 'get_weather', arguments: { city: 'Paris', unit: 'f' } } });
      const stop = events.at(-1);
      expect(stop?.type === 'stop' && stop.response.stopReason).toBe('tool_use');
      expect(stop?.type === 'stop' && stop.response.toolCalls).toEqual([{ id, name: 'get_weather', arguments: { city: 'Paris', unit: 'f' } }]);
    },
  },
  {
    name: 'usage and stop reasons: max tokens',
    async run(engine) {
      const res = await engine.adapter.generate(ask('a fairly long message that will not fit in two tokens', { maxTokens: 2 }));
      expect(res.stopReason).toBe('max_tokens');
      expect(res.text).toBe('echo: a '.slice(0, 8));
      if (engine.emulator) expect(lastParsed(engine)?.maxTokens).toBe(2);
      const events = await collect(engine.adapter.stream(ask('a fairly long message that will not fit in two tokens', { maxTokens: 2 })));
      const stop = events.at(-1);
      expect(stop?.type === 'stop' && stop.response.stopReason).toBe('max_tokens');
    },
  },
  {
    name: 'usage and stop reasons: stop sequence',
    async run(engine) {
      const res = await engine.adapter.generate(ask('before END after', { stop: ['END'] }));
      expect(res.text).toBe('echo: before ');
      // Chat Completions reports a matched stop sequence as `finish_reason: "stop"`, like a natural end.
      expect(res.stopReason).toBe(engine.name === 'openai' ? 'end' : 'stop_sequence');
      if (engine.emulator) expect(lastParsed(engine)?.stop).toEqual(['END']);
    },
  },
  {
    name: 'usage counts input and output tokens, streamed and not',
    async run(engine) {
      const res = await engine.adapter.generate(ask('count me'));
      const events = await collect(engine.adapter.stream(ask('count me')));
      const stop = events.at(-1);
      expect(stop?.type === 'stop' && stop.response.usage).toEqual(res.usage);
      expect(res.usage.inputTokens).toBeGreaterThan(0);
    },
  },
];

/** Faults and the taxonomy kind each must become; `expect` may differ by provider where the provider's own error differs. */
interface FaultRow {
  fault: string;
  mode: 'generate' | 'stream';
  kind: EngineErrorKind | Partial<Record<EmulatedProvider, EngineErrorKind>>;
  retryAfterMs?: number;
  timeoutMs?: number;
}

const faultRows: FaultRow[] = [
  { fault: '429@3', mode: 'generate', kind: 'rate_limited', retryAfterMs: 3000 },
  { fault: '429@2', mode: 'stream', kind: 'rate_limited', retryAfterMs: 2000 },
  { fault: '429ms@150', mode: 'generate', kind: 'rate_limited', retryAfterMs: 150 },
  { fault: '529', mode: 'generate', kind: 'overloaded' },
  { fault: '529', mode: 'stream', kind: 'overloaded' },
  { fault: '500', mode: 'generate', kind: 'server' },
  { fault: '502', mode: 'stream', kind: 'server' },
  { fault: '503', mode: 'generate', kind: 'overloaded' },
  { fault: '401', mode: 'generate', kind: 'auth' },
  { fault: 'context', mode: 'generate', kind: 'context_length' },
  { fault: 'reset', mode: 'generate', kind: 'network' },
  { fault: 'reset', mode: 'stream', kind: 'network' },
  { fault: 'disconnect', mode: 'generate', kind: 'network' },
  { fault: 'disconnect', mode: 'stream', kind: 'network' },
  // Anthropic documents `overloaded_error` events; OpenAI an error chunk; Cohere a `message-end` with ERROR.
  { fault: 'error-event', mode: 'stream', kind: { anthropic: 'overloaded', openai: 'server', cohere: 'server' } },
  { fault: 'malformed', mode: 'generate', kind: 'server' },
  { fault: 'malformed', mode: 'stream', kind: 'server' },
  { fault: 'slow@2000', mode: 'generate', kind: 'timeout', timeoutMs: 250 },
  { fault: 'stall', mode: 'generate', kind: 'timeout', timeoutMs: 250 },
  { fault: 'stall', mode: 'stream', kind: 'timeout', timeoutMs: 250 },
];

const faultTable: Row[] = faultRows.map((row) => ({
  name: `fault ${row.fault} (${row.mode}) -> ${typeof row.kind === 'string' ? row.kind : 'provider error kind'}`,
  wireOnly: true,
  async run(engine) {
    const emulator = engine.emulator!;
    emulator.enqueueFault(row.fault);
    const request = ask('trigger', row.timeoutMs !== undefined ? { timeoutMs: row.timeoutMs } : {});
    const err = await failure(row.mode === 'generate' ? engine.adapter.generate(request) : collect(engine.adapter.stream(request)));
    const expected = typeof row.kind === 'string' ? row.kind : row.kind[engine.name as EmulatedProvider];
    expect(err.kind).toBe(expected);
    expect(err.provider).toBe(engine.name);
    if (row.retryAfterMs !== undefined) expect(err.retryAfterMs).toBe(row.retryAfterMs);
    // Keys never leak into errors.
    expect(`${err.message} ${JSON.stringify(err)} ${inspect(err, { depth: 8 })}`).not.toContain(API_KEY);
    // The emulator still serves the next request normally.
    expect((await engine.adapter.generate(ask('after'))).text).toBe('echo: after');
  },
}));

const extraWireRows: Row[] = [
  {
    name: 'slow first byte within the timeout still answers',
    wireOnly: true,
    async run(engine) {
      engine.emulator!.enqueueFault('slow@50');
      const res = await engine.adapter.generate(ask('patience', { timeoutMs: 5000 }));
      expect(res.text).toBe('echo: patience');
    },
  },
  {
    name: 'abort signal -> cancelled',
    wireOnly: true,
    async run(engine) {
      engine.emulator!.enqueueFault('stall');
      const controller = new AbortController();
      const pending = collect(engine.adapter.stream(ask('wait', { signal: controller.signal, timeoutMs: 10_000 })));
      setTimeout(() => controller.abort(), 50);
      expect((await failure(pending)).kind).toBe('cancelled');
    },
  },
  {
    name: 'a signal aborted before the call -> cancelled, nothing sent',
    wireOnly: true,
    async run(engine) {
      const before = engine.emulator!.requests.length;
      const controller = new AbortController();
      controller.abort();
      expect((await failure(collect(engine.adapter.stream(ask('never', { signal: controller.signal, timeoutMs: 10_000 }))))).kind).toBe('cancelled');
      expect((await failure(engine.adapter.generate(ask('never', { signal: controller.signal, timeoutMs: 10_000 })))).kind).toBe('cancelled');
      expect(engine.emulator!.requests.length).toBe(before);
    },
  },
  {
    name: 'per-request fault header and the emulator rate limit',
    wireOnly: true,
    async run(engine) {
      let now = Date.parse('2026-11-21T00:00:00Z');
      const limited = await startEmulator({ provider: engine.name as EmulatedProvider, rateLimit: { rpm: 2 }, now: () => now });
      try {
        const adapter = new ADAPTERS[engine.name as EmulatedProvider]({ apiKey: API_KEY, baseURL: limited.url, timeoutMs: 5000 });
        await adapter.generate(ask('one'));
        now += 10_000;
        await adapter.generate(ask('two'));
        now += 5_000;
        const err = await failure(adapter.generate(ask('three')));
        expect(err.kind).toBe('rate_limited');
        // The first request leaves the window 60 s after it came: 45 s from now.
        expect(err.retryAfterMs).toBe(45_000);
        now += 45_000;
        expect((await adapter.generate(ask('four'))).text).toBe('echo: four');
      } finally {
        await limited.close();
      }
    },
  },
];

const ENGINES: Array<EmulatedProvider | 'scripted'> = ['anthropic', 'openai', 'cohere', 'scripted'];

describe.each(ENGINES)('conformance: %s', (name) => {
  const engine = {} as Engine;
  beforeAll(async () => {
    if (name === 'scripted') {
      Object.assign(engine, scriptedEngine());
      return;
    }
    const emulator = await startEmulator({ provider: name });
    Object.assign(engine, { name, emulator, adapter: new ADAPTERS[name]({ apiKey: API_KEY, baseURL: emulator.url, timeoutMs: 5000 }) });
  });
  afterAll(async () => {
    await engine.emulator?.close();
  });

  for (const row of [...functionalRows, ...faultTable, ...extraWireRows]) {
    const applies = name !== 'scripted' || !row.wireOnly;
    it.skipIf(!applies)(row.name, () => row.run(engine));
  }
});
