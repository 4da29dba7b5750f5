/**
 * An adversarial review of SDL's transport (shared/transport.ts) through the three SDKs' own clients:
 * each fault on a real local server, once with `fetch: nodeFetch` and once with Node's `fetch`, must
 * give the same SDK error class and the same number of attempts (the SDK's retry decision); then
 * keep-alive races, leaks (listeners, sockets, unread and cancelled bodies), large and multi-byte
 * bodies, and key secrecy in the transport's errors.
 */
import Anthropic from '@anthropic-ai/sdk';
import { CohereClientV2 } from 'cohere-ai';
import OpenAI from 'openai';
import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicAdapter, CohereAdapter, EngineError, OpenAIAdapter, startEmulator, type EmulatedProvider, type Emulator, type EngineAdapter } from '../src/index.js';
import { nodeFetch } from '../src/shared/transport.js';

const ADAPTERS = { anthropic: AnthropicAdapter, openai: OpenAIAdapter, cohere: CohereAdapter } as const;

const API_KEY = 'sk-review-secret-0123456789abcdef';

type Mode = 'ok' | 'text' | 'close-before-headers' | 'reset-body' | 'reset-stream' | 'stall' | 'stall-stream' | 'stall-body';
let mode: Mode = 'ok';
let hits = 0;
/** Mode `text`: the reply's text, sent in `chunkBytes` pieces (splitting multi-byte characters), and the last request body seen. */
let replyText = '';
let chunkBytes = 0;
let lastRequest = '';

/** `data` written in pieces of `size` bytes, a macrotask apart, so the client receives them as separate chunks. */
function writeInPieces(res: ServerResponse, data: Buffer, size: number): void {
  let at = 0;
  const next = () => {
    if (at >= data.length) return void res.end();
    res.write(data.subarray(at, (at += size)));
    setImmediate(next);
  };
  next();
}

/** A reply carrying `text`, in the endpoint's JSON or SSE shape. */
function textReply(req: IncomingMessage, res: ServerResponse, stream: boolean): void {
  const path = req.url ?? '';
  let body: string;
  if (stream) {
    const halves = [replyText.slice(0, replyText.length >> 1), replyText.slice(replyText.length >> 1)];
    if (path.includes('/v1/messages'))
      body = halves.map((text) => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`).join('') + 'event: message_stop\ndata: {"type":"message_stop"}\n\n';
    else if (path.includes('/chat/completions'))
      body = halves.map((text) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`).join('') + 'data: [DONE]\n\n';
    else body = halves.map((text) => `event: content-delta\ndata: ${JSON.stringify({ type: 'content-delta', index: 0, delta: { message: { content: { text } } } })}\n\n`).join('') + 'event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"COMPLETE"}}\n\n';
    res.writeHead(200, { 'content-type': 'text/event-stream' });
  } else {
    if (path.includes('/v1/messages')) body = JSON.stringify({ id: 'm', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: replyText }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } });
    else if (path.includes('/chat/completions')) body = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: replyText }, finish_reason: 'stop' }] });
    else body = JSON.stringify({ id: 'c', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: replyText }] } });
    res.writeHead(200, { 'content-type': 'application/json' });
  }
  writeInPieces(res, Buffer.from(body), chunkBytes);
}

/** A reply each SDK accepts, JSON or SSE, for whichever endpoint was called. */
function okReply(req: IncomingMessage, res: ServerResponse, stream: boolean): void {
  const path = req.url ?? '';
  if (stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (path.includes('/v1/messages')) {
      res.write('event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":1,"output_tokens":0}}}\n\n');
      res.write('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    } else if (path.includes('/chat/completions')) {
      res.write('data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n');
      res.write('data: [DONE]\n\n');
    } else {
      res.write('event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"COMPLETE"}}\n\n');
    }
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  if (path.includes('/v1/messages')) res.end(JSON.stringify({ id: 'm', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } }));
  else if (path.includes('/chat/completions')) res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] }));
  else res.end(JSON.stringify({ id: 'c', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'hi' }] } }));
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  hits++;
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    lastRequest = Buffer.concat(chunks).toString();
    const stream = /"stream":\s*true/.test(lastRequest);
    switch (mode) {
      case 'text':
        return textReply(req, res, stream);
      case 'ok':
        return okReply(req, res, stream);
      case 'close-before-headers':
        req.socket.destroy();
        return;
      case 'reset-body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"id":"m", "partial": ');
        setTimeout(() => req.socket.resetAndDestroy(), 5);
        return;
      case 'reset-stream':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': first\n\n');
        setTimeout(() => req.socket.resetAndDestroy(), 5);
        return;
      case 'stall':
        return;
      case 'stall-stream':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': first\n\n');
        return;
      case 'stall-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":');
        return;
    }
  });
}

