/**
 * SDL's own share of a traced call, finer than `tracing.ts --sdl-share`: the runtime on the router +
 * default chain with an in-process adapter, without an SDK (baseline) and with spans that record and
 * do nothing (so only SDL's tracing work is added), with the AsyncLocalStorage context manager
 * registered (as the NodeSDK does). Short alternating blocks, paired per block: CPU per call, and
 * (with --expose-gc and a young generation large enough that no scavenge runs inside a block) bytes
 * allocated per call. `--sdk` adds the HEADLINE contender (BasicTracerProvider + default
 * BatchSpanProcessor + dropping exporter). `--profile FILE` profiles the recording-span contender
 * alone (10 µs sampling) instead.
 *
 *   node --expose-gc --max-semi-space-size=256 --min-semi-space-size=256 --import tsx bench/runtime/tracing-share.ts [--blocks 200] [--calls 500] [--sdk]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadSkillSource } from '@sdl/runtime';
import { doNothing } from './do-nothing-tracer.js';
import { instant } from './instant-adapter.js';
import { here, QUESTION, routedRuntime } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({
  options: { blocks: { type: 'string', default: '200' }, calls: { type: 'string', default: '500' }, sdk: { type: 'boolean', default: false }, profile: { type: 'string' }, heap: { type: 'string' }, count: { type: 'boolean', default: false }, which: { type: 'string', default: 'sdlOnly' } },
});
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);

const dropping: SpanExporter = { export: (_spans: ReadableSpan[], done) => done({ code: 0 }), shutdown: async () => {} };

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const skill = await loadSkillSource(here('./one-step.skill.yaml'));
const expected = `echo: ${QUESTION}`;
const contenders: Record<string, ReturnType<typeof routedRuntime>> = {
  off: routedRuntime(instant, [skill]),
  sdlOnly: routedRuntime(instant, [skill], { telemetry: { tracerProvider: doNothing } }),
};
if (values.sdk) contenders.sdk = routedRuntime(instant, [skill], { telemetry: { tracerProvider: new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] }) } });
const names = Object.keys(contenders);

async function go(runtime: ReturnType<typeof routedRuntime>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) if ((await runtime.run(skill, { question: QUESTION })).output !== expected) throw new Error('unexpected reply');
}

for (let i = 0; i < 5; i++) for (const name of names) await go(contenders[name]!, 2000);

if (values.count) {
  const { createHook } = await import('node:async_hooks');
  let promises = 0;
  createHook({ init: (_id, type) => { if (type === 'PROMISE') promises++; } }).enable();
  for (const name of names) {
    promises = 0;
    await go(contenders[name]!, 1000);
    console.log(`${name}: ${(promises / 1000).toFixed(2)} promises per call`);
  }
  process.exit(0);
}
if (values.profile !== undefined || values.heap !== undefined) {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  const runtime = contenders[values.which]!;
  if (values.profile !== undefined) {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 10 });
    await post('Profiler.start');
    await go(runtime, BLOCKS * CALLS);
    writeFileSync(values.profile, JSON.stringify((await post('Profiler.stop')).profile));
  } else {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    await go(runtime, BLOCKS * CALLS);
    writeFileSync(values.heap!, JSON.stringify((await post('HeapProfiler.stopSampling')).profile));
  }
  process.exit(0);
}

const gc = (globalThis as { gc?: () => void }).gc;
let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const bytes: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const load0 = loadavg()[0]!;
for (let block = 0; block < BLOCKS; block++) {
  const order = names.map((_, i) => names[(i + block) % names.length]!);
  for (const name of order) {
    if (gc !== undefined && block % 10 === 0) gc();
    const gcs0 = gcs;
    const h0 = process.memoryUsage().heapUsed;
    const c0 = process.cpuUsage();
    await go(contenders[name]!, CALLS);
    const c = process.cpuUsage(c0);
    const h1 = process.memoryUsage().heapUsed;
    cpu[name]!.push((c.user + c.system) / CALLS);
    bytes[name]!.push(gcs === gcs0 ? (h1 - h0) / CALLS : Number.NaN);
  }
}
const fmt = (xs: number[], d: number) => `${median(xs).toFixed(d)} (IQR ${quartiles(xs).map((x) => x.toFixed(d)).join(' .. ')})`;
console.log(`tracing-share: ${BLOCKS} blocks x ${CALLS} calls, ALS context manager, ${new Date().toISOString()}, load ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`);
for (const name of names) {
  const b = bytes[name]!.filter((x) => !Number.isNaN(x));
  console.log(`  ${name.padEnd(8)} CPU ${fmt(cpu[name]!, 2)} µs/call` + (gc ? `, ${b.length ? fmt(b, 0) : 'n/a'} bytes/call (${b.length} blocks without GC)` : ''));
  if (name === 'off') continue;
  const added = cpu[name]!.map((t, i) => t - cpu.off![i]!);
  const addedBytes = bytes[name]!.map((t, i) => t - bytes.off![i]!).filter((x) => !Number.isNaN(x));
  console.log(`    added over off: CPU ${fmt(added, 3)} µs/call` + (gc && addedBytes.length ? `, ${fmt(addedBytes, 0)} bytes/call` : ''));
}
process.exit(0);
