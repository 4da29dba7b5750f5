/**
 * Resilience benchmark, in one run:
 * 1. limiter accuracy: achieved vs configured rate, in-process limiter (baseline), the Redis
 *    limiter in 1 process and shared by 4 processes;
 * 2. middleware overhead per call against the bare adapter (p50, p99), on an in-process adapter
 *    (pure overhead) and on the OpenAI adapter against the local emulator;
 * 3. soak: 10,000 conversation turns across two engines with 25% injected transient faults.
 *
 *   npx tsx bench/resilience/run.ts [--soak 10000] [--calls 3000] [--limiter-seconds 6] [--bursts 10,100]
 *                                   [--parts limiter,overhead,soak]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import {
  AnthropicAdapter,
  OpenAIAdapter,
  startEmulator,
  type EngineAdapter,
  type EngineRequest,
  type EngineResponse,
  type Message,
} from '@sdl/adapters';
import {
  CircuitBreakers,
  CostTracker,
  createDefaultChain,
  createMetrics,
  DEFAULT_POLICIES,
  EngineRegistry,
  EngineRouter,
  MemoryBreakerStore,
  MemoryRateLimiter,
  systemClock,
  type CallEvent,
  type ResolvedPolicies,
} from './runtime-parts.js';

const { values } = parseArgs({
  options: {
    soak: { type: 'string', default: '10000' },
    calls: { type: 'string', default: '3000' },
    'limiter-seconds': { type: 'string', default: '6' },
    parts: { type: 'string', default: 'limiter,overhead,soak' },
    bursts: { type: 'string', default: '10,100' },
  },
});
const SOAK_RUNS = Number(values.soak);
const CALLS = Number(values.calls);
const LIMITER_MS = Number(values['limiter-seconds']) * 1000;
const PARTS = new Set(values.parts!.split(','));
const REDIS_URL = process.env.SDL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const median = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 50);
const fmt = (n: number, d = 1) => n.toFixed(d);

// ---------------------------------------------------------------- 1. limiter accuracy
/** Steady-state rate: admissions after the initial burst, over the measured window. */
function achievedPerSecond(admits: number[], start: number, burst: number): number {
  const sorted = admits.filter((t) => t >= start).sort((a, b) => a - b);
  // Skip the first second (burst + warm-up); count the rest over its exact span.
  const from = start + 1000;
  const inWindow = sorted.filter((t) => t >= from);
  // n admissions span n-1 intervals between the first and the last.
  const span = (inWindow[inWindow.length - 1]! - inWindow[0]!) / 1000;
  void burst;
  return (inWindow.length - 1) / span;
}

async function memoryLimiterRate(rps: number, burst: number): Promise<number> {
  const limiter = new MemoryRateLimiter(systemClock);
  const limits = { rpm: rps * 60, burstRequests: burst, maxQueue: 10_000, queueTimeoutMs: 60_000, maxWaitMs: 60_000 };
  const start = Date.now();
  const end = start + LIMITER_MS;
  const admits: number[] = [];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (Date.now() < end) {
        const lease = await limiter.acquire({ key: 'bench', limits, tokens: 1 });
        admits.push(Date.now());
        await lease.release();
      }
    }),
  );
  return achievedPerSecond(admits, start, burst);
}

async function redisLimiterRate(processes: number, rps: number, burst: number): Promise<number> {
  const prefix = `sdl-bench:rl:${process.pid}:${Date.now()}:${processes}:`;
  const worker = fileURLToPath(new URL('./limiter-worker.ts', import.meta.url));
  const children = Array.from({ length: processes }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, REDIS_URL, prefix, String(rps * 60), String(burst), String(8), String(LIMITER_MS)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => {
      err += d;
      if (err.includes('ready\n')) markReady();
    });
    const done = new Promise<number[]>((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`limiter worker failed: ${err}`)))),
    );
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  const start = Date.now() + 200;
  for (const c of children) c.child.stdin.end(`${start}\n`);
  const admits = (await Promise.all(children.map((c) => c.done))).flat();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  return achievedPerSecond(admits, start, burst);
}

// ---------------------------------------------------------------- 2. overhead
const benchDefaults: ResolvedPolicies = {
  ...DEFAULT_POLICIES,
  retry: { maxAttempts: 6, baseMs: 5, maxMs: 100, jitter: 'full', maxRetryAfterMs: 1_000 },
  timeoutMs: 10_000,
  engineLimits: { rpm: 10_000_000, tpm: 1_000_000_000, concurrency: 1_000, maxQueue: 10_000, queueTimeoutMs: 60_000, maxWaitMs: 60_000 },
  redact: { kinds: ['credit_card', 'ssn', 'email', 'phone', 'api_key'], custom: [] },
  budget: { runUsd: 1_000_000 },
};