let server: Server;
let origin: string;
let closedOrigin: string;
const sockets = new Set<Socket>();

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  server = createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  origin = await listen(server);
  const closed = createServer();
  closedOrigin = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

// ---------------------------------------------------------------- the SDKs' error classes

type Sdk = 'anthropic' | 'openai' | 'cohere';
const SDKS: Sdk[] = ['anthropic', 'openai', 'cohere'];
type Call = { stream: boolean; signal?: AbortSignal; timeoutMs?: number };

/** One call through the SDK's own client, on `fetchFn`, with one SDK retry allowed. */
async function call(sdk: Sdk, fetchFn: typeof fetch, base: string, c: Call): Promise<unknown> {
  const timeout = c.timeoutMs ?? 5000;
  if (sdk === 'anthropic') {
    const client = new Anthropic({ apiKey: API_KEY, baseURL: base, fetch: fetchFn, maxRetries: 1, timeout });
    const body = { model: 'm', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    if (!c.stream) return client.messages.create(body, { signal: c.signal });
    const events = [];
    for await (const e of await client.messages.create({ ...body, stream: true }, { signal: c.signal })) events.push(e.type);
    return events;
  }
  if (sdk === 'openai') {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: base, fetch: fetchFn, maxRetries: 1, timeout });
    const body = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    if (!c.stream) return client.chat.completions.create(body, { signal: c.signal });
    const events = [];
    for await (const e of await client.chat.completions.create({ ...body, stream: true }, { signal: c.signal })) events.push(e.object);
    return events;
  }
  const client = new CohereClientV2({ token: API_KEY, baseUrl: base, fetch: fetchFn, maxRetries: 1, timeoutInSeconds: timeout / 1000 });
  const body = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
  const opts = { abortSignal: c.signal, timeoutInSeconds: timeout / 1000 };
  if (!c.stream) return client.chat(body, opts);
  const events = [];
  for await (const e of await client.chatStream(body, opts)) events.push(e.type);
  return events;
}

/** What the SDK made of it: its error class (and the kind of its cause), and how many requests reached the server. */
async function classify(sdk: Sdk, fetchFn: typeof fetch, row: SdkFault): Promise<{ outcome: unknown; hits: number }> {
  mode = row.mode;
  hits = 0;
  const controller = new AbortController();
  if (row.abortAfterMs !== undefined) setTimeout(() => controller.abort(), row.abortAfterMs);
  const signal = row.abortBefore ? AbortSignal.abort() : row.abortAfterMs !== undefined ? controller.signal : undefined;
  let outcome: unknown;
  try {
    const value = await call(sdk, fetchFn, row.refused ? closedOrigin : origin, { stream: row.stream, signal, timeoutMs: row.timeoutMs });
    outcome = { ok: Array.isArray(value) ? value : typeof value };
  } catch (err) {
    const e = err as Error & { cause?: Error; timeoutMs?: unknown };
    outcome = { class: e.constructor.name, name: e.name, message: /timed? ?out/i.test(e.message) ? 'timeout' : /abort/i.test(e.message) ? 'abort' : 'other', cause: e.cause?.name };
  }
  const result = { outcome, hits };
  mode = 'ok';
  return result;
}

interface SdkFault {
  name: string;
  mode: Mode;
  stream: boolean;
  refused?: boolean;
  timeoutMs?: number;
  abortBefore?: boolean;
  abortAfterMs?: number;
}

const faults: SdkFault[] = [
  { name: 'a good reply', mode: 'ok', stream: false },
  { name: 'a good stream', mode: 'ok', stream: true },
  { name: 'connection refused', mode: 'ok', stream: false, refused: true },
  { name: 'server closes the socket before headers', mode: 'close-before-headers', stream: false },
  { name: 'server closes the socket before stream headers', mode: 'close-before-headers', stream: true },
  { name: 'server resets inside a JSON body', mode: 'reset-body', stream: false },
  { name: 'server resets inside a stream', mode: 'reset-stream', stream: true },
  { name: 'SDK timeout before headers', mode: 'stall', stream: false, timeoutMs: 150 },
  { name: 'SDK timeout before stream headers', mode: 'stall', stream: true, timeoutMs: 150 },
  { name: 'caller abort before the call', mode: 'ok', stream: false, abortBefore: true },
  { name: 'caller abort while waiting for headers', mode: 'stall', stream: false, abortAfterMs: 60 },
  { name: 'caller abort inside a JSON body', mode: 'stall-body', stream: false, abortAfterMs: 60 },
  { name: 'caller abort inside a stream', mode: 'stall-stream', stream: true, abortAfterMs: 60 },
];

