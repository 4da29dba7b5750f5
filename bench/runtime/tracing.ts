/**
 * What OpenTelemetry tracing adds per call: `runtime.run` through `EngineRouter` + the default chain
 * with an in-process adapter (no HTTP, so only SDL's and the OTel SDK's work is timed), without any
 * SDK (baseline: the API's no-op) against the same runtime with a `BasicTracerProvider`, a
 * `BatchSpanProcessor` and an exporter that drops everything (the production setup minus the
 * network), and the same with `captureContent` (prompt and reply, redacted, on the spans). Three
 * spans per call (run, step, chat: hop and attempt spans are made only for calls that retry or
 * fail over). Contenders alternate in blocks; CPU time of this process per call, paired per block;
 * medians and interquartile ranges over the blocks. A second phase registers the
 * AsyncLocalStorage context manager and measures without and with the SDK again, each against its
 * own baseline of the same block: its row with the SDK's default batch processor is what a NodeSDK
 * host runs, and the HEADLINE line at the end. `--sdl-share` measures instead
 * SDL's own share (the runtime's tracing work with spans that record and do nothing), in both
 * phases, in a process of its own, and SDL's tracing work alone (its observation points for one
 * call, without the runtime).
 *
 *   npx tsx bench/runtime/tracing.ts [--blocks 30] [--calls 2000] [--sdl-share]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadSkillSource, Telemetry, type TelemetryOptions } from '@sdl/runtime';
import { doNothing } from './do-nothing-tracer.js';
import { instant } from './instant-adapter.js';
import { here, MODEL, QUESTION, routedRuntime } from './setup.js';
import { withFloorSpans } from './span-floor.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({
  options: { blocks: { type: 'string', default: '30' }, calls: { type: 'string', default: '2000' }, 'sdl-share': { type: 'boolean', default: false } },
});
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);

/** An exporter that counts and drops what it is given (production minus the network). */
function droppingExporter(): SpanExporter & { exported: number } {
  return {
    exported: 0,
    export(spans: ReadableSpan[], done) {
      this.exported += spans.length;
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
}
const dropAll = droppingExporter();
// A queue large enough that nothing is dropped however the blocks fall (the counts below check it).
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropAll, { maxQueueSize: 65_536, maxExportBatchSize: 2048, scheduledDelayMillis: 200 })] });
// The batch processor as the SDK configures it by default (queue 2,048, batches of 512, 5 s), and
// the simple processor (each span handed to the exporter as it ends), each with its own counter so
// a dropped span shows as a shortfall.
const dropDefaults = droppingExporter();
const providerDefaults = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropDefaults)] });
const dropSimple = droppingExporter();
const providerSimple = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropSimple)] });

// SDL's own share, without the SDK's: `doNothing` (do-nothing-tracer.ts), whose spans record and do
// nothing else. Added cost of that contender = what SDL spends per call.
const skill = await loadSkillSource(here('./one-step.skill.yaml'));
const routed = (telemetry?: TelemetryOptions) => routedRuntime(instant, [skill], telemetry ? { telemetry } : {});
const contenders = {
  off: routed(),
  on: routed({ tracerProvider: provider }),
  onDefaults: routed({ tracerProvider: providerDefaults }),
  onSimple: routed({ tracerProvider: providerSimple }),
  content: routed({ tracerProvider: provider, captureContent: true }),
  sdlOnly: routed({ tracerProvider: doNothing }),
};
const expected = `echo: ${QUESTION}`;

async function cpuPer(runtime: (typeof contenders)['off'], n: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) if ((await runtime.run(skill, { question: QUESTION })).output !== expected) throw new Error('unexpected reply');
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

/** The SDK's own floor (span-floor.ts) in a tight loop: what is left of the added cost is SDL's. */
const floorTracer = provider.getTracer('floor');
const noop = (value: number) => value;
function sdkFloor(n: number): number {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) withFloorSpans(floorTracer, noop, i);
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

type Name = keyof typeof contenders;

