/**
 * What `runtime.run` costs over the bare SDK call, and how it compares with a peer (the Vercel AI
 * SDK's `generateText` with `@ai-sdk/anthropic`), on a one-step skill against the Anthropic
 * emulator (in its own process). Contenders are interleaved in rounds (A, B, C, D, A, B, C, D, ...)
 * so machine load hits all alike; figures are medians over rounds, overheads and ratios paired per
 * round against the bare SDK of the same round, and the goal figures also give the interquartile
 * range of those per-round values (how much the rounds disagree). Then the heap held by 10,000 open
 * sessions in the memory store (after GC).
 *
 * Defaults: 20 rounds of 120 serial and 480 concurrent calls per contender (raised on 2026-11-22
 * from 8 rounds of 120/240: one round at c=16 took ≈ 0.2 s, short enough for another job's burst to
 * decide a round; the measured contenders and calls are unchanged).
 *
 * Contender 5 (`--only 0,3,4,5`), the bare SDK on SDL's HTTP transport (shared/transport.ts, the
 * adapters' default since 2026-12-07), separates the transport's gain from SDL's layers.
 *
 *   npx tsx bench/runtime/run.ts [--rounds 20] [--serial 120] [--concurrent 480] [--only 0,3] [--concurrency 16] [--sessions 10000] [--json rounds.json]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText } from 'ai';
import Anthropic from '@anthropic-ai/sdk';
import { benchClients, here, MODEL, QUESTION, routedRuntime, startEmulatorProcess } from './setup.js';
import { ScriptedAdapter } from '@sdl/adapters';
import { createRuntime, loadSkillSource, MemoryStore } from '@sdl/runtime';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    serial: { type: 'string', default: '120' },
    concurrent: { type: 'string', default: '480' },
    concurrency: { type: 'string', default: '16' },
    sessions: { type: 'string', default: '10000' },
    'memory-only': { type: 'boolean', default: false },
    /** Also write every round's figures (per contender, serial and concurrent) to this file, to pool several runs. */
    json: { type: 'string' },
    only: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const SERIAL = Number(values.serial);
const CONCURRENT = Number(values.concurrent);
const CONCURRENCY = Number(values.concurrency);
const SESSIONS = Number(values.sessions);

const EXPECTED = `echo: ${QUESTION}`;

type Call = () => Promise<string>;

// ---------------------------------------------------------------- memory per open session

/** Heap held by `SESSIONS` sessions, each with one run's turns (user + reply) in the memory store. */
async function sessionMemory(): Promise<{ totalBytes: number; perSession: number }> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const skill = await loadSkillSource(here('./chat.skill.yaml'));
  const state = new MemoryStore();
  const runtime = createRuntime({
    engines: { offline: { adapter: new ScriptedAdapter({ fallback: 'echo' }), model: 'scripted' } },
    state,
  });
  // Warm the runtime (prepared skill, validators) so only session records are counted.
  await runtime.run(skill, { message: 'warm-up' }, { session: 'warm-up' });
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage().heapUsed;
  };
  const before = await settle();
  for (let i = 0; i < SESSIONS; i++) {
    await runtime.run(skill, { message: `hello from user ${i}, how are you today?` }, { session: `user-${i}` });
  }
  const after = await settle();
  // The sessions really hold the turns (and the store stays alive until after the measurement).
  const last = await state.getSession(`user-${SESSIONS - 1}`);
  if (last?.turns.length !== 2) throw new Error(`expected 2 turns in a session, found ${last?.turns.length}`);
  return { totalBytes: after - before, perSession: (after - before) / SESSIONS };
}

