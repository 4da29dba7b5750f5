/**
 * Issue 14, a lever outside SDL's code: what the SDKs' use of Node's WHATWG `fetch` (undici's fetch:
 * Request/Headers/Response objects, web streams, promise hops) costs per call, measured as the bare
 * Anthropic SDK client on the global `fetch` against the same client on a lean fetch-compatible
 * transport built on `node:http` with a keep-alive Agent (`leanFetch` below: the step-1 measurement
 * prototype, not a product) and on SDL's transport (`nodeFetch`, packages/adapters/src/shared/transport.ts,
 * the adapters' default since 2026-12-07; from the build). Both against the emulator in its own process. Rounds alternate the
 * contenders (starting contender rotated per round); per round this process's CPU per call and the
 * throughput, non-streaming at c=16 and c=64 and streaming (a 300-delta reply, the whole stream
 * consumed, `--stream-concurrency` streams at a time); the saving is paired per round.
 *
 *   npx tsx bench/runtime/transport.ts [--rounds 15] [--calls 480] [--streams 40] [--stream-concurrency 1] [--only plain,stream]
 */
import http from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { MODEL, QUESTION, startEmulatorProcess } from './setup.js';
import { iqrText, median, signed } from './stats.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    calls: { type: 'string', default: '480' },
    streams: { type: 'string', default: '40' },
    'stream-concurrency': { type: 'string', default: '1' },
    only: { type: 'string', default: 'plain,stream' },
    headers: { type: 'string', default: 'lean' },
  },
});
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);
const STREAMS = Number(values.streams);
const STREAM_CONCURRENCY = Number(values['stream-concurrency']);
const ONLY = values.only.split(',');
const REAL_HEADERS = values.headers === 'real';

// ---------------------------------------------------------------- the prototype transport

/** Response headers, the part of `Headers` the SDK reads (get/has/entries/forEach/iteration). */
class LeanHeaders {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const k of Object.keys(this.raw).sort()) yield [k, this.get(k)!];
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  forEach(fn: (value: string, key: string) => void): void {
    for (const [k, v] of this.entries()) fn(v, k);
  }
}

class LeanResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: LeanHeaders | Headers;
  readonly redirected = false;
  readonly type = 'basic';
  bodyUsed = false;
  constructor(
    readonly url: string,
    readonly body: http.IncomingMessage,
  ) {
    this.status = body.statusCode!;
    this.ok = this.status >= 200 && this.status < 300;
    this.statusText = body.statusMessage ?? '';
    if (REAL_HEADERS) {
      const h = new Headers();
      const raw = body.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
      this.headers = h;
    } else this.headers = new LeanHeaders(body.headers);
  }
  async arrayBuffer(): Promise<Buffer> {
    this.bodyUsed = true;
    const chunks: Buffer[] = [];
    for await (const chunk of this.body) chunks.push(chunk as Buffer);
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
  async text(): Promise<string> {
    return (await this.arrayBuffer()).toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function leanFetch(input: string | URL, init: RequestInit = {}): Promise<LeanResponse> {
  const url = typeof input === 'string' ? new URL(input) : input;
  const headers: Record<string, string> = {};
  (init.headers as Headers).forEach((v, k) => {
    headers[k] = v;
  });
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: init.method ?? 'GET', headers });
    const signal = init.signal;
    const onAbort = () => {
      req.destroy();
      reject(new DOMException('This operation was aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(new LeanResponse(url.href, res));
    });
    req.on('error', (err) => reject(Object.assign(new TypeError('fetch failed'), { cause: err })));
    req.end(init.body as string | undefined);
  });
}

// ---------------------------------------------------------------- measurement

const { url, child } = await startEmulatorProcess();
try {
  const opts = { apiKey: 'k', baseURL: url, maxRetries: 0, timeout: 60_000, logLevel: 'off' } as const;
  // The transport the adapters use since 2026-12-07 (packages/adapters/src/shared/transport.ts, built).
  const { nodeFetch } = (await import('../../packages/adapters/dist/shared/transport.js')) as { nodeFetch: typeof fetch };
  const clients = {
    'global fetch': new Anthropic(opts),
    'lean fetch': new Anthropic({ ...opts, fetch: leanFetch as unknown as typeof fetch }),
    'SDL transport': new Anthropic({ ...opts, fetch: nodeFetch }),
  };
  const names = Object.keys(clients) as (keyof typeof clients)[];
  const WORDS = 299;
  const LONG = Array.from({ length: WORDS }, (_, i) => `word${i}`).join(' ');
  const plain = (client: Anthropic) => async () => {
    const m = await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] });
    const b = m.content[0];
    if (b?.type !== 'text' || b.text !== `echo: ${QUESTION}`) throw new Error('unexpected reply');
  };
  const stream = (client: Anthropic) => async () => {
    let deltas = 0;
    const s = await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages: [{ role: 'user', content: LONG }] });
    for await (const event of s) if (event.type === 'content_block_delta') deltas++;
    if (deltas < WORDS - 9) throw new Error(`only ${deltas} deltas`);
  };
  const run = async (call: () => Promise<void>, calls: number, concurrency: number) => {
    let next = 0;
    const worker = async () => {
      while (next < calls) {
        next++;
        await call();
      }
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { cpu: (cpu.user + cpu.system) / calls, throughput: (calls / elapsed) * 1000 };
  };
  const modes: { name: string; make: typeof plain; calls: number; concurrency: number }[] = [];
  if (ONLY.includes('plain')) modes.push({ name: 'messages.create c=16', make: plain, calls: CALLS, concurrency: 16 }, { name: 'messages.create c=64', make: plain, calls: CALLS, concurrency: 64 });
  if (ONLY.includes('serial')) modes.push({ name: 'messages.create c=1', make: plain, calls: 120, concurrency: 1 });
  if (ONLY.includes('stream')) modes.push({ name: `stream 300 deltas c=${STREAM_CONCURRENCY}`, make: stream, calls: STREAMS, concurrency: STREAM_CONCURRENCY });
  console.log(`transport bench: ${ROUNDS} rounds; Node ${process.version}; headers ${REAL_HEADERS ? 'real Headers' : 'lean'}; ${new Date().toISOString()}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const mode of modes) {
    const calls = Object.fromEntries(names.map((n) => [n, mode.make(clients[n])]));
    for (const n of names) await run(calls[n]!, Math.min(200, mode.calls), mode.concurrency); // warm-up
    const results: Record<string, { cpu: number; throughput: number }[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const n = names[(i + round) % names.length]!;
        results[n]!.push(await run(calls[n]!, mode.calls, mode.concurrency));
      }
    }
    const a = results[names[0]!]!;
    for (const name of names.slice(1)) {
      const b = results[name]!;
      const saved = a.map((x, i) => x.cpu - b[i]!.cpu);
      const ratio = a.map((x, i) => (b[i]!.throughput / x.throughput) * 100);
      console.log(
        `${mode.name}, ${name}: CPU/call global ${median(a.map((x) => x.cpu)).toFixed(0)} µs, ${name} ${median(b.map((x) => x.cpu)).toFixed(0)} µs; saved ${signed(median(saved))} µs (IQR ${iqrText(saved)}); ` +
          `throughput global ${median(a.map((x) => x.throughput)).toFixed(0)}/s, ${name} ${median(b.map((x) => x.throughput)).toFixed(0)}/s; ratio ${median(ratio).toFixed(1)} % (IQR ${iqrText(ratio)})`,
      );
    }
  }
  console.log(`load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  child.kill('SIGTERM');
}
