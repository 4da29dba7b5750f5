/**
 * What OpenTelemetry tracing adds per call over real HTTP (the cross-check of `tracing.ts`, which
 * times the same in process): `runtime.run` through `EngineRouter` + the default chain on the
 * Anthropic adapter against the emulator (in its own process), tracing off (the API's no-op) against
 * tracing on as a NodeSDK host runs it (AsyncLocalStorage context manager, the SDK's default batch
 * processor, an exporter that counts and drops). The context manager is registered for the whole
 * process, so both contenders run under it. Contenders alternate in blocks (order rotated), CPU of
 * this process per call, the added cost paired per block; median and interquartile range over the
 * blocks. Over HTTP the per-call CPU varies by tens of µs between blocks, so this bench needs many
 * blocks to say anything about a difference of a few µs; the in-process figure is the precise one.
 * `--canned`: the SDK answers in process (setup.ts `answerInProcess`), no sockets.
 *
 *   npx tsx bench/runtime/tracing-http.ts [--blocks 30] [--calls 400] [--concurrency 16] [--no-als] [--canned]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { answerInProcess, benchClients, MODEL, QUESTION, routedRuntime, startEmulatorProcess } from './setup.js';
import { withFloorSpans } from './span-floor.js';
import { iqrText, median, signed } from './stats.js';

const { values } = parseArgs({
  options: { canned: { type: 'boolean', default: false }, 'no-als': { type: 'boolean', default: false }, blocks: { type: 'string', default: '30' }, calls: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '16' } },
});
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);

// --no-als: the API's default context manager (none), to separate the context manager's share.
if (!values['no-als']) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let exported = 0;
const dropping: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });

/** CPU time (µs) of this process's main thread, from /proc (Linux; 0 elsewhere): the rest of process.cpuUsage() is V8's and libuv's helper threads. */
const TICK_US = 1e6 / 100;
function mainThreadCpu(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}
// Main-thread GC pause time, summed per block: how much of the added CPU is collection.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const load0 = loadavg();
const { url, child } = await startEmulatorProcess();
try {
  if (values.canned) await answerInProcess(url);
  const { client, adapter, skill } = await benchClients(url);
  const off = routedRuntime(adapter, [skill]);
  const on = routedRuntime(adapter, [skill], { telemetry: { tracerProvider: provider } });
  const expected = `echo: ${QUESTION}`;
  const bareCall = async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] });
    const block = message.content[0];
    return block?.type === 'text' ? block.text : '';
  };
  // The OpenTelemetry SDK's own floor (span-floor.ts) around the bare call, with no SDL code.
  const tracer = provider.getTracer('floor');
  const bareSpans = () => withFloorSpans(tracer, bareCall, undefined);
  const contenders: Record<string, () => Promise<unknown>> = {
    off: async () => (await off.run(skill, { question: QUESTION })).output,
    on: async () => (await on.run(skill, { question: QUESTION })).output,
    bare: bareCall,
    'bare + spans': bareSpans,
  };
  const names = Object.keys(contenders);
  const go = async (name: string, n: number) => {
    const call = contenders[name]!;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < n) if ((await call()) !== expected) throw new Error('unexpected reply');
      }),
    );
  };
  for (const name of names) await go(name, 1000);
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const gc: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const main: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let b = 0; b < BLOCKS; b++) {
    for (const name of names.map((_, i) => names[(i + b) % names.length]!)) {
      const c0 = process.cpuUsage();
      const gc0 = gcMs;
      const m0 = mainThreadCpu();
      await go(name, CALLS);
      // Let the observer deliver this block's GC entries before reading them.
      await new Promise((resolve) => setImmediate(resolve));
      const c = process.cpuUsage(c0);
      cpu[name]!.push((c.user + c.system) / CALLS);
      gc[name]!.push(((gcMs - gc0) * 1000) / CALLS);
      main[name]!.push((mainThreadCpu() - m0) / CALLS);
    }
  }
  await provider.forceFlush();
  const added = cpu.on!.map((x, i) => x - cpu.off![i]!);
  const floor = cpu['bare + spans']!.map((x, i) => x - cpu.bare![i]!);
  const addedMain = main.on!.map((x, i) => x - main.off![i]!);
  const addedGc = gc.on!.map((x, i) => x - gc.off![i]!);
  console.log(`tracing ${values.canned ? 'with the SDK answering in process' : 'over HTTP'} (${values['no-als'] ? 'no context manager' : 'AsyncLocalStorage context manager'}): ${BLOCKS} blocks x ${CALLS} calls per contender at c=${CONCURRENCY}; Node ${process.version}; load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  tracing off: ${median(cpu.off!).toFixed(1)} µs CPU per call (IQR ${iqrText(cpu.off!)}); on: ${median(cpu.on!).toFixed(1)} µs (IQR ${iqrText(cpu.on!)})`);
  console.log(`  main thread only: off ${median(main.off!).toFixed(1)} µs per call, on ${median(main.on!).toFixed(1)} µs; added ${signed(median(addedMain))} µs (IQR ${iqrText(addedMain)})`);
  console.log(`  GC pauses (main thread): off ${median(gc.off!).toFixed(1)} µs per call, on ${median(gc.on!).toFixed(1)} µs; added ${signed(median(addedGc))} µs (IQR ${iqrText(addedGc)})`);
  console.log(`  added by tracing, paired per block: ${signed(median(added))} µs per call (IQR ${iqrText(added)}; ${added.filter((x) => x > 10).length} of ${BLOCKS} blocks over 10 µs); spans exported ${exported} (${(exported / (2 * (BLOCKS * CALLS + 1000))).toFixed(2)} per traced call)`);
  console.log(`  the OpenTelemetry SDK's floor, the same 3 spans around the bare call, paired per block: ${signed(median(floor))} µs per call (IQR ${iqrText(floor)}); bare call ${median(cpu.bare!).toFixed(1)} µs`);
} finally {
  child.kill('SIGTERM');
}
