/**
 * OpenTelemetry spans and GenAI metrics of a run, read back with the SDK's in-memory exporter: the
 * span tree of a run with a tool call (after a 429 and a retry), a `for_each` and a `use:` step
 * (whose preferred engine fails over), the conventions' attribute names, and what never reaches a
 * span (prompt text unless opted in, secrets and redacted values always).
 */
import { context, createContextKey, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { GENAI, GENAI_METRICS, SDL_ATTR, Telemetry } from '@sdl/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, EMAIL, ORDER, PROMPT_WORDS, TRACED_INPUT, tracedFixture } from './support/traced-run.js';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

let fixture: Awaited<ReturnType<typeof tracedFixture>>;
beforeAll(async () => {
  fixture = await tracedFixture();
});
afterAll(async () => fixture.close());

async function tracedRun(captureContent: boolean) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const runtime = fixture.runtime({ tracerProvider, meterProvider, captureContent });
  fixture.injectFaults();
  const result = await runtime.run(fixture.skill, TRACED_INPUT);
  const spans = exporter.getFinishedSpans();
  const { resourceMetrics } = await reader.collect();
  return { result, spans, metrics: resourceMetrics.scopeMetrics.flatMap((s) => s.metrics) };
}

/** `name` of each span with its children, indented: the tree as a reader sees it. */
function tree(spans: readonly ReadableSpan[]): string[] {
  const byParent = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    byParent.set(key, [...(byParent.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const children = (byParent.get(parent) ?? []).sort((a, b) => hrCompare(a.startTime, b.startTime) || hrCompare(a.endTime, b.endTime));
    for (const child of children) {
      lines.push(`${'  '.repeat(depth)}${child.name}`);
      walk(child.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}
const hrCompare = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

describe('OpenTelemetry spans of a run', () => {
  it('form one tree: run, steps, items, nested skill, model calls, engine hops and attempts (of calls that retried or failed over) and tool calls', async () => {
    const { spans, result } = await tracedRun(false);
    expect(result.engines).toEqual(['gpt', 'claude']);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(tree(spans)).toEqual([
      'invoke_agent traced-parent',
      '  sdl.step ask',
      '    chat gpt-5.4',
      '      sdl.engine gpt',
      '        sdl.attempt gpt #1',
      '        sdl.attempt gpt #2',
      '    execute_tool lookup_order',
      // Answered by its first attempt: no hop or attempt spans, the chat span says it all.
      '    chat gpt-5.4',
      '  sdl.step each',
      '    sdl.step each[0]',
      '      chat gpt-5.4',
      '    sdl.step each[1]',
      '      chat gpt-5.4',
      '  sdl.step nested',
      '    invoke_agent traced-child',
      '      sdl.step shorten',
      '        chat command-a-plus-05-2026',
      '          sdl.engine command',
      '            sdl.attempt command #1',
      '            sdl.attempt command #2',
      '          sdl.engine claude',
      '            sdl.attempt claude #1',
    ]);
  });

  it('carry the GenAI conventions\' attribute names', async () => {
    const { spans } = await tracedRun(false);
    const run = spans.find((s) => s.name === 'invoke_agent traced-parent')!;
    expect(run.attributes).toMatchObject({
      [GENAI.operationName]: 'invoke_agent',
      [GENAI.agentName]: 'traced-parent',
      [SDL_ATTR.skillVersion]: '1.2.0',
      [SDL_ATTR.skillHash]: expect.stringMatching(/^sha256:/),
      [SDL_ATTR.runId]: expect.any(String),
      [SDL_ATTR.runEngines]: ['gpt', 'claude'],
    });
    // Each fact once: the skill is the agent name of its `invoke_agent` span, not repeated on it or on its steps.
    for (const span of spans) expect(span.attributes[SDL_ATTR.skillName]).toBeUndefined();
    expect(spans.find((s) => s.name === 'invoke_agent traced-child')!.attributes).toMatchObject({ [GENAI.agentName]: 'traced-child', [SDL_ATTR.skillVersion]: expect.any(String) });
    const ask = spans.find((s) => s.name === 'sdl.step ask')!;
    expect(ask.attributes).toEqual({ [SDL_ATTR.stepId]: 'ask', [SDL_ATTR.stepKind]: 'prompt', [SDL_ATTR.stepStatus]: 'ok', [SDL_ATTR.costUsd]: expect.any(Number) });
    // The path is set where it says more than the id: inside a nested skill.
    expect(spans.find((s) => s.name === 'sdl.step shorten')!.attributes).toMatchObject({ [SDL_ATTR.stepId]: 'shorten', [SDL_ATTR.stepPath]: 'nested.shorten' });
    const chat = spans.filter((s) => s.name === 'chat gpt-5.4');
    expect(chat).toHaveLength(4);
    for (const span of chat) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        [GENAI.operationName]: 'chat',
        [GENAI.providerName]: 'openai',
        [GENAI.requestModel]: 'gpt-5.4',
        [GENAI.responseModel]: expect.any(String),
        [GENAI.responseFinishReasons]: [expect.stringMatching(/^(stop|tool_call)$/)],
        [GENAI.usageInputTokens]: expect.any(Number),
        [GENAI.usageOutputTokens]: expect.any(Number),
        [SDL_ATTR.engine]: 'gpt',
        [SDL_ATTR.costUsd]: expect.any(Number),
      });
      expect(span.attributes[GENAI.responseId]).toEqual(expect.any(String));
      // No output format was asked for (the conventions set `gen_ai.output.type` only then); the step is the parent's.
      expect(span.attributes[GENAI.outputType]).toBeUndefined();
      expect(span.attributes[SDL_ATTR.stepId]).toBeUndefined();
      expect(span.attributes[SDL_ATTR.engineRequested]).toBeUndefined();
    }
    expect(chat[0]!.attributes[GENAI.responseFinishReasons]).toEqual(['tool_call']);
    const retried = spans.find((s) => s.name === 'sdl.attempt gpt #1' && s.status.code === SpanStatusCode.ERROR)!;
    expect(retried.attributes).toMatchObject({ [GENAI.errorType]: 'rate_limited', [SDL_ATTR.attempt]: 1, [SDL_ATTR.retryDelayMs]: expect.any(Number) });

    const failedOver = spans.find((s) => s.name === 'chat command-a-plus-05-2026')!;
    expect(failedOver.attributes).toMatchObject({
      [GENAI.providerName]: 'anthropic',
      [SDL_ATTR.engine]: 'claude',
      [SDL_ATTR.engineRequested]: 'command',
      [GENAI.requestModel]: 'command-a-plus-05-2026',
    });
    expect(failedOver.events.map((e) => [e.name, e.attributes?.[SDL_ATTR.failoverFrom], e.attributes?.[SDL_ATTR.failoverTo]])).toEqual([['sdl.engine_switch', 'command', 'claude']]);
    const hop = spans.find((s) => s.name === 'sdl.engine command')!;
    expect(hop.status.code).toBe(SpanStatusCode.ERROR);
    expect(hop.attributes).toMatchObject({ [SDL_ATTR.failoverReason]: 'overloaded', [GENAI.providerName]: 'cohere', [GENAI.errorType]: 'overloaded' });

    const tool = spans.find((s) => s.name === 'execute_tool lookup_order')!;
    expect(tool.attributes).toMatchObject({ [GENAI.operationName]: 'execute_tool', [GENAI.toolName]: 'lookup_order', [GENAI.toolType]: 'function', [GENAI.toolCallId]: expect.any(String) });
    const item = spans.find((s) => s.name === 'sdl.step each[1]')!;
    expect(item.attributes).toMatchObject({ [SDL_ATTR.stepId]: 'each', [SDL_ATTR.forEachIndex]: 1, [SDL_ATTR.stepKind]: 'prompt' });
    expect(spans.find((s) => s.name === 'sdl.step each')!.attributes[SDL_ATTR.forEachItems]).toBe(2);
  });

  it('set gen_ai.output.type only for a request with an output format, and the answering provider only when it changed', () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = new Telemetry({ tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) });
    const run = telemetry.startRun(fixture.skill, { runId: 'r-1', trace: false, now: () => 0 })!;
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const reply = { text: '{}', toolCalls: [], usage: { inputTokens: 3, outputTokens: 1 }, stopReason: 'end' as const, model: 'gpt-5.4' };
    run.root.modelCall('gpt', 'openai', { model: 'gpt-5.4', messages }).end('gpt', 'openai', reply, 0);
    run.root.modelCall('gpt', 'openai', { model: 'gpt-5.4', messages, output: { schema: { type: 'object' } } }).end('claude', 'anthropic', reply, 0);
    run.end({ usage: reply.usage, cost: 0, engines: ['gpt', 'claude'] });
    const [text, json] = exporter.getFinishedSpans().filter((s) => s.name === 'chat gpt-5.4');
    expect(text!.attributes[GENAI.outputType]).toBeUndefined();
    expect(text!.attributes[GENAI.providerName]).toBe('openai');
    expect(json!.attributes).toMatchObject({ [GENAI.outputType]: 'json', [GENAI.providerName]: 'anthropic', [SDL_ATTR.engine]: 'claude', [SDL_ATTR.engineRequested]: 'gpt' });
    expect(json!.attributes[GENAI.responseFinishReasons]).toEqual(['stop']);
  });

  it('record the GenAI client metrics: operation duration and token usage by type', async () => {
    const { metrics } = await tracedRun(false);
    const duration = metrics.find((m) => m.descriptor.name === GENAI_METRICS.operationDuration) as HistogramMetricData;
    const tokens = metrics.find((m) => m.descriptor.name === GENAI_METRICS.tokenUsage) as HistogramMetricData;
    expect(duration.descriptor.unit).toBe('s');
    expect(tokens.descriptor.unit).toBe('{token}');
    const calls = duration.dataPoints.reduce((n, p) => n + p.value.count, 0);
    expect(calls).toBe(5);
    expect(duration.dataPoints.map((p) => p.attributes[GENAI.providerName]).sort()).toEqual(['anthropic', 'openai']);
    expect(new Set(tokens.dataPoints.map((p) => p.attributes[GENAI.tokenType]))).toEqual(new Set(['input', 'output']));
  });

  it('hold no prompt text, no secret and no redacted value unless content is opted in, and then only redacted', async () => {
    const plain = await tracedRun(false);
    const plainText = JSON.stringify(plain.spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
    for (const forbidden of [PROMPT_WORDS, EMAIL, ORDER, API_KEY, 'Say alpha', 'help customers']) expect(plainText).not.toContain(forbidden);
    expect(plainText).not.toContain(GENAI.inputMessages);

    const captured = await tracedRun(true);
    const text = JSON.stringify(captured.spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
    expect(text).toContain(PROMPT_WORDS);
    for (const forbidden of [EMAIL, ORDER, API_KEY]) expect(text).not.toContain(forbidden);
    const first = captured.spans.find((s) => s.name === 'chat gpt-5.4')!;
    const input = JSON.parse(first.attributes[GENAI.inputMessages] as string);
    expect(input).toEqual([{ role: 'user', parts: [{ type: 'text', content: `${PROMPT_WORDS} [REDACTED:email]` }] }]);
    expect(JSON.parse(first.attributes[GENAI.systemInstructions] as string)).toEqual([{ type: 'text', content: 'You help customers with their orders.' }]);
    const output = JSON.parse(first.attributes[GENAI.outputMessages] as string);
    expect(output[0]).toMatchObject({ role: 'assistant', finish_reason: 'tool_call', parts: [{ type: 'tool_call', name: 'lookup_order', arguments: { order_id: '[REDACTED:order_id]' } }] });
    const tool = captured.spans.find((s) => s.name === 'execute_tool lookup_order')!;
    expect(JSON.parse(tool.attributes[GENAI.toolCallResult] as string)).toEqual({ status: 'shipped', order: '[REDACTED:order_id]' });
    // The host tool itself got the real value: redaction is for what is recorded, not what runs.
    expect(fixture.toolCalls.at(-1)).toEqual({ order_id: ORDER });
  });

  it('record nothing and return no run trace without an SDK', async () => {
    const plain = fixture.runtime();
    fixture.injectFaults();
    const result = await plain.run(fixture.skill, TRACED_INPUT);
    expect(result.runTrace).toBeUndefined();
    expect(result.engines).toEqual(['gpt', 'claude']);
  });

  it("give the adapter call a context that holds its span and reads every other key through to the host's, as trace.setSpan's would", async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const HOST_KEY = createContextKey('host value');
      const exporter = new InMemorySpanExporter();
      const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const seen: Context[] = [];
      const runtime = fixture.runtime({ tracerProvider }, (_ctx, next) => {
        seen.push(context.active());
        return next();
      });
      fixture.injectFaults();
      await context.with(context.active().setValue(HOST_KEY, 'from host'), () => runtime.run(fixture.skill, TRACED_INPUT));
      const names = new Map(exporter.getFinishedSpans().map((s) => [s.spanContext().spanId, s.name]));
      expect(seen.length).toBeGreaterThan(0);
      for (const active of seen) {
        expect(names.get(trace.getSpan(active)!.spanContext().spanId)).toMatch(/^(chat |sdl\.attempt )/);
        expect(active.getValue(HOST_KEY)).toBe('from host');
        const changed = active.setValue(HOST_KEY, 'changed');
        expect(changed.getValue(HOST_KEY)).toBe('changed');
        expect(trace.getSpan(changed)).toBe(trace.getSpan(active));
        expect(active.deleteValue(HOST_KEY).getValue(HOST_KEY)).toBeUndefined();
        expect(trace.getSpan(trace.deleteSpan(active))).toBeUndefined();
        expect(active.getValue(HOST_KEY)).toBe('from host');
      }
    } finally {
      context.disable();
    }
  });

  it('with a context manager, nest under the host\'s active span, and the host tool\'s spans under execute_tool', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const exporter = new InMemorySpanExporter();
      const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const host = tracerProvider.getTracer('host');
      fixture.onTool.current = () => host.startSpan('db.lookup').end();
      // Stands for an instrumented HTTP client: a span of the host's own per attempt, in the active context.
      const runtime = fixture.runtime({ tracerProvider }, (_ctx, next) => {
        host.startSpan('http.request').end();
        return next();
      });
      fixture.injectFaults();
      await host.startActiveSpan('POST /tickets', async (span) => {
        await runtime.run(fixture.skill, TRACED_INPUT);
        span.end();
      });
      const lines = tree(exporter.getFinishedSpans());
      expect(lines.slice(0, 2)).toEqual(['POST /tickets', '  invoke_agent traced-parent']);
      expect(lines).toContain('      execute_tool lookup_order');
      expect(lines[lines.indexOf('      execute_tool lookup_order') + 1]).toBe('        db.lookup');
      // The first attempt's own spans nest under the chat span (its attempt span is made only when
      // it fails, after them); once a call has failed, each later attempt's spans nest under it.
      const spans = exporter.getFinishedSpans();
      const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
      const parents = spans
        .filter((s) => s.name === 'http.request')
        .sort((a, b) => hrCompare(a.startTime, b.startTime))
        .map((s) => byId.get(s.parentSpanContext!.spanId)!.name);
      expect(parents.slice(0, 2)).toEqual(['chat gpt-5.4', 'sdl.attempt gpt #2']);
      expect(parents.filter((name) => !/^(chat |sdl\.attempt )/.test(name))).toEqual([]);
      expect(parents).toHaveLength(8); // gpt: 2 + 1 + 2 (for_each); command: 2; claude: 1
    } finally {
      fixture.onTool.current = undefined;
      context.disable();
    }
  });
});