if (values['memory-only']) {
  process.stdout.write(`${JSON.stringify(await sessionMemory())}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- contenders

async function contenders(url: string): Promise<Record<string, Call>> {
  const { client, adapter, skill, direct } = await benchClients(url);
  const bare: Call = async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] });
    const block = message.content[0];
    return block?.type === 'text' ? block.text : '';
  };

  const anthropic = createAnthropic({ apiKey: 'k', baseURL: `${url}/v1` });
  const aiSdk: Call = async () => (await generateText({ model: anthropic(MODEL), prompt: QUESTION, maxOutputTokens: 200, maxRetries: 0 })).text;

  const runtimeRun: Call = async () => (await direct.run(skill, { question: QUESTION })).output as string;

  const routed = routedRuntime(adapter, [skill]);
  const runtimeChain: Call = async () => (await routed.run(skill, { question: QUESTION })).output as string;

  // Not a contender of the issue: the bare SDK on SDL's HTTP transport (the adapters' default since
  // 2026-12-07) instead of Node's fetch, so the SDK call alone can be set against the chain on the same transport.
  const { nodeFetch } = (await import('../../packages/adapters/dist/shared/transport.js')) as { nodeFetch: typeof fetch };
  const leanClient = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0, timeout: 60_000, logLevel: 'off', fetch: nodeFetch });
  const bareOnTransport: Call = async () => {
    const message = await leanClient.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] });
    const block = message.content[0];
    return block?.type === 'text' ? block.text : '';
  };

  // Not a contender of the issue: splits runtime.run's cost into the adapter's share and the runtime's.
  const adapterOnly: Call = async () => (await adapter.generate({ model: MODEL, messages: [{ role: 'user', content: QUESTION }], maxTokens: 200 })).text;

  return {
    'bare SDK (messages.create)': bare,
    'AI SDK generateText': aiSdk,
    'AnthropicAdapter.generate': adapterOnly,
    'runtime.run': runtimeRun,
    'runtime.run + default chain': runtimeChain,
    'bare SDK on SDL transport': bareOnTransport,
  };
}

// ---------------------------------------------------------------- measurement

interface RoundFigures {
  p50: number;
  p99: number;
  /** Calls per second. */
  throughput: number;
  /** This process's CPU time per call (user + system), ms: the client's own work, much less sensitive to other jobs' load than latency. */
  cpu: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
/** The 25th and 75th percentiles (linear interpolation), for the spread of per-round values. */
const quartiles = (xs: number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => {
    const i = q * (s.length - 1);
    const lo = Math.floor(i);
    return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo);
  };
  return [at(0.25), at(0.75)];
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function measure(call: Call, calls: number, concurrency: number): Promise<RoundFigures> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      const t0 = performance.now();
      const text = await call();
      latencies.push(performance.now() - t0);
      if (text !== EXPECTED) throw new Error(`unexpected reply: ${JSON.stringify(text)}`);
    }
  };
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), throughput: (calls / elapsed) * 1000, cpu: (cpu.user + cpu.system) / 1000 / calls };
}

const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const load0 = loadavg();
  console.log(`runtime bench: ${ROUNDS} rounds; serial ${SERIAL} calls, c=${CONCURRENCY} ${CONCURRENT} calls per contender per round; Node ${process.version}; ${new Date().toISOString()}`);
  console.log(`load average at start: ${load0.map((l) => l.toFixed(2)).join(' ')}`);
  const { url, child } = await startEmulatorProcess();
  try {
    const calls = await contenders(url);
    // --only a,b: a subset of the contenders by index (0 = bare), e.g. for profiling.
    const names = Object.keys(calls).filter((_, i) => values.only === undefined || values.only.split(',').map(Number).includes(i));
    for (const name of names) {
      // Warm up (JIT, connection pools) and check each contender really gets the reply.
      await measure(calls[name]!, 200, 1);
      await measure(calls[name]!, 200, CONCURRENCY);
    }
    const results: Record<string, { serial: RoundFigures[]; concurrent: RoundFigures[] }> = Object.fromEntries(names.map((n) => [n, { serial: [], concurrent: [] }]));
    const started = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the starting contender each round so none always runs first.
      const order = names.map((_, i) => names[(i + round) % names.length]!);
      for (const name of order) results[name]!.serial.push(await measure(calls[name]!, SERIAL, 1));
      for (const name of order) results[name]!.concurrent.push(await measure(calls[name]!, CONCURRENT, CONCURRENCY));
    }
    const seconds = (performance.now() - started) / 1000;
    const base = results[names[0]!]!;

    for (const mode of ['serial', 'concurrent'] as const) {
      console.log(`\n${mode === 'serial' ? 'serial (c=1)' : `concurrency ${CONCURRENCY}`}: medians over ${ROUNDS} rounds`);
      console.log('contender                      p50         p99         calls/s   p50 overhead vs bare   throughput vs bare   CPU/call   CPU overhead vs bare');
      for (const name of names) {
        const r = results[name]![mode];
        // Paired per round: each round's difference/ratio against the bare SDK of the same round.
        const overhead = median(r.map((x, i) => x.p50 - base[mode][i]!.p50));
        const ratio = median(r.map((x, i) => x.throughput / base[mode][i]!.throughput));
        const cpuOverhead = median(r.map((x, i) => x.cpu - base[mode][i]!.cpu));
        console.log(
          `${name.padEnd(30)} ${(mode === 'serial' ? us : ms)(median(r.map((x) => x.p50))).padStart(10)}  ${(mode === 'serial' ? us : ms)(median(r.map((x) => x.p99))).padStart(10)}  ${median(r.map((x) => x.throughput)).toFixed(0).padStart(8)}   ${(overhead >= 0 ? '+' : '') + us(overhead)}`.padEnd(92) +
            `${(ratio * 100).toFixed(1)} %`.padEnd(21) +
            `${us(median(r.map((x) => x.cpu))).padStart(8)}   ${(cpuOverhead >= 0 ? '+' : '') + us(cpuOverhead)}`,
        );
      }
    }
    const range = (xs: number[], f: (x: number) => string) => `IQR ${quartiles(xs).map(f).join(' .. ')}`;
    const signed = (x: number) => (x >= 0 ? '+' : '') + us(x);
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    /** Per-round values of `f(contender, other)` for `mode`, paired per round (undefined when either was left out by --only). */
    const paired = (mode: 'serial' | 'concurrent', name: string, other: string, f: (x: RoundFigures, o: RoundFigures) => number) =>
      results[name] && results[other] ? results[name]![mode].map((x, i) => f(x, results[other]![mode][i]!)) : undefined;
    const BARE = names[0]!;
    const DIRECT = 'runtime.run';
    const CHAIN = 'runtime.run + default chain';
    // The headline (issue 14): the default chain, the path a host runs, against the bare SDK and against the direct binding.
    const chainThroughput = paired('concurrent', CHAIN, BARE, (x, b) => x.throughput / b.throughput);
    const chainCpuSerial = paired('serial', CHAIN, DIRECT, (x, d) => x.cpu - d.cpu);
    const chainCpuConcurrent = paired('concurrent', CHAIN, DIRECT, (x, d) => x.cpu - d.cpu);
    if (chainThroughput) {
      const ratio = median(chainThroughput);
      console.log(
        `\ngoals (default chain): throughput at c=${CONCURRENCY} ${pct(ratio)} of bare (${range(chainThroughput, pct)}; goal >= 97 %: ${ratio >= 0.97 ? 'met' : 'NOT met'})` +
          (chainCpuSerial && chainCpuConcurrent
            ? `; CPU per call over runtime.run (direct binding), paired per round: serially ${signed(median(chainCpuSerial))} (${range(chainCpuSerial, signed)}), ` +
              `at c=${CONCURRENCY} ${signed(median(chainCpuConcurrent))} (${range(chainCpuConcurrent, signed)}; goal <= +15 µs: ${median(chainCpuConcurrent) <= 0.015 ? 'met' : 'NOT met'})`
            : ''),
      );
    }
    // The transport's share apart (contender 5): the chain against the bare SDK on the same transport, SDL's transport.
    const LEAN = 'bare SDK on SDL transport';
    const sameTransport = paired('concurrent', CHAIN, LEAN, (x, b) => x.throughput / b.throughput);
    const sameTransportCpu = paired('concurrent', CHAIN, LEAN, (x, b) => x.cpu - b.cpu);
    const transportGain = paired('concurrent', LEAN, BARE, (x, b) => x.throughput / b.throughput);
    const transportCpu = paired('concurrent', LEAN, BARE, (x, b) => x.cpu - b.cpu);
    if (sameTransport && sameTransportCpu && transportGain && transportCpu) {
      console.log(
        `same transport: the default chain at c=${CONCURRENCY} ${pct(median(sameTransport))} of the bare SDK on SDL's transport (${range(sameTransport, pct)}), CPU per call ${signed(median(sameTransportCpu))} (${range(sameTransportCpu, signed)}); ` +
          `the transport alone: the bare SDK on it ${pct(median(transportGain))} of the bare SDK on Node's fetch (${range(transportGain, pct)}), CPU per call ${signed(median(transportCpu))} (${range(transportCpu, signed)})`,
      );
    }
    const directThroughput = paired('concurrent', DIRECT, BARE, (x, b) => x.throughput / b.throughput);
    const serialOverheads = paired('serial', DIRECT, BARE, (x, b) => x.p50 - b.p50);
    const serialCpus = paired('serial', DIRECT, BARE, (x, b) => x.cpu - b.cpu);
    const concurrentCpus = paired('concurrent', DIRECT, BARE, (x, b) => x.cpu - b.cpu);
    if (directThroughput && serialOverheads && serialCpus && concurrentCpus) {
      const serialOverhead = median(serialOverheads);
      console.log(
        `runtime.run, engine bound directly: p50 overhead serially ${signed(serialOverhead)} (${range(serialOverheads, signed)}; goal < 100 µs: ${serialOverhead < 0.1 ? 'met' : 'NOT met'}); ` +
          `throughput at c=${CONCURRENCY} ${pct(median(directThroughput))} of bare (${range(directThroughput, pct)}); ` +
          `CPU per call over bare: serially ${signed(median(serialCpus))} (${range(serialCpus, signed)}), at c=${CONCURRENCY} ${signed(median(concurrentCpus))} (${range(concurrentCpus, signed)})`,
      );
    }
    if (values.json !== undefined) {
      writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, concurrency: CONCURRENCY, loadStart: load0, loadEnd: loadavg(), rounds: ROUNDS, results }, null, 1));
    }
    console.log(`measured rounds took ${seconds.toFixed(1)} s; load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit').catch(() => {});
  }

  // Heap per open session, in a fresh process with --expose-gc.
  const memory = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--memory-only', '--sessions', String(SESSIONS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  for await (const chunk of memory.stdout!) out += String(chunk);
  const { totalBytes, perSession } = JSON.parse(out.trim().split('\n').pop()!) as { totalBytes: number; perSession: number };
  console.log(
    `\nmemory store: ${SESSIONS.toLocaleString('en')} open sessions (one run each: user turn + reply) hold ${(totalBytes / 1024 / 1024).toFixed(1)} MiB of heap after GC, ${perSession.toFixed(0)} bytes per session`,
  );
}

await main();
