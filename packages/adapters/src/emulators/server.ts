import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { anthropicDialect } from './anthropic.js';
import { BatchBook } from './batches.js';
import { cohereDialect } from './cohere.js';
import type { Dialect, ReplyIds, WireErrorKind } from './dialect.js';
import { drawFault, FAULT_HEADER, type Fault, type FaultRule, parseFault, parseFaultSpec, seededRandom } from './faults.js';
import { openaiDialect } from './openai.js';
import { PromptCache } from './prompt-cache.js';
import { defaultReply, type EmulatorReply, type EmulatorRequest, type ReplySource, resolveReply } from './reply.js';

/** A provider whose chat API the emulator speaks on the wire. */
export type EmulatedProvider = 'anthropic' | 'openai' | 'cohere';

const DIALECTS: Record<EmulatedProvider, Dialect> = { anthropic: anthropicDialect, openai: openaiDialect, cohere: cohereDialect };

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Whose wire format to speak. */
  provider: EmulatedProvider;
  /** 0 (default) lets the OS choose. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fault rules applied at random (seeded): a spec string (`429:0.1,reset:0.05`) or parsed rules. */
  faults?: string | FaultRule[];
  /** Seed of the fault RNG; default 1. */
  seed?: number;
  /** The reply to every request, or a function of the request; default `defaultReply` (echo). */
  reply?: ReplySource;
  /** The emulator's own rate limit: requests per minute, sliding window. */
  rateLimit?: { rpm: number };
  /** Clock for the rate limit, epoch ms; default Date.now. */
  now?: () => number;
  /** Stops the server when fired (for `skillc emulate`). */
  signal?: AbortSignal;
  /** Delay between stream events in ms; default 0. */
  streamDelayMs?: number;
  /** The API keys accepted; any non-empty key when absent. `acceptKeys` changes them (a rotation). */
  apiKeys?: readonly string[];
  /** Retrieve calls until a provider batch (Anthropic Message Batches, OpenAI Batch) ends; default 2. */
  batchPollsToEnd?: number;
}

/** One HTTP request an emulator received, with what it made of it; for assertions in tests. */
export interface RecordedRequest {
  /** The HTTP method. */
  method: string;
  /** The request path, e.g. `/v1/messages`. */
  path: string;
  /** The request headers as received (unredacted: recorded requests are for test assertions). */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when empty). */
  body: unknown;
  /** The request as understood (absent when it failed validation or auth). */
  parsed?: EmulatorRequest;
  /** The fault applied, if any. */
  fault?: Fault;
  /** The HTTP status the emulator answered with. */
  status?: number;
  /** When the request arrived (the emulator's clock, epoch ms): for rate measurements in tests. */
  receivedAt: number;
}

/** A running emulator; point a provider SDK at `url`, and `close()` it when done. */
export interface Emulator {
  /** The provider this emulator speaks. */
  provider: EmulatedProvider;
  /** The base URL to give the provider's SDK (`baseURL` / `baseUrl`). */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The port it listens on. */
  port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Replies used by the next requests, first in first out, before `reply`. */
  enqueueReply(...replies: EmulatorReply[]): void;
  /** Faults applied to the next requests, first in first out (`'429@2'`, `'reset'`, ...). */
  enqueueFault(...faults: Array<string | Fault>): void;
  /**
   * Accepts only these keys from now on (a rotation at the provider: the old key is refused with
   * 401 at once); with no argument, any non-empty key again.
   */
  acceptKeys(...keys: string[]): void;
  /** The next provider batch created expires after its first `completedLines` lines (the rest end `expired`). */
  expireNextBatch(completedLines: number): void;
  /** Ids of the provider batches created, in order. */
  readonly batches: readonly string[];
  /** Stops the server and closes open connections. */
  close(): Promise<void>;
}

const WINDOW_MS = 60_000;
const NOMINAL_LIMIT = 4000;

