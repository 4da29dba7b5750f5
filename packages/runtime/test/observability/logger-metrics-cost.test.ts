import type { ModelDescriptor } from '@sdl/adapters';
import { describe, expect, it } from 'vitest';
import {
  budgetMiddleware,
  BudgetExceededError,
  CostTracker,
  createJsonLinesLogger,
  createMetrics,
  metricsMiddleware,
  MiddlewareChain,
  priceUsage,
  scrubbingLogger,
  type Logger,
} from '@sdl/runtime';
import { Registry } from 'prom-client';
import { drain, engineError, FakeAdapter, makeContext, policies } from '../middleware/support.js';

const descriptor: ModelDescriptor = {
  provider: 'openai',
  id: 'fake-model',
  contextWindow: 100_000,
  maxOutputTokens: 1000,
  features: ['tools'],
  pricing: { inputPerMTok: 2, outputPerMTok: 10 },
};
const describeModel = (_p: string, model: string) => (model === 'fake-model' ? descriptor : undefined);

describe('structured logs', () => {
  it('writes JSON lines with time, level, msg and fields, honouring the level', () => {
    const lines: string[] = [];
    const log = createJsonLinesLogger({ level: 'info', write: (l) => lines.push(l), now: () => 0 });
    log.debug('hidden');
    log.info('engine call', { engine: 'claude', ms: 12 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'engine call', engine: 'claude', ms: 12 });
  });

  it('never writes keys or redactable data', () => {
    const lines: string[] = [];
    const log = createJsonLinesLogger({ write: (l) => lines.push(l) });
    log.error('failed for bob@example.com', {
      apiKey: 'anything-at-all',
      headers: { authorization: 'Bearer abcdefghijklmnop', 'x-api-key': 'k' },
      config: { api_key: 'plain' },
      note: 'key sk-ant-api03-abcdefghijklmnopqrstuv in text',
      error: new Error('card 4111 1111 1111 1111 declined'),
    });
    const out = lines.join('\n');
    for (const secret of ['bob@example.com', 'anything-at-all', 'abcdefghijklmnop', 'plain', 'sk-ant-api03', '4111 1111']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[REDACTED:secret]');
    expect(out).toContain('[REDACTED:email]');
    expect(out).toContain('[REDACTED:credit_card]');
  });

  it('wraps any host logger', () => {
    const seen: unknown[] = [];
    const host: Logger = { debug() {}, info: (m, f) => seen.push([m, f]), warn() {}, error() {} };
    scrubbingLogger(host).info('x', { token: 'abc', count: 3 });
    expect(seen).toEqual([['x', { token: '[REDACTED:secret]', count: 3 }]]);
  });
});

describe('cost and budgets', () => {
  it('prices usage from the model descriptor', () => {
    expect(priceUsage(descriptor, { inputTokens: 1_000_000, outputTokens: 100_000 })).toBeCloseTo(3);
    expect(priceUsage(undefined, { inputTokens: 1, outputTokens: 1 })).toBeUndefined();
  });

  it('aggregates per run and per session, and counts unpriced models', () => {
    const costs = new CostTracker({ describeModel });
    costs.record({ runId: 'r1', sessionId: 's', engine: 'e', provider: 'openai', model: 'fake-model', usage: { inputTokens: 500_000, outputTokens: 0 } });
    costs.record({ runId: 'r2', sessionId: 's', engine: 'e', provider: 'openai', model: 'fake-model', usage: { inputTokens: 0, outputTokens: 100_000 } });
    costs.record({ runId: 'r2', sessionId: 's', engine: 'e', provider: 'openai', model: 'unknown', usage: { inputTokens: 7, outputTokens: 3 } });
    expect(costs.run('r1').usd).toBeCloseTo(1);
    expect(costs.run('r2')).toMatchObject({ calls: 2, unpriced: 1, inputTokens: 7, outputTokens: 100_003 });
    expect(costs.session('s').usd).toBeCloseTo(2);
    expect(costs.endRun('r1').calls).toBe(1);
    expect(costs.run('r1').calls).toBe(0);
  });

  it('refuses a call BEFORE it would exceed the run budget, with a typed error', async () => {
    const costs = new CostTracker({ describeModel });
    const adapter = new FakeAdapter([{ reply: 'ok', usage: { inputTokens: 1000, outputTokens: 1000 } }]);
    const chain = new MiddlewareChain([{ name: 'budget', middleware: budgetMiddleware(costs) }]);
    // Each call costs 0.002 + 0.01 = $0.012; the estimate (tiny prompt, max_tokens 1000) is ~$0.01.
    const run = () => {
      const t = makeContext(adapter, { runId: 'run-1', sessionId: 'sess', policies: policies({ budget: { runUsd: 0.03 } }) });
      t.ctx.request = { ...t.ctx.request, maxTokens: 1000 };
      return chain.run(t.ctx);
    };
    await run();
    await run();
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ scope: 'run', id: 'run-1', budgetUsd: 0.03 });
    expect(adapter.calls).toBe(2); // the refused call never reached the engine
    expect(costs.run('run-1').usd).toBeCloseTo(0.024);
  });

  it('enforces the session budget across runs', async () => {
    const costs = new CostTracker({ describeModel });
    const adapter = new FakeAdapter([{ reply: 'ok', usage: { inputTokens: 0, outputTokens: 1000 } }]);
    const chain = new MiddlewareChain([{ name: 'budget', middleware: budgetMiddleware(costs) }]);
    const run = (runId: string) =>
      chain.run(makeContext(adapter, { runId, sessionId: 'sess', policies: policies({ budget: { sessionUsd: 0.015 } }) }).ctx);
    await run('a');
    await expect(run('b')).rejects.toMatchObject({ name: 'BudgetExceededError', scope: 'session' });
  });
});

describe('metrics', () => {
  it('uses its own registry, never the global one', async () => {
    const a = createMetrics();
    const b = createMetrics();
    expect(a.registry).not.toBe(b.registry);
    const { register } = await import('prom-client');
    expect(await register.getSingleMetric('sdl_engine_errors_total')).toBeUndefined();
    expect(a.registry).toBeInstanceOf(Registry);
  });

  it('records duration by engine, model and outcome; errors by kind; tokens in and out', async () => {
    const metrics = createMetrics();
    const adapter = new FakeAdapter([{ reply: 'ok', usage: { inputTokens: 7, outputTokens: 3 } }, { error: engineError('overloaded') }, { chunks: ['a'] }]);
    const chain = new MiddlewareChain([{ name: 'metrics', middleware: metricsMiddleware() }]);
    const run = (streaming = false) => {
      const t = makeContext(adapter, { engine: 'claude', streaming });
      Object.assign(t.ctx, { metrics });
      return chain.run(t.ctx);
    };
    await run();
    await run().catch(() => {});
    const s = await run(true);
    if (s.kind === 'stream') await drain(s.events);
    const text = await metrics.registry.metrics();
    expect(text).toContain('sdl_engine_call_duration_seconds_count{engine="claude",model="fake-model",outcome="ok"} 2');
    expect(text).toContain('sdl_engine_call_duration_seconds_count{engine="claude",model="fake-model",outcome="overloaded"} 1');
    expect(text).toContain('sdl_engine_errors_total{engine="claude",kind="overloaded"} 1');
    expect(text).toContain('sdl_tokens_total{engine="claude",model="fake-model",direction="in"} 17');
    expect(text).toContain('sdl_tokens_total{engine="claude",model="fake-model",direction="out"} 8');
  });
});
