/**
 * The run trace (`runtime.run(..., { trace: true })`): one document valid for the published schema
 * (`spec/run-trace.schema.json`) with every step, item, nested skill, model call (prompt and reply,
 * redacted), engine hop, attempt and tool call, and nothing secret in it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RunTrace, RunTraceSpan } from '@sdl/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, EMAIL, ORDER, PROMPT_WORDS, TRACED_INPUT, tracedFixture } from './support/traced-run.js';

const schema = JSON.parse(readFileSync(new URL('../../../../spec/run-trace.schema.json', import.meta.url), 'utf8'));
const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

let fixture: Awaited<ReturnType<typeof tracedFixture>>;
beforeAll(async () => {
  fixture = await tracedFixture();
});
afterAll(async () => fixture.close());

function childrenOf(trace: RunTrace, span: RunTraceSpan): RunTraceSpan[] {
  return trace.spans.filter((s) => s.parentId === span.id);
}

describe('run trace', () => {
  it('is one schema-valid document with every step, call, retry, switch and tool call', async () => {
    fixture.injectFaults();
    const result = await fixture.runtime().run(fixture.skill, TRACED_INPUT, { trace: true });
    const trace = result.runTrace!;
    expect(validate(trace), JSON.stringify(validate.errors)).toBe(true);
    expect(trace).toMatchObject({ format: 'sdl-run-trace', version: 1, status: 'ok', skill: { name: 'traced-parent', version: '1.2.0' }, engines: ['gpt', 'claude'] });
    expect(trace.usage).toEqual(result.usage);
    expect(trace.costUsd).toBe(result.cost);

    const run = trace.spans.find((s) => s.kind === 'run')!;
    expect(childrenOf(trace, run).map((s) => `${s.kind} ${s.name}`)).toEqual(['step ask', 'step each', 'step nested']);
    const each = trace.spans.find((s) => s.kind === 'step' && s.name === 'each')!;
    expect(childrenOf(trace, each).map((s) => `${s.kind} ${s.name} ${s.index}`)).toEqual(['item each[0] 0', 'item each[1] 1']);
    const nested = trace.spans.find((s) => s.kind === 'skill')!;
    expect(nested).toMatchObject({ name: 'traced-child', parentId: trace.spans.find((s) => s.name === 'nested')!.id });

    const calls = trace.spans.filter((s) => s.kind === 'model_call');
    expect(calls).toHaveLength(5);
    const [first] = calls;
    expect(first).toMatchObject({ requestedEngine: 'gpt', engine: 'gpt', provider: 'openai', model: 'gpt-5.4', finishReason: 'tool_call' });
    expect(first!.prompt).toEqual({ system: 'You help customers with their orders.', messages: [{ role: 'user', content: `${PROMPT_WORDS} [REDACTED:email]` }] });
    expect(first!.reply!.toolCalls).toEqual([{ id: expect.any(String), name: 'lookup_order', arguments: { order_id: '[REDACTED:order_id]' } }]);
    const attempts = childrenOf(trace, childrenOf(trace, first!)[0]!);
    expect(attempts.map((a) => [a.attempt, a.status, a.retryInMs !== undefined])).toEqual([
      [1, 'error', true],
      [2, 'ok', false],
    ]);
    expect(attempts[0]!.error).toMatch(/^rate_limited: /);

    const second = calls[1]!;
    expect(second.prompt!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(second.reply!.text).toBe('order found for [REDACTED:order_id]');
    const tool = trace.spans.find((s) => s.kind === 'tool_call')!;
    expect(tool).toMatchObject({ tool: 'lookup_order', arguments: { order_id: '[REDACTED:order_id]' }, result: { status: 'shipped', order: '[REDACTED:order_id]' }, status: 'ok' });

    const failedOver = calls.find((c) => c.requestedEngine === 'command')!;
    expect(failedOver).toMatchObject({ engine: 'claude', provider: 'anthropic', switches: [{ from: 'command', to: 'claude', reason: 'overloaded' }] });
    expect(childrenOf(trace, failedOver).map((h) => [h.engine, h.status, h.failoverReason])).toEqual([
      ['command', 'error', 'overloaded'],
      ['claude', 'ok', undefined],
    ]);

    const ask = trace.spans.find((s) => s.name === 'ask')!;
    expect(ask.usage!.inputTokens).toBe(calls[0]!.usage!.inputTokens + calls[1]!.usage!.inputTokens);
    for (const span of trace.spans) {
      expect(span.startMs).toBeGreaterThanOrEqual(0);
      if (span.parentId !== undefined) expect(trace.spans.some((p) => p.id === span.parentId)).toBe(true);
    }
    const text = JSON.stringify(trace);
    for (const forbidden of [EMAIL, ORDER, API_KEY]) expect(text).not.toContain(forbidden);
  });

  it('comes with the error of a failed run, also schema-valid', async () => {
    const runtime = fixture.runtime();
    // Every engine refuses the key: the run fails in its first step, after failing over twice.
    for (const emulator of Object.values(fixture.emulators)) emulator.enqueueFault('401');
    const error = (await runtime.run(fixture.skill, TRACED_INPUT, { trace: true }).catch((e: unknown) => e)) as Error & { runTrace?: RunTrace };
    expect(error).toBeInstanceOf(Error);
    const trace = error.runTrace!;
    expect(validate(trace), JSON.stringify(validate.errors)).toBe(true);
    expect(trace.status).toBe('error');
    expect(trace.error!.message).not.toContain(API_KEY);
    expect(trace.spans.find((s) => s.name === 'ask')!.status).toBe('error');
    expect(trace.spans.filter((s) => s.kind === 'hop').map((h) => [h.engine, h.failoverReason])).toEqual([
      ['gpt', 'auth'],
      ['claude', 'auth'],
      ['command', 'auth'],
    ]);
    expect(Object.keys(error)).not.toContain('runTrace');
    expect(JSON.stringify(trace)).not.toContain(API_KEY);
  });
});