describe.each(SDKS)('%s SDK: the same error class and retry decision on nodeFetch as on fetch', (sdk) => {
  it.each(faults)('$name', async (row) => {
    const theirs = await classify(sdk, fetch, row);
    const ours = await classify(sdk, nodeFetch, row);
    if (process.env.REVIEW_DEBUG) console.log(sdk, row.name, JSON.stringify(ours));
    expect(ours).toEqual(theirs);
  });
});

// ---------------------------------------------------------------- keep-alive: the server closes idle sockets

describe('a server that closes idle keep-alive sockets after 50 ms, with the client sending again right then', () => {
  let idle: Server;
  let idleOrigin: string;
  beforeAll(async () => {
    idle = createServer((req, res) => {
      const socket = req.socket as Socket & { idleTimer?: NodeJS.Timeout };
      clearTimeout(socket.idleTimer);
      req.resume();
      req.on('end', () => okReply(req, res, false));
      res.on('finish', () => {
        socket.idleTimer = setTimeout(() => socket.destroy(), 50);
      });
    });
    idle.keepAliveTimeout = 0; // no Keep-Alive hint: the client cannot see it coming (as behind many load balancers)
    idleOrigin = await listen(idle);
  });
  afterAll(async () => {
    idle.closeAllConnections();
    await new Promise((resolve) => idle.close(resolve));
  });

  /** Calls with pauses around the server's idle timeout: some land on a socket the server is closing. */
  async function race(f: typeof fetch, n: number): Promise<string[]> {
    const outcomes: string[] = [];
    for (let i = 0; i < n; i++) {
      const settled = await Promise.race([
        f(`${idleOrigin}/v1/messages`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then(
          async (r) => `ok ${(await r.text()).length > 0}`,
          (e: Error & { cause?: { code?: string } }) => `${e.name}: ${e.message} (${e.cause?.code === 'UND_ERR_SOCKET' ? 'ECONNRESET' : e.cause?.code})`,
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve('hung'), 3000).unref()),
      ]);
      outcomes.push(settled);
      await new Promise((resolve) => setTimeout(resolve, 47 + (i % 13) * 0.5));
    }
    return outcomes;
  }

  it('no call hangs; a POST on a stale socket fails as fetch does (TypeError fetch failed, ECONNRESET; undici does not retry a POST either)', async () => {
    const allowed = new Set(['ok true', 'TypeError: fetch failed (ECONNRESET)', 'TypeError: fetch failed (EPIPE)']);
    const theirs = await race(fetch, 40);
    const ours = await race(nodeFetch, 40);
    for (const o of [...theirs, ...ours]) expect(allowed).toContain(o);
    expect(ours.filter((o) => o === 'ok true').length).toBeGreaterThan(0);
  }, 30_000);

  it.each(SDKS)('%s SDK with one retry: each call ends the same way on both transports', async (sdk) => {
    const run = async (f: typeof fetch) => {
      const out: string[] = [];
      for (let i = 0; i < 8; i++) {
        out.push(
          await call(sdk, f, idleOrigin, { stream: false }).then(
            () => 'ok',
            (e: Error) => e.constructor.name,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 48 + (i % 5)));
      }
      return out;
    };
    const theirs = await run(fetch);
    const ours = await run(nodeFetch);
    // Anthropic and OpenAI retry a connection error; Cohere's fetcher does not (SDL retries itself).
    const allowed = sdk === 'cohere' ? ['ok', 'CohereError'] : ['ok'];
    for (const o of [...theirs, ...ours]) expect(allowed).toContain(o);
  }, 60_000);
});

// ---------------------------------------------------------------- leaks

