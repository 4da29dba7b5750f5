/**
 * What OpenTelemetry tracing adds per call: `runtime.run` through `EngineRouter` + the default chain
 * with an in-process adapter (no HTTP, so only SDL's and the OTel SDK's work is timed), without any
 * SDK (baseline: the API's no-op) against the same runtime with a `BasicTracerProvider`, a
 * `BatchSpanProcessor` and an exporter that drops everything (the production setup minus the
 * network), and the same with `captureContent` (prompt and reply, redacted, on the spans). Five
 * spans per call (run, step, chat, engine hop, attempt). Contenders alternate in blocks; CPU time of
 * this process per call, paired per block; medians and interquartile ranges over the blocks.
 *
 *   npx tsx bench/runtime/tracing.ts [--blocks 30] [--calls 2000]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { EngineAdapter, EngineRequest, EngineResponse } from '../../packages/adapters/src/index.js';
import { loadSkillSource, Telemetry, type TelemetryOptions } from '../../packages/runtime/src/index.js';
import { here, MODEL, QUESTION, routedRuntime } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({ options: { blocks: { type: 'string', default: '30' }, calls: { type: 'string', default: '2000' } } });
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);

const instant = {
  provider: 'anthropic',
  enforcesTimeout: true,
  async generate(request: EngineRequest): Promise<EngineResponse> {
    return { text: `echo: ${request.messages[0]!.content as string}`, toolCalls: [], usage: { inputTokens: 12, outputTokens: 5 }, stopReason: 'end', model: request.model, requestId: 'msg_1' };
  },
  async *stream() {},
} as unknown as EngineAdapter;

let exported = 0;
const dropAll: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropAll, { maxQueueSize: 65_536, maxExportBatchSize: 2048, scheduledDelayMillis: 200 })] });

const skill = await loadSkillSource(here('./one-step.skill.yaml'));
const routed = (telemetry?: TelemetryOptions) => routedRuntime(instant, [skill], telemetry ? { telemetry } : {});
const contenders = {
  off: routed(),
  on: routed({ tracerProvider: provider }),
  content: routed({ tracerProvider: provider, captureContent: true }),
};
const expected = `echo: ${QUESTION}`;

async function cpuPer(runtime: (typeof contenders)['off'], n: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) if ((await runtime.run(skill, { question: QUESTION })).output !== expected) throw new Error('unexpected reply');
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

/**
 * The SDK's own floor: the three spans of a traced call (run, step, chat) with as many attributes
 * as the runtime sets on them, and nothing else; what is left of the added cost is SDL's.
 */
const floorTracer = provider.getTracer('floor');
function sdkFloor(n: number): number {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const run = floorTracer.startSpan('invoke_agent one-step', { attributes: { a: 'invoke_agent', b: 'one-step', c: 'one-step', d: '1.0.0', e: 'sha256:x', f: 'run-id' } });
    const runCtx = trace.setSpan(context.active(), run);
    const step = floorTracer.startSpan('sdl.step answer', { attributes: { a: 'answer', b: 'prompt', c: 'answer', d: 'one-step' } }, runCtx);
    const chat = floorTracer.startSpan('chat claude-sonnet-5', { kind: 2, attributes: { a: 'chat', b: 'anthropic', c: MODEL, d: 'text', e: 'claude', f: 'answer', g: 200 } }, trace.setSpan(runCtx, step));
    chat.setAttributes({ h: 12, i: 5, j: 'anthropic', k: MODEL, l: ['stop'], m: 0.0001, n: 'msg_1' });
    chat.end();
    step.setAttribute('o', 'ok');
    step.setAttribute('p', 0.0001);
    step.end();
    run.setAttributes({ q: 0.0001, r: ['claude'] });
    run.end();
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

/** Without an SDK, all a run pays is `startRun` finding nothing records (one non-recording span): its CPU per call. */
const bare = new Telemetry();
function noSdkCheck(n: number): number {
  const info = { runId: 'r', trace: false, now: () => 0 };
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) if (bare.startRun(skill, info) !== undefined) throw new Error('expected no observation without an SDK');
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

const load0 = loadavg();
console.log(`tracing micro: ${BLOCKS} blocks of ${CALLS} calls, Node ${process.version}, ${new Date().toISOString()}, load ${load0.map((l) => l.toFixed(2)).join(' ')}`);
const names = Object.keys(contenders) as Array<keyof typeof contenders>;
for (let i = 0; i < 3; i++) for (const name of names) await cpuPer(contenders[name], CALLS); // warm-up (JIT)
const per: Record<string, number[]> = { off: [], on: [], content: [] };
const floor: number[] = [];
const noSdk: number[] = [];
for (let block = 0; block < BLOCKS; block++) {
  floor.push(sdkFloor(CALLS));
  noSdk.push(noSdkCheck(CALLS * 10));
  // The starting contender rotates, so drift in the machine's load falls on each alike.
  const order = names.map((_, i) => names[(i + block) % names.length]!);
  for (const name of order) per[name]!.push(await cpuPer(contenders[name], CALLS));
}
await provider.forceFlush();
const base = per.off!;
console.log(`no SDK (API no-op, baseline): ${median(base).toFixed(1)} µs CPU per call (IQR ${quartiles(base).map((v) => v.toFixed(1)).join(' .. ')})`);
for (const name of ['on', 'content'] as const) {
  const test = per[name]!;
  const added = test.map((t, i) => t - base[i]!);
  const ratio = test.map((t, i) => t / base[i]!);
  const [lo, hi] = quartiles(added);
  const [rlo, rhi] = quartiles(ratio);
  console.log(
    `${name === 'on' ? 'SDK + batch processor + dropping exporter' : '… and captureContent'}: ${median(test).toFixed(1)} µs CPU per call; ` +
      `added ${median(added).toFixed(2)} µs per call (IQR ${lo.toFixed(2)} .. ${hi.toFixed(2)}), ratio ${median(ratio).toFixed(3)}× (IQR ${rlo.toFixed(3)} .. ${rhi.toFixed(3)})`,
  );
}
console.log(`SDK floor (3 bare spans with the same attribute counts, no runtime): ${median(floor).toFixed(2)} µs per call (IQR ${quartiles(floor).map((v) => v.toFixed(2)).join(' .. ')})`);
console.log(`without an SDK, the runtime's check per run (startRun → undefined): ${median(noSdk).toFixed(3)} µs (IQR ${quartiles(noSdk).map((v) => v.toFixed(3)).join(' .. ')})`);
console.log(`spans exported (dropped): ${exported}, ${((exported - BLOCKS * CALLS * 3) / (2 * (BLOCKS + 3) * CALLS)).toFixed(1)} per traced call; load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await provider.shutdown();