function fullRouter(engines: { name: string; adapter: EngineAdapter }[], defaults = benchDefaults) {
  const registry = new EngineRegistry(engines.map((e) => ({ name: e.name, provider: e.adapter.provider, model: 'bench-model', adapter: e.adapter })));
  const metrics = createMetrics();
  const costs = new CostTracker({
    describeModel: (provider, id) => ({ provider, id, contextWindow: 100_000, maxOutputTokens: 1_000, features: ['tools'], pricing: { inputPerMTok: 1, outputPerMTok: 2 } }),
    maxRuns: 100_000,
  });
  const chain = createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock, metrics), limiter: new MemoryRateLimiter(systemClock), costs });
  return { router: new EngineRouter({ registry, chain, metrics, defaults }), metrics, costs };
}

async function overhead(label: string, adapter: EngineAdapter) {
  const { router } = fullRouter([{ name: 'e', adapter }]);
  const request: EngineRequest = {
    model: 'bench-model',
    system: 'You are terse. Contact ops@example.com for help.',
    messages: [{ role: 'user', content: 'Summarize: the quick brown fox jumps over the lazy dog. Card 4111 1111 1111 1111.' }],
    maxTokens: 50,
  };
  const bare: number[] = [];
  const chained: number[] = [];
  const BLOCK = 100;
  const one = async (useChain: boolean) => {
    const t = performance.now();
    if (useChain) await router.generate({ request, runId: 'bench' });
    else await adapter.generate(request);
    return performance.now() - t;
  };
  for (let i = 0; i < 200; i++) await one(i % 2 === 0); // warm-up
  for (let done = 0; done < CALLS; done += BLOCK) {
    for (let i = 0; i < BLOCK; i++) bare.push(await one(false));
    for (let i = 0; i < BLOCK; i++) chained.push(await one(true));
  }
  bare.sort((a, b) => a - b);
  chained.sort((a, b) => a - b);
  const row = {
    label,
    bareP50: pct(bare, 50),
    bareP99: pct(bare, 99),
    chainP50: pct(chained, 50),
    chainP99: pct(chained, 99),
  };
  return row;
}

const instantAdapter: EngineAdapter = {
  provider: 'openai',
  async generate(request): Promise<EngineResponse> {
    return { text: 'ok', toolCalls: [], usage: { inputTokens: request.messages.length * 10, outputTokens: 2 }, stopReason: 'end', model: request.model };
  },
  async *stream() {
    throw new Error('unused');
  },
};