/** Alternating blocks of `names` (the starting one rotates, so drift in the machine's load falls on each alike), with the floor rows. */
async function measure(names: Name[]): Promise<{ per: Record<string, number[]>; floor: number[]; noSdk: number[] }> {
  for (let i = 0; i < 3; i++) for (const name of names) await cpuPer(contenders[name], CALLS); // warm-up (JIT)
  const per: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const floor: number[] = [];
  const noSdk: number[] = [];
  for (let block = 0; block < BLOCKS; block++) {
    floor.push(sdkFloor(CALLS));
    noSdk.push(noSdkCheck(CALLS * 10));
    const order = names.map((_, i) => names[(i + block) % names.length]!);
    for (const name of order) per[name]!.push(await cpuPer(contenders[name], CALLS));
  }
  return { per, floor, noSdk };
}

const LABELS: Record<Name, string> = {
  off: 'no SDK (API no-op, baseline)',
  on: 'SDK + batch processor (queue 65,536, batches of 2,048, 200 ms) + dropping exporter',
  onDefaults: "SDK + batch processor with the SDK's defaults (queue 2,048, batches of 512) + dropping exporter",
  onSimple: 'SDK + simple processor + dropping exporter',
  content: '… and captureContent',
  sdlOnly: "SDL's own share (spans that record and do nothing)",
};
const range = (values: number[], digits: number) => quartiles(values).map((v) => v.toFixed(digits)).join(' .. ');

/** Prints a phase's rows; returns the added cost per block of `headline` (paired against the baseline) and the block's SDK floor. */
function report({ per, floor, noSdk }: Awaited<ReturnType<typeof measure>>, headline?: Name): { added: number[]; floor: number[] } | undefined {
  const base = per.off!;
  console.log(`  ${LABELS.off}: ${median(base).toFixed(1)} µs CPU per call (IQR ${range(base, 1)})`);
  for (const name of Object.keys(per).filter((n) => n !== 'off') as Name[]) {
    const test = per[name]!;
    const added = test.map((t, i) => t - base[i]!);
    const ratio = test.map((t, i) => t / base[i]!);
    console.log(
      `  ${LABELS[name]}: ${median(test).toFixed(1)} µs CPU per call; added ${median(added).toFixed(2)} µs per call (IQR ${range(added, 2)}), ratio ${median(ratio).toFixed(3)}× (IQR ${range(ratio, 3)})`,
    );
  }
  console.log(`  SDK floor (the same 3 spans, attributes and contexts, no runtime): ${median(floor).toFixed(2)} µs per call (IQR ${range(floor, 2)})`);
  console.log(`  without an SDK, the runtime's check per run (startRun → undefined): ${median(noSdk).toFixed(3)} µs (IQR ${range(noSdk, 3)})`);
  return headline === undefined ? undefined : { added: per[headline]!.map((t, i) => t - base[i]!), floor };
}

const load0 = loadavg();
console.log(`tracing micro: ${BLOCKS} blocks of ${CALLS} calls, Node ${process.version}, ${new Date().toISOString()}, load ${load0.map((l) => l.toFixed(2)).join(' ')}`);
console.log('no context manager registered (the API default):');
// SDL's share runs on its own (`--sdl-share`): its spans are of another class, and mixing them
// with the SDK's at the runtime's call sites would slow the contenders measured with the SDK.
/**
 * SDL's tracing work alone, without the runtime around it: one call's observation points (run,
 * step, model call with its hop and attempt, the ends) on spans that record and do nothing,
 * `CALLS` times per block; CPU per call, median and IQR over the blocks.
 */