/** Starts the emulator (documented at start.ts's `startEmulator`, which imports this module on first use). */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const dialect = DIALECTS[options.provider];
  if (!dialect) throw new Error(`unknown provider \`${String(options.provider)}\`; expected anthropic, openai or cohere`);
  const rules = typeof options.faults === 'string' ? parseFaultSpec(options.faults) : (options.faults ?? []);
  const random = seededRandom(options.seed ?? 1);
  const now = options.now ?? Date.now;
  const requests: RecordedRequest[] = [];
  const replyQueue: EmulatorReply[] = [];
  const faultQueue: Fault[] = [];
  let accepted: Set<string> | undefined = options.apiKeys === undefined ? undefined : new Set(options.apiKeys);
  const window: number[] = [];
  const sockets = new Set<Socket>();
  let counter = 0;
  let toolCounter = 0;
  const promptCache = new PromptCache();
  const batchBook = new BatchBook({
    dialect,
    rules,
    random,
    ...(options.batchPollsToEnd !== undefined ? { pollsToEnd: options.batchPollsToEnd } : {}),
    now,
    answer: async (parsed) => {
      const n = ++counter;
      const ids: ReplyIds = { requestId: `req_emu${String(n).padStart(6, '0')}`, responseId: options.provider === 'anthropic' ? `msg_emu${String(n).padStart(6, '0')}` : `chatcmpl-emu${n}`, created: Math.floor(now() / 1000) };
      const source: ReplySource = replyQueue.shift() ?? options.reply ?? defaultReply;
      const reply = resolveReply(parsed, typeof source === 'function' ? await source(parsed) : source, (name) => dialect.toolId(++toolCounter, name), promptCache);
      return dialect.response(parsed, reply, ids);
    },
  });

  const rateState = (t: number) => {
    while (window.length > 0 && window[0]! <= t - WINDOW_MS) window.shift();
    const limit = options.rateLimit?.rpm ?? NOMINAL_LIMIT;
    return { limit, remaining: Math.max(0, limit - window.length), resetAt: (window[0] ?? t) + WINDOW_MS, now: t };
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = ++counter;
    const ids: ReplyIds = {
      requestId: `req_emu${String(n).padStart(6, '0')}`,
      responseId: options.provider === 'anthropic' ? `msg_emu${String(n).padStart(6, '0')}` : options.provider === 'openai' ? `chatcmpl-emu${n}` : `emu-${String(n).padStart(6, '0')}`,
      created: Math.floor(now() / 1000),
    };
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const record: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body: undefined, receivedAt: now() };
    requests.push(record);
    const t = now();
    const baseHeaders: Record<string, string> = { [dialect.requestIdHeader]: ids.requestId };

    const sendJson = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      record.status = status;
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...baseHeaders, ...extra });
      res.end(text);
    };
    const sendError = (status: number, kind: WireErrorKind, message: string, extra: Record<string, string> = {}) =>
      sendJson(status, dialect.errorBody(kind, message, ids), extra);

    if (/^\/v1\/(messages\/batches|batches|files)(\/|$)/.test(path)) {
      const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
      const batchKey = dialect.apiKey(req.headers);
      if (batchKey === undefined || batchKey === '' || (accepted !== undefined && !accepted.has(batchKey))) {
        sendError(401, 'auth', 'invalid API key');
        return;
      }
      const answer = await batchBook.handle(req.method ?? 'GET', path, raw, req.headers, origin);
      if (answer !== undefined) {
        record.body = answer.text === undefined && raw !== '' && !path.startsWith('/v1/files') ? safeJson(raw) : undefined;
        if (answer.text !== undefined) sendRaw(res, record, answer.status, { ...baseHeaders, 'content-type': 'application/binary' }, answer.text);
        else sendJson(answer.status, answer.body);
        return;
      }
    }
    if (req.method !== 'POST' || path !== dialect.endpoint) {
      sendError(404, 'not_found', `no route for ${req.method} ${path}; the ${dialect.provider} emulator serves POST ${dialect.endpoint}`);
      return;
    }
    try {
      record.body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      sendError(400, 'invalid', 'the request body is not valid JSON');
      return;
    }

    // Which fault, if any: the request's header, then the queue, then the emulator's rate limit, then the random rules.
    let fault: Fault | undefined;
    const headerFault = req.headers[FAULT_HEADER];
    if (typeof headerFault === 'string' && headerFault !== '') {
      try {
        fault = parseFault(headerFault);
      } catch (err) {
        sendError(400, 'invalid', (err as Error).message);
        return;
      }
    }
    fault ??= faultQueue.shift();
    const state = rateState(t);
    const limited = options.rateLimit !== undefined && state.remaining <= 0;
    if (!fault && !limited) fault = drawFault(rules, random);
    if (!limited) window.push(t);
    const rateHeaders = dialect.rateLimitHeaders(rateState(t));
    Object.assign(baseHeaders, rateHeaders);
    if (limited) {
      const waitMs = Math.max(0, state.resetAt - t);
      sendError(429, 'rate_limited', `rate limit of ${state.limit} requests per minute exceeded`, { 'retry-after': String(Math.ceil(waitMs / 1000)) });
      return;
    }
    if (fault) record.fault = fault;

    const key = dialect.apiKey(req.headers);
    if (key === undefined || key === '' || (accepted !== undefined && !accepted.has(key)) || fault?.name === '401') {
      sendError(401, 'auth', 'invalid API key');
      return;
    }
    const parsed = dialect.parse(record.body, req.headers);
    if (typeof parsed === 'string') {
      sendError(400, 'invalid', parsed);
      return;
    }
    record.parsed = parsed;

    switch (fault?.name) {
      case '429':
        sendError(429, 'rate_limited', 'rate limit exceeded (injected)', { 'retry-after': String(fault.param ?? 1) });
        return;
      case '429ms':
        sendError(429, 'rate_limited', 'rate limit exceeded (injected)', { 'retry-after-ms': String(fault.param ?? 250) });
        return;
      case '529':
        sendError(529, 'overloaded', 'Overloaded');
        return;
      case '500':
        sendError(500, 'server', 'Internal server error');
        return;
      case '502':
        sendError(502, 'bad_gateway', 'Bad gateway');
        return;
      case '503':
        sendError(503, 'unavailable', 'The service is temporarily unavailable');
        return;
      case 'context':
        sendError(400, 'context', 'prompt is too long: the request exceeds the maximum context length of this model');
        return;
      case 'reset':
        record.status = 0;
        req.socket.destroy();
        return;
      case 'slow':
        await delay(fault.param ?? 1000);
        break;
      case 'error-event':
        if (!parsed.stream) {
          // Without a stream there is no event to carry it: answer like the provider's overload/server error.
          if (options.provider === 'anthropic') sendError(529, 'overloaded', 'Overloaded');
          else sendError(500, 'server', 'The server had an error while processing your request.');
          return;
        }
        break;
    }

    const source: ReplySource = replyQueue.shift() ?? options.reply ?? defaultReply;
    const reply = resolveReply(parsed, typeof source === 'function' ? await source(parsed) : source, (name) => dialect.toolId(++toolCounter, name), promptCache);

    if (!parsed.stream) {
      const body = dialect.response(parsed, reply, ids);
      if (fault?.name === 'malformed') {
        sendRaw(res, record, 200, baseHeaders, JSON.stringify(body).slice(0, 20));
        return;
      }
      if (fault?.name === 'disconnect' || fault?.name === 'stall') {
        const text = JSON.stringify(body);
        record.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...baseHeaders });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        if (fault.name === 'disconnect') setImmediate(() => req.socket.destroy());
        return;
      }
      sendJson(200, body);
      return;
    }

    let frames = dialect.stream(parsed, reply, ids);
    const cut = Math.max(1, Math.floor(frames.length / 2));
    if (fault?.name === 'malformed') frames = [...frames.slice(0, cut), dialect.malformedFrame()];
    if (fault?.name === 'error-event') frames = [...frames.slice(0, cut), dialect.streamError()];
    record.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...baseHeaders });
    const endAt = fault?.name === 'disconnect' || fault?.name === 'stall' ? cut : frames.length;
    for (let i = 0; i < endAt; i++) {
      res.write(frames[i]);
      if (options.streamDelayMs) await delay(options.streamDelayMs);
    }
    if (fault?.name === 'disconnect') setImmediate(() => req.socket.destroy());
    else if (fault?.name !== 'stall') res.end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `emulator error: ${(err as Error).message}` } }));
      } else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Stalled streams never end by themselves.
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });

  return {
    provider: options.provider,
    url: origin + dialect.basePath,
    origin,
    port: address.port,
    requests,
    enqueueReply: (...replies) => void replyQueue.push(...replies),
    acceptKeys: (...keys) => void (accepted = keys.length === 0 ? undefined : new Set(keys)),
    expireNextBatch: (completedLines) => batchBook.expireNextBatch(completedLines),
    batches: batchBook.created,
    enqueueFault: (...faults) => void faultQueue.push(...faults.map((f) => (typeof f === 'string' ? parseFault(f) : f))),
    close,
  };
}

function sendRaw(res: ServerResponse, record: RecordedRequest, status: number, headers: Record<string, string>, text: string): void {
  record.status = status;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
