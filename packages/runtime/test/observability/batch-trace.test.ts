/**
 * Trace context through batch jobs: the jobs `runtime.batch` queues carry the W3C `traceparent` of
 * the span around the call, and each job's run span is its child (in-process workers here; a
 * `skillc worker` on another machine reads the same job data). Job data is untrusted: anything
 * but a valid version-00 `traceparent` is ignored.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ScriptedAdapter } from '@sdl/adapters';
import { activeTraceParent, contextFromTraceParent, createRuntime, loadSkillSource, startBatchWorker } from '@sdl/runtime';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from '../../../../test/support/redis.js';

const SKILL = `sdl: "1.0"
name: echo-traced
version: 1.0.0
description: Echoes a line.
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string }
steps:
  - id: say
    prompt:
      user: "{{ inputs.text }}"
`;

describe('traceparent of batch jobs', () => {
  it('is parsed strictly: anything but a valid version-00 value is ignored', () => {
    const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(trace.getSpanContext(contextFromTraceParent(valid)!)).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
    for (const bad of [undefined, 42, '', 'garbage', `${valid} `, valid.toUpperCase(), '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01']) {
      expect(contextFromTraceParent(bad)).toBeUndefined();
    }
    expect(activeTraceParent()).toBeUndefined();
  });
});

describeWithRedis('runtime.batch on the real Redis with tracing', () => {
  const prefix = `sdl-test-bt-${process.pid}-${Date.now()}`;
  const redis = new Redis(REDIS_URL);
  const dir = mkdtempSync(path.join(tmpdir(), 'sdl-bt-'));
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it("each job's run span is a child of the span around runtime.batch", async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const file = path.join(dir, 'echo.skill.yaml');
      writeFileSync(file, SKILL);
      const skill = await loadSkillSource(file);
      const exporter = new InMemorySpanExporter();
      const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const runtime = createRuntime({ engines: { s: { adapter: new ScriptedAdapter({ handler: () => 'ok' }), model: 'scripted' } }, telemetry: { tracerProvider } });
      // A worker started outside the submitter's async context, as `skillc worker` in another
      // process would be: the parent can only come from the job data.
      const worker = await startBatchWorker({ runtime, redis: REDIS_URL, prefix, resolveSkill: () => skill });
      const host = tracerProvider.getTracer('host');
      let batchSpan: { traceId: string; spanId: string } | undefined;
      const summary = await host.startActiveSpan('nightly batch', async (span) => {
        batchSpan = span.spanContext();
        const result = await runtime.batch(skill, [{ line: 1, input: { text: 'a' } }, { line: 2, input: { text: 'b' } }], { redis: REDIS_URL, prefix, name: 'traced', workers: 0 });
        span.end();
        return result;
      });
      await worker.close();
      expect(summary).toMatchObject({ total: 2, succeeded: 2 });
      const runs = exporter.getFinishedSpans().filter((s) => s.name === 'invoke_agent echo-traced');
      expect(runs).toHaveLength(2);
      for (const run of runs) {
        expect(run.spanContext().traceId).toBe(batchSpan!.traceId);
        expect(run.parentSpanContext?.spanId).toBe(batchSpan!.spanId);
      }
    } finally {
      context.disable();
    }
  }, 30_000);
});