/** Every client socket the process opens (Node publishes them on `net.client.socket`). */
const clientSockets = new Set<Socket>();
beforeAll(async () => {
  const { subscribe } = await import('node:diagnostics_channel');
  subscribe('net.client.socket', (message) => {
    const socket = (message as { socket: Socket }).socket;
    clientSockets.add(socket);
    socket.once('close', () => clientSockets.delete(socket));
  });
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

describe('unread and cancelled bodies free their sockets', () => {
  let srv: Server;
  let base: string;
  beforeAll(async () => {
    srv = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/busy') {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{"error":"busy"}');
        } else if (req.url === '/gzip-stream') {
          const data = gzipSync(`data: ${'x'.repeat(100)}\n\ndata: more\n\n`);
          res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip', 'content-length': data.length });
          res.end(data);
        } else {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: 1\n\n');
          const timer = setInterval(() => res.write('data: 2\n\n'), 5);
          res.on('close', () => clearInterval(timer));
        }
      });
    });
    base = await listen(srv);
  });
  afterAll(async () => {
    srv.closeAllConnections();
    await new Promise((resolve) => srv.close(resolve));
  });
  const open = () => [...clientSockets].filter((s) => !s.destroyed && s.remotePort === Number(new URL(base).port)).length;

  it('a response dropped without reading its body: its socket is released once the response is collected (undici cancels such a body on GC too)', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await nodeFetch(`${base}/busy`);
      expect(res.status).toBe(503);
    }
    await settle();
    for (let i = 0; i < 3 && open() > 1; i++) {
      gc();
      await settle(50);
    }
    expect(open()).toBeLessThanOrEqual(1);
  });

  it('a stream the consumer breaks out of (plain or gzip, in progress or complete): no socket left behind', async () => {
    for (const path of ['/endless', '/gzip-stream']) {
      srv.closeAllConnections();
      await settle();
      for (let i = 0; i < 5; i++) {
        const res = await nodeFetch(`${base}${path}`);
        await settle(10);
        for await (const _ of res.body as unknown as AsyncIterable<Uint8Array>) break;
      }
      await settle();
      expect(open()).toBeLessThanOrEqual(1);
    }
  });

  it.each(SDKS)('%s SDK: breaking out of a stream closes its connection', async (sdk) => {
    mode = 'ok';
    const before = sockets.size;
    const client = sdk === 'anthropic' ? new Anthropic({ apiKey: API_KEY, baseURL: origin, fetch: nodeFetch }) : undefined;
    if (client) for await (const _ of await client.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }], stream: true })) break;
    else if (sdk === 'openai') for await (const _ of await new OpenAI({ apiKey: API_KEY, baseURL: origin, fetch: nodeFetch }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true })) break;
    else for await (const _ of await new CohereClientV2({ token: API_KEY, baseUrl: origin, fetch: nodeFetch }).chatStream({ model: 'm', messages: [{ role: 'user', content: 'x' }] })) break;
    await settle();
    expect(sockets.size).toBeLessThanOrEqual(before + 1);
    expect([...clientSockets].filter((s) => !s.destroyed && s.remotePort === Number(new URL(origin).port)).length).toBeLessThanOrEqual(1);
  });
});

describe('2,000 calls through the adapters with random aborts mid-body and mid-stream (emulators, transport node)', () => {
  const emulators = {} as Record<EmulatedProvider, Emulator>;
  beforeAll(async () => {
    for (const provider of SDKS) emulators[provider] = await startEmulator({ provider });
  });
  afterAll(async () => {
    for (const provider of SDKS) await emulators[provider].close();
  });

  it('no abort listeners left on the reused signal, sockets back to a bounded number, no unhandled rejection, heap bounded', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const shared = new AbortController().signal;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const kinds = new Map<string, number>();
    const CONCURRENCY = 8;
    const one = async (provider: EmulatedProvider, adapter: EngineAdapter) => {
      const pick = Math.floor(random() * 6);
      const controller = new AbortController();
      const signal = pick >= 3 ? controller.signal : shared;
      if (pick >= 3) {
        if (pick !== 5) emulators[provider].enqueueFault('stall');
        setTimeout(() => controller.abort(), 1 + Math.floor(random() * 15));
      }
      const request = { model: 'test-model', messages: [{ role: 'user' as const, content: 'one two three four five six' }], maxTokens: 100, timeoutMs: 400, signal };
      const run = async () => {
        if (pick === 0 || pick === 3) return adapter.generate(request);
        for await (const event of adapter.stream(request) as AsyncIterable<{ type: string }>) if (pick === 2 && event.type === 'text-delta') break;
      };
      try {
        await run();
        kinds.set('ok', (kinds.get('ok') ?? 0) + 1);
      } catch (err) {
        const kind = err instanceof EngineError ? err.kind : `unexpected ${String(err)}`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    };
    const batch = async (count: number) => {
      for (const provider of SDKS) {
        const adapter = new ADAPTERS[provider]({ apiKey: API_KEY, baseURL: emulators[provider].url, timeoutMs: 2000, transport: 'node' });
        let left = count;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (left-- > 0) await one(provider, adapter);
          }),
        );
      }
    };
    try {
      await batch(40); // warm-up
      await settle(100);
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      await batch(Math.ceil(2000 / SDKS.length));
      await settle(200);
      gc();
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      const ports = new Set(SDKS.map((p) => Number(new URL(emulators[p].url).port)));
      const open = [...clientSockets].filter((s) => !s.destroyed && ports.has(s.remotePort!));
      expect([...kinds.keys()].filter((k) => !['ok', 'cancelled', 'timeout'].includes(k))).toEqual([]);
      expect(kinds.get('ok')).toBeGreaterThan(500);
      expect(kinds.get('cancelled')).toBeGreaterThan(100);
      expect(getEventListeners(shared, 'abort')).toHaveLength(0);
      expect(open.length).toBeLessThanOrEqual(SDKS.length * CONCURRENCY);
      for (const socket of open) for (const event of ['timeout', 'close', 'error', 'end', 'data', 'free', 'agentRemove']) expect(socket.listenerCount(event)).toBeLessThan(6);
      expect(unhandled).toEqual([]);
      expect(heapGrowth).toBeLessThan(40 * 1024 * 1024);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 120_000);
});