function sdlTracingAlone(): number[] {
  const observed = new Telemetry({ tracerProvider: doNothing });
  const step = skill.steps[0]!;
  const origin = { skill: skill.name, path: [step.id], step: step.id };
  const request = { model: MODEL, messages: [{ role: 'user' as const, content: QUESTION }], maxTokens: 200, stepId: step.id };
  const reply = { text: 'Paris', toolCalls: [], usage: { inputTokens: 12, outputTokens: 5 }, stopReason: 'end' as const, model: MODEL, requestId: 'msg_1' };
  const account = { usage: reply.usage, costUsd: 0.0001, engines: ['claude'] };
  const answer = (value: number) => value;
  const per: number[] = [];
  for (let block = 0; block < BLOCKS + 3; block++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < CALLS * 10; i++) {
      const run = observed.startRun(skill, { runId: 'r', trace: false, now: Date.now })!;
      const stepObservation = run.root.step(step, origin);
      const call = stepObservation.scope.modelCall('claude', 'anthropic', request);
      call.run(answer, i);
      const hop = call.hop('claude', 'anthropic', MODEL);
      const attempt = hop.attempt(1);
      attempt.run(() => i);
      attempt.end();
      hop.end();
      call.end('claude', 'anthropic', reply, 0.0001);
      stepObservation.end('ok', undefined, account);
      run.end({ usage: reply.usage, cost: 0.0001, engines: account.engines });
    }
    const cpu = process.cpuUsage(cpu0);
    if (block >= 3) per.push((cpu.user + cpu.system) / (CALLS * 10));
  }
  return per;
}

if (values['sdl-share']) {
  const alone = sdlTracingAlone();
  console.log(`SDL's tracing work alone (no runtime, spans that record and do nothing): ${median(alone).toFixed(3)} µs per call (IQR ${range(alone, 3)})`);
  report(await measure(['off', 'sdlOnly']));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  console.log('AsyncLocalStorage context manager registered (as the NodeSDK does):');
  report(await measure(['off', 'sdlOnly']));
  console.log(`load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  process.exit(0);
}
report(await measure(['off', 'on', 'onDefaults', 'onSimple', 'content']));
await Promise.all([provider.forceFlush(), providerDefaults.forceFlush(), providerSimple.forceFlush()]);
const firstPhase = dropAll.exported;
const perTraced = (spans: number, tracedContenders: number) => ((spans - BLOCKS * CALLS * 3) / (tracedContenders * (BLOCKS + 3) * CALLS)).toFixed(1);
const perCall = (spans: number) => (spans / ((BLOCKS + 3) * CALLS)).toFixed(2);
console.log(`  spans exported (dropped): ${firstPhase}, ${perTraced(firstPhase, 2)} per traced call; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`  spans exported with the SDK's default batch processor: ${dropDefaults.exported} (${perCall(dropDefaults.exported)} per call; fewer than 3 means spans were dropped); with the simple processor: ${dropSimple.exported} (${perCall(dropSimple.exported)} per call)`);

// What a NodeSDK host has: every `context.with` enters an AsyncLocalStorage scope, and spans go
// through the SDK's default batch processor. This phase's `onDefaults` row is the headline.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
console.log('AsyncLocalStorage context manager registered (as the NodeSDK does):');
const defaultsBefore = dropDefaults.exported;
const { added: headline, floor: headlineFloor } = report(await measure(['off', 'onDefaults', 'on', 'onSimple']), 'onDefaults')!;
// What is left over the SDK's own cost for the same spans, paired per block: SDL's share, which
// moves far less between machines than the headline (the floor alone was 6–9 µs on one VM, 16–21 on another).
const overFloor = headline.map((a, i) => a - headlineFloor[i]!);
await Promise.all([provider.forceFlush(), providerDefaults.forceFlush()]);
console.log(
  `  spans exported (dropped): ${dropAll.exported - firstPhase}, ${perTraced(dropAll.exported - firstPhase, 1)} per traced call; with the SDK's default batch processor ${perCall(dropDefaults.exported - defaultsBefore)} per call (fewer than 3: spans dropped)`,
);
console.log(
  `HEADLINE, as a NodeSDK host runs it (AsyncLocalStorage context manager + the SDK's default batch processor + an exporter that drops): tracing adds ${median(headline).toFixed(2)} µs CPU per call (IQR ${range(headline, 2)}; ${headline.filter((a) => a > 10).length} of ${headline.length} blocks over 10 µs), of which over the SDK floor of the same block ${median(overFloor).toFixed(2)} µs (IQR ${range(overFloor, 2)}); load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
context.disable();
await Promise.all([provider.shutdown(), providerDefaults.shutdown(), providerSimple.shutdown()]);