// ---------------------------------------------------------------- 3. soak
async function soak(runs: number) {
  // 25% transient faults per request: 10% 500, 5% 503, 5% connection reset, 5% 429 with retry-after-ms.
  const faults = '500:0.10,503:0.05,reset:0.05,429ms@5:0.05';
  const claudeEmu = await startEmulator({ provider: 'anthropic', faults, seed: 7 });
  const gptEmu = await startEmulator({ provider: 'openai', faults, seed: 11 });
  const engines = [
    { name: 'claude', adapter: new AnthropicAdapter({ apiKey: 'bench-key', baseURL: claudeEmu.url, timeoutMs: 5_000 }) },
    { name: 'gpt', adapter: new OpenAIAdapter({ apiKey: 'bench-key', baseURL: gptEmu.url, timeoutMs: 5_000 }) },
  ];
  const { router } = fullRouter(engines, { ...benchDefaults, redact: { kinds: [], custom: [] }, budget: {} });
  const SESSIONS = Math.max(1, Math.round(runs / 20));
  const sessions: Message[][] = Array.from({ length: SESSIONS }, () => []);
  const turnsPlanned = Array.from({ length: SESSIONS }, (_, s) => Math.floor(runs / SESSIONS) + (s < runs % SESSIONS ? 1 : 0));
  let retries = 0;
  let switches = 0;
  let failures = 0;
  const latencies: number[] = [];
  const perRunRetries: number[] = [];
  const started = performance.now();
  // Each session runs its turns in order (a conversation); sessions run concurrently.
  const CONCURRENCY = 32;
  let nextSession = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (nextSession < SESSIONS) {
        const s = nextSession++;
        for (let turn = 0; turn < turnsPlanned[s]!; turn++) {
          const content = `session ${s} turn ${turn}`;
          const messages: Message[] = [...sessions[s]!, { role: 'user', content }];
          let runRetries = 0;
          const t = performance.now();
          try {
            const r = await router.generate({
              request: { messages, maxTokens: 50 },
              prefer: turn % 2 === 0 ? ['claude', 'gpt'] : ['gpt', 'claude'],
              sessionId: `s${s}`,
              emit: (e: CallEvent) => {
                if (e.type === 'retry') runRetries++;
                if (e.type === 'engine-switch') switches++;
              },
            });
            sessions[s]!.push({ role: 'user', content }, { role: 'assistant', content: r.response.text });
          } catch (error) {
            failures++;
            console.error(`run failed: session ${s} turn ${turn}: ${(error as Error).message}`);
          }
          latencies.push(performance.now() - t);
          retries += runRetries;
          perRunRetries.push(runRetries);
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  // Every session must hold exactly its turns, in order, each answered for its own question.
  let lostOrDuplicated = 0;
  sessions.forEach((history, s) => {
    if (history.length !== 2 * turnsPlanned[s]!) lostOrDuplicated++;
    for (let turn = 0; turn < history.length / 2; turn++) {
      const user = history[2 * turn]!;
      const assistant = history[2 * turn + 1]!;
      if (user.content !== `session ${s} turn ${turn}` || assistant.content !== `echo: session ${s} turn ${turn}`) lostOrDuplicated++;
    }
  });
  const faulted = [...claudeEmu.requests, ...gptEmu.requests].filter((r) => r.fault).length;
  const requests = claudeEmu.requests.length + gptEmu.requests.length;
  await claudeEmu.close();
  await gptEmu.close();
  latencies.sort((a, b) => a - b);
  return {
    runs: latencies.length,
    failures,
    lostOrDuplicated,
    requests,
    faultRate: faulted / requests,
    retriesPerRun: retries / latencies.length,
    maxRetries: Math.max(...perRunRetries),
    switches,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    wallS: wallMs / 1000,
  };
}

// ---------------------------------------------------------------- main
const RPS = 100;
if (PARTS.has('limiter')) {
  // Burst 10 leaves 100 ms of slack: a process the OS does not schedule for longer loses tokens.
  // Burst 100 (1 s of slack) shows the limiter's own accuracy apart from such stalls.
  for (const burst of values.bursts!.split(',').map(Number)) {
    console.log(`limiter accuracy: configured ${RPS}/s (${RPS * 60} rpm), burst ${burst}, ${LIMITER_MS / 1000} s each, saturated callers`);
    const memRate = await memoryLimiterRate(RPS, burst);
    const redis1 = await redisLimiterRate(1, RPS, burst);
    const redis4 = await redisLimiterRate(4, RPS, burst);
    const err = (r: number) => `${fmt(((r - RPS) / RPS) * 100, 2)}%`;
    console.log(`| limiter | achieved/s | error vs configured |`);
    console.log(`| memory, 1 process (baseline) | ${fmt(memRate, 2)} | ${err(memRate)} |`);
    console.log(`| Redis, 1 process | ${fmt(redis1, 2)} | ${err(redis1)} |`);
    console.log(`| Redis, 4 processes | ${fmt(redis4, 2)} | ${err(redis4)} |\n`);
  }
}

if (PARTS.has('overhead')) {
console.log(`\nmiddleware overhead per call, ${CALLS} calls each, alternating blocks of 100 (ms):`);
const emu = await startEmulator({ provider: 'openai' });
const rows = [
  await overhead('in-process adapter', instantAdapter),
  await overhead('OpenAI adapter -> emulator', new OpenAIAdapter({ apiKey: 'bench-key', baseURL: emu.url })),
];
await emu.close();
console.log(`| adapter | bare p50 | chain p50 | bare p99 | chain p99 | added p50 | ratio p50 |`);
for (const r of rows) {
  console.log(
    `| ${r.label} | ${fmt(r.bareP50, 3)} | ${fmt(r.chainP50, 3)} | ${fmt(r.bareP99, 3)} | ${fmt(r.chainP99, 3)} | ${fmt(r.chainP50 - r.bareP50, 3)} | ${fmt(r.chainP50 / r.bareP50, 2)}x |`,
  );
}
}

let soakOk = true;
if (PARTS.has('soak')) {
console.log(`\nsoak: ${SOAK_RUNS} runs (conversation turns, 20 per session) across two engines, 25% injected transient faults:`);
const s = await soak(SOAK_RUNS);
console.log(`| runs | failed | lost/duplicated turns | requests | injected fault rate | retries/run | max retries in a run | failovers | p50 ms | p99 ms | wall s |`);
console.log(
  `| ${s.runs} | ${s.failures} | ${s.lostOrDuplicated} | ${s.requests} | ${fmt(s.faultRate * 100, 1)}% | ${fmt(s.retriesPerRun, 3)} | ${s.maxRetries} | ${s.switches} | ${fmt(s.p50, 1)} | ${fmt(s.p99, 1)} | ${fmt(s.wallS, 1)} |`,
);
soakOk = s.failures === 0 && s.lostOrDuplicated === 0;
}
void median;
process.exit(soakOk ? 0 : 1);