// ---------------------------------------------------------------- large bodies, multi-byte UTF-8 split across chunks

/** The reply's text through the SDK's own client: the message content, or the stream's text deltas joined. */
async function replyThrough(sdk: Sdk, f: typeof fetch, stream: boolean, prompt = 'hi'): Promise<string> {
  const messages = [{ role: 'user' as const, content: prompt }];
  if (sdk === 'anthropic') {
    const client = new Anthropic({ apiKey: API_KEY, baseURL: origin, fetch: f, maxRetries: 0 });
    if (!stream) return (await client.messages.create({ model: 'm', max_tokens: 10, messages })).content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    let text = '';
    for await (const e of await client.messages.create({ model: 'm', max_tokens: 10, messages, stream: true })) if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
    return text;
  }
  if (sdk === 'openai') {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: origin, fetch: f, maxRetries: 0 });
    if (!stream) return (await client.chat.completions.create({ model: 'm', messages })).choices[0]!.message.content ?? '';
    let text = '';
    for await (const e of await client.chat.completions.create({ model: 'm', messages, stream: true })) text += e.choices[0]?.delta.content ?? '';
    return text;
  }
  const client = new CohereClientV2({ token: API_KEY, baseUrl: origin, fetch: f, maxRetries: 0 });
  if (!stream) return ((await client.chat({ model: 'm', messages })).message.content ?? []).map((c) => ('text' in c ? c.text : '')).join('');
  let text = '';
  for await (const e of await client.chatStream({ model: 'm', messages })) if (e.type === 'content-delta') text += e.delta?.message?.content?.text ?? '';
  return text;
}

describe.each(SDKS)('%s SDK: large bodies and multi-byte characters split across chunks', (sdk) => {
  const multiByte = 'héllo 👋 日本語 — ünïcödé ';
  afterAll(() => {
    mode = 'ok';
  });

  it.each([
    { name: 'a 5 MB JSON reply in 64 KiB pieces', stream: false, text: multiByte.repeat(Math.ceil((5 * 1024 * 1024) / Buffer.byteLength(multiByte))), bytes: 65_537 },
    { name: 'a JSON reply sent one byte at a time', stream: false, text: multiByte.repeat(3), bytes: 1 },
    { name: 'an SSE stream sent one byte at a time', stream: true, text: multiByte.repeat(3), bytes: 1 },
    { name: 'an SSE stream in 7-byte pieces', stream: true, text: multiByte.repeat(40), bytes: 7 },
  ])('$name: decoded whole, as with fetch', async (row) => {
    mode = 'text';
    replyText = row.text;
    chunkBytes = row.bytes;
    const ours = await replyThrough(sdk, nodeFetch, row.stream);
    expect(ours.length).toBe(row.text.length);
    expect(ours === row.text).toBe(true);
    if (row.bytes === 1) expect(await replyThrough(sdk, fetch, row.stream)).toBe(ours);
  }, 30_000);

  it('a 2 MB request (multi-byte text) arrives byte for byte', async () => {
    mode = 'text';
    replyText = 'ok';
    chunkBytes = 1024;
    const prompt = multiByte.repeat(Math.ceil((2 * 1024 * 1024) / Buffer.byteLength(multiByte)));
    await replyThrough(sdk, nodeFetch, false, prompt);
    const ours = lastRequest;
    await replyThrough(sdk, fetch, false, prompt);
    expect(Buffer.byteLength(ours)).toBeGreaterThan(2 * 1024 * 1024);
    expect(ours === lastRequest).toBe(true);
    expect(JSON.stringify(JSON.parse(ours)).includes(JSON.stringify(prompt).slice(1, -1))).toBe(true);
  }, 30_000);
});

// ---------------------------------------------------------------- keys never echoed

describe('request header values never appear in the errors the transport makes', () => {
  const SECRET = 'sk-never-shown-5up3r';
  const headers = { 'x-api-key': SECRET, authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
  const text = (err: unknown): string => {
    const parts: string[] = [];
    for (let e = err as (Error & { cause?: unknown }) | undefined, i = 0; e !== undefined && e !== null && i < 5; e = e.cause as typeof e, i++) parts.push(String(e), String(e.message), String(e.stack), JSON.stringify(e));
    return parts.join('\n');
  };

  it.each<{ name: string; url: () => string; init?: RequestInit }>([
    { name: 'connection refused', url: () => `${closedOrigin}/v1/messages` },
    { name: 'socket closed before headers', url: () => `${origin}/close-before-headers` },
    { name: 'a reset inside the body', url: () => `${origin}/reset-body` },
  ])('$name', async (row) => {
    mode = row.name === 'socket closed before headers' ? 'close-before-headers' : row.name === 'a reset inside the body' ? 'reset-body' : 'ok';
    try {
      const err = await nodeFetch(row.url(), { method: 'POST', body: '{}', headers }).then((r) => r.text()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TypeError);
      expect(text(err)).not.toContain(SECRET);
    } finally {
      mode = 'ok';
    }
  });

  it.each(['sk-new\nline', 'sk-carriage\rreturn', 'sk-nul\0byte', 'sk-wide…char'])('an invalid header value (%j) rejects with a TypeError, like fetch, without the value', async (value) => {
    const theirs = await fetch(`${origin}/x`, { headers: { 'x-api-key': value } }).catch((e: unknown) => e);
    const ours = await nodeFetch(`${origin}/x`, { headers: { 'x-api-key': value } }).catch((e: unknown) => e);
    expect(theirs).toBeInstanceOf(TypeError);
    expect(ours).toBeInstanceOf(TypeError);
    expect(text(ours)).not.toContain(value.slice(3));
  });
});

describe('an API key no HTTP header can carry (a line break inside, as from a badly read secret file)', () => {
  const emulators = {} as Record<EmulatedProvider, Emulator>;
  beforeAll(async () => {
    for (const provider of SDKS) emulators[provider] = await startEmulator({ provider });
  });
  afterAll(async () => {
    for (const provider of SDKS) await emulators[provider].close();
  });

  it.each(SDKS.flatMap((sdk) => (['node', 'fetch'] as const).map((transport) => ({ sdk, transport }))))(
    '$sdk, transport $transport: an auth EngineError that does not quote the key (undici\'s Headers would)',
    async ({ sdk, transport }) => {
      const key = 'sk-line\nbreak-secret-99';
      const adapter = new ADAPTERS[sdk]({ apiKey: key, baseURL: emulators[sdk].url, timeoutMs: 2000, transport });
      const err = (await adapter.generate({ model: 'm', messages: [{ role: 'user', content: 'x' }], maxTokens: 10 }).catch((e: unknown) => e)) as EngineError;
      expect(err).toBeInstanceOf(EngineError);
      expect(err.kind).toBe('auth');
      let text = '';
      for (let e: unknown = err, i = 0; e instanceof Error && i < 5; e = e.cause, i++) text += `${String(e)} ${e.message} ${e.stack ?? ''}`;
      expect(text).not.toContain('break-secret');
      // A trailing line break (HTTP whitespace, trimmed by Headers) is still a usable key.
      const trailing = new ADAPTERS[sdk]({ apiKey: 'sk-trailing\n', baseURL: emulators[sdk].url, timeoutMs: 2000, transport });
      expect((await trailing.generate({ model: 'm', messages: [{ role: 'user', content: 'hello' }], maxTokens: 100 })).text).toBe('echo: hello');
    },
  );
});
