/**
 * SDL's transport (shared/transport.ts), the adapters' default: first against Node's own `fetch`
 * on the same requests to a local server (the same outcome, or the same kind of error, row by row),
 * then through each provider's SDK against the emulators with `transport: 'node'` and `'fetch'`
 * (the same EngineError kinds), and the send signal the rate limiter takes from it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicAdapter, CohereAdapter, EngineError, OpenAIAdapter, startEmulator, watchSends, type EmulatedProvider, type Emulator, type EngineAdapter } from '../src/index.js';
import type { Transport } from '../src/shared/transport.js';
import { nodeFetch } from '../src/shared/transport.js';

const LARGE = Buffer.alloc(3 * 1024 * 1024 + 17, 'abcdefghij');
const JSON_BODY = JSON.stringify({ hello: 'world', list: Array.from({ length: 200 }, (_, i) => `item ${i}`) });
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex').slice(0, 16);

/** What a request looked like on the server: the requests' `echo` reply. */
async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'connection' && name !== 'host'));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ method: req.method, url: req.url, headers, bodyLength: body.length, bodySha: sha(body) }));
}

let other: Server;
let otherOrigin: string;

function handler(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const compressed = (coding: string, data: Buffer) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding, 'content-length': data.length });
    res.end(data);
  };
  switch (path) {
    case '/echo':
      void echo(req, res);
      return;
    case '/gzip':
      return compressed('gzip', gzipSync(JSON_BODY));
    case '/deflate':
      return compressed('deflate', deflateSync(JSON_BODY));
    case '/br':
      return compressed('br', brotliCompressSync(JSON_BODY));
    case '/unknown-coding':
      return compressed('zstd-ish', Buffer.from('raw bytes'));
    case '/cookies':
      req.resume();
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
      res.setHeader('x-multi', ['one', 'two']);
      res.writeHead(201, 'Made', { 'content-type': 'text/plain' });
      res.end('cookies');
      return;
    case '/no-content':
      req.resume();
      res.writeHead(204);
      res.end();
      return;
    case '/error':
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end('{"error":"overloaded"}');
      return;
    case '/large':
      req.resume();
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(LARGE);
      return;
    case '/chunks': {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = () => {
        if (i === 5) return void res.end();
        res.write(`data: ${i++}\n\n`);
        setTimeout(next, 2);
      };
      next();
      return;
    }
    case '/cut':
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      res.write('only part of it');
      setTimeout(() => req.socket.destroy(), 5);
      return;
    case '/stall':
      req.resume();
      return;
    case '/stall-body':
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first');
      return;
    default: {
      const redirect = /^\/redirect\/(\d+)(-cross)?$/.exec(path);
      if (redirect) {
        req.resume();
        res.writeHead(Number(redirect[1]), { location: redirect[2] ? `${otherOrigin}/echo` : '/echo?from=redirect' });
        res.end('moved');
        return;
      }
      if (path === '/loop') {
        req.resume();
        res.writeHead(302, { location: '/loop' });
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    }
  }
}

let server: Server;
let origin: string;
let closedOrigin: string;

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  server = createServer(handler);
  origin = await listen(server);
  other = createServer(handler);
  otherOrigin = await listen(other);
  const closed = createServer();
  closedOrigin = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

type FetchFn = typeof fetch;

/** What a test can compare of a fetch outcome: the response's visible parts, or the error's kind. */
async function outcome(f: FetchFn, url: string, init: RequestInit = {}, read: 'text' | 'json' | 'iterate' | 'arrayBuffer' | 'none' = 'text'): Promise<unknown> {
  try {
    const res = await f(url, init);
    const headers = [...res.headers].filter(([name]) => !['date', 'keep-alive', 'connection', 'transfer-encoding'].includes(name));
    let body: unknown;
    if (read === 'text') body = await res.text();
    else if (read === 'json') body = await res.json();
    else if (read === 'arrayBuffer') body = sha(Buffer.from(await res.arrayBuffer()));
    else if (read === 'iterate') {
      const chunks: Buffer[] = [];
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
      body = Buffer.concat(chunks).toString();
    }
    const final = new URL(res.url);
    return {
      status: res.status,
      statusText: res.statusText,
      ok: res.ok,
      redirected: res.redirected,
      url: final.pathname + final.search,
      headers,
      setCookie: res.headers.getSetCookie(),
      bodyNull: res.body === null,
      body,
    };
  } catch (err) {
    return errorShape(err);
  }
}

function errorShape(err: unknown): unknown {
  const e = err as Error & { cause?: Error & { code?: string } };
  return { error: e.name, message: e.message, cause: e.cause === undefined ? undefined : (e.cause.code ?? e.cause.name) };
}

const aborted = () => {
  const controller = new AbortController();
  controller.abort();
  return controller.signal;
};

interface FetchRow {
  name: string;
  path: string;
  init?: () => RequestInit;
  read?: 'text' | 'json' | 'iterate' | 'arrayBuffer' | 'none';
  /** Where the two may differ in a way fetch's contract leaves open, a projection of both outcomes. */
  project?: (outcome: unknown) => unknown;
  /** Checked on this transport's outcome besides the equality. */
  expect?: (outcome: Record<string, unknown>) => void;
}

/** The echo reply's request headers without those undici and Node spell differently (not sent by the SDKs either way). */
const echoed = (o: unknown) => {
  const r = o as { body?: string };
  if (typeof r.body !== 'string') return o;
  const body = JSON.parse(r.body) as { headers: Record<string, string> };
  return { ...r, body: { ...body, headers: body.headers } };
};

const withoutCause = (o: unknown) => ({ ...(o as object), cause: undefined });

const post = (body: RequestInit['body'], headers: Record<string, string> = { 'content-type': 'application/json' }) => () => ({ method: 'POST', headers, body });

const rows: FetchRow[] = [
  { name: 'GET, default headers', path: '/echo', project: echoed },
  { name: 'POST a string body', path: '/echo', init: post(JSON_BODY), project: echoed },
  { name: 'POST a lower-case method and a Headers object', path: '/echo', init: () => ({ method: 'post', headers: new Headers({ 'X-Custom': 'v', 'content-type': 'application/json' }), body: '{}' }), project: echoed },
  { name: 'POST bytes', path: '/echo', init: post(new Uint8Array(LARGE.subarray(0, 1000)), { 'content-type': 'application/octet-stream' }), project: echoed },
  { name: 'POST an ArrayBuffer', path: '/echo', init: post(new Uint8Array([1, 2, 3]).buffer, { 'content-type': 'application/octet-stream' }), project: echoed },
  { name: 'POST URLSearchParams (content type added)', path: '/echo', init: () => ({ method: 'POST', body: new URLSearchParams({ a: '1', b: 'x y' }) }), project: echoed },
  { name: 'POST a string without content type (text/plain added)', path: '/echo', init: () => ({ method: 'POST', body: 'plain' }), project: echoed },
  { name: 'POST without body (content-length 0)', path: '/echo', init: () => ({ method: 'POST' }), project: echoed },
  { name: 'POST a large body (3 MiB)', path: '/echo', init: post(LARGE, { 'content-type': 'application/octet-stream' }), project: echoed },
  { name: 'FormData is handed to fetch', path: '/echo', init: () => ({ method: 'POST', body: Object.assign(new FormData(), {}) }), project: (o) => (o as { status: number }).status },
  { name: 'gzip reply decoded', path: '/gzip', read: 'json' },
  { name: 'deflate reply decoded', path: '/deflate', read: 'json' },
  { name: 'br reply decoded', path: '/br', read: 'json' },
  { name: 'gzip reply decoded when iterated', path: '/gzip', read: 'iterate' },
  { name: 'unknown content coding left as sent', path: '/unknown-coding' },
  { name: 'status text, several set-cookie and repeated headers', path: '/cookies' },
  { name: '204: null body', path: '/no-content' },
  { name: 'HEAD: null body', path: '/echo', init: () => ({ method: 'HEAD' }) },
  { name: '503 with its body and headers', path: '/error', read: 'json' },
  { name: 'large reply (3 MiB) as arrayBuffer', path: '/large', read: 'arrayBuffer' },
  { name: 'large reply (3 MiB) iterated', path: '/large', read: 'iterate', project: (o) => ({ ...(o as object), body: sha((o as { body: string }).body) }) },
  { name: 'a reply in chunks over time, iterated', path: '/chunks', read: 'iterate' },
  { name: '307 keeps method and body', path: '/redirect/307', init: post(JSON_BODY), project: echoed },
  { name: '308 keeps method and body', path: '/redirect/308', init: post(JSON_BODY), project: echoed },
  { name: '302 after POST becomes a GET without body', path: '/redirect/302', init: post(JSON_BODY), project: echoed },
  { name: '301 after POST becomes a GET without body', path: '/redirect/301', init: post(JSON_BODY), project: echoed },
  { name: '303 becomes a GET', path: '/redirect/303', init: () => ({ method: 'PUT', body: 'x', headers: { 'content-type': 'text/plain' } }), project: echoed },
  {
    name: 'cross-origin redirect drops authorization',
    path: '/redirect/307-cross',
    init: () => ({ method: 'POST', body: '{}', headers: { authorization: 'Bearer secret', 'x-api-key': 'kept', 'content-type': 'application/json' } }),
    project: echoed,
    expect: (o) => expect(o['body']).not.toContain('secret'),
  },
  { name: 'redirect: manual returns the 3xx', path: '/redirect/302', init: () => ({ redirect: 'manual' }) },
  { name: 'redirect: error rejects', path: '/redirect/302', init: () => ({ redirect: 'error' }) },
  { name: 'a redirect loop fails after 20', path: '/loop', project: (o) => (o as { error?: string }).error },
  { name: 'signal aborted before the call', path: '/echo', init: () => ({ signal: aborted() }) },
  { name: 'abort while waiting for headers', path: '/stall', init: () => ({ signal: AbortSignal.timeout(30) }) },
  { name: 'abort while reading the body', path: '/stall-body', init: () => ({ signal: AbortSignal.timeout(30) }) },
  { name: 'abort while iterating the body', path: '/stall-body', init: () => ({ signal: AbortSignal.timeout(30) }), read: 'iterate' },
  // undici's cause is its SocketError (`UND_ERR_SOCKET`, "other side closed"), Node's an ECONNRESET "aborted": no SDK reads it.
  { name: 'connection cut inside the body', path: '/cut', project: withoutCause },
  { name: 'connection cut inside the body, iterated', path: '/cut', read: 'iterate', project: withoutCause },
  { name: 'GET with a body rejects', path: '/echo', init: () => ({ method: 'GET', body: 'x' }) },
  { name: 'an invalid header value rejects', path: '/echo', init: () => ({ headers: { 'x-bad': 'a\nb' } }), project: (o) => (o as { error?: string }).error },
];

describe('nodeFetch against Node fetch, same request, same outcome', () => {
  it.each(rows)('$name', async (row) => {
    const url = `${origin}${row.path}`;
    const project = row.project ?? ((o: unknown) => o);
    const theirs = await outcome(fetch, url, row.init?.(), row.read);
    const ours = await outcome(nodeFetch, url, row.init?.(), row.read);
    expect(project(ours)).toEqual(project(theirs));
    row.expect?.(ours as Record<string, unknown>);
  });

  it('connection refused: TypeError fetch failed, cause ECONNREFUSED', async () => {
    expect(await outcome(nodeFetch, `${closedOrigin}/echo`)).toEqual(await outcome(fetch, `${closedOrigin}/echo`));
    expect(await outcome(nodeFetch, `${closedOrigin}/echo`)).toEqual({ error: 'TypeError', message: 'fetch failed', cause: 'ECONNREFUSED' });
  });

  it('aborts reject with the signal reason, a DOMException AbortError (what the SDKs take for abort or timeout)', async () => {
    const controller = new AbortController();
    const pending = nodeFetch(`${origin}/stall`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('AbortError');
    const reason = new Error('mine');
    expect(await nodeFetch(`${origin}/echo`, { signal: AbortSignal.abort(reason) }).catch((e: unknown) => e)).toBe(reason);
  });

  it('keeps connections alive: sequential requests share one socket', async () => {
    const ports = new Set<number>();
    const onConnection = (socket: { remotePort?: number }) => ports.add(socket.remotePort!);
    server.on('connection', onConnection);
    try {
      for (let i = 0; i < 5; i++) await (await nodeFetch(`${origin}/echo`)).text();
    } finally {
      server.off('connection', onConnection);
    }
    expect(ports.size).toBeLessThanOrEqual(1);
  });

  it('a body read twice, or cancelled, is unusable like fetch', async () => {
    const res = await nodeFetch(`${origin}/echo`);
    await res.text();
    expect(res.bodyUsed).toBe(true);
    expect(errorShape(await res.text().catch((e: unknown) => e))).toMatchObject({ error: 'TypeError' });
    const streamed = await nodeFetch(`${origin}/chunks`);
    const iterator = (streamed.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    expect(Buffer.from((await iterator.next()).value as Uint8Array).toString()).toBe('data: 0\n\n');
    await iterator.return?.();
    expect(streamed.bodyUsed).toBe(true);
    // The connection is still usable for the next request (a cancelled body closes its socket).
    expect((await nodeFetch(`${origin}/no-content`)).status).toBe(204);
  });
});

describe('a process with its own undici global dispatcher', () => {
  it('sends through fetch, so the dispatcher (a MockAgent here, a ProxyAgent in production) sees the request', async () => {
    const { MockAgent, getGlobalDispatcher, setGlobalDispatcher } = await import('undici');
    const previous = getGlobalDispatcher();
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock.get(origin).intercept({ path: '/echo', method: 'POST' }).reply(200, 'from the mock', { headers: { 'content-type': 'text/plain' } });
    setGlobalDispatcher(mock);
    try {
      const res = await nodeFetch(`${origin}/echo`, { method: 'POST', body: 'x' });
      expect(await res.text()).toBe('from the mock');
    } finally {
      setGlobalDispatcher(previous);
      await mock.close();
    }
    // With Node's own plain Agent back, SDL's transport sends again.
    expect(JSON.parse(await (await nodeFetch(`${origin}/echo`)).text())).toMatchObject({ method: 'GET' });
  });
});

describe('nodeFetch over https', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/tls/${name}`, import.meta.url));
  let tls: Server;
  let tlsOrigin: string;
  beforeAll(async () => {
    tls = createHttpsServer({ key: readFileSync(fixture('key.pem')), cert: readFileSync(fixture('cert.pem')) }, handler);
    tlsOrigin = (await listen(tls)).replace('http:', 'https:');
  });
  afterAll(async () => {
    tls.closeAllConnections();
    await new Promise((resolve) => tls.close(resolve));
  });

  it('verifies the certificate: an untrusted one fails like fetch (TypeError fetch failed, the TLS error as cause)', async () => {
    const ours = await outcome(nodeFetch, `${tlsOrigin}/echo`);
    expect(ours).toEqual(await outcome(fetch, `${tlsOrigin}/echo`));
    expect(ours).toMatchObject({ error: 'TypeError', message: 'fetch failed', cause: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('with the certificate trusted (NODE_EXTRA_CA_CERTS, in a child process), the same replies as fetch, twice on one connection', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./support/https-fetch.ts', import.meta.url)), `${tlsOrigin}/echo`], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: fixture('cert.pem') },
    });
    const [ours1, ours2, theirs1, theirs2] = JSON.parse(stdout) as { status: number; body: string }[];
    expect(ours1!.status).toBe(200);
    expect(JSON.parse(ours1!.body)).toMatchObject({ method: 'POST', bodyLength: 7 });
    // The request headers seen are the same but for the connection's own (none here) and the content-length both send.
    expect([ours1, ours2]).toEqual([theirs1, theirs2]);
  }, 30_000);
});

// ---------------------------------------------------------------- through the SDKs

const API_KEY = 'sk-transport-test-0123456789';
const ADAPTERS = { anthropic: AnthropicAdapter, openai: OpenAIAdapter, cohere: CohereAdapter } as const;
const PROVIDERS: EmulatedProvider[] = ['anthropic', 'openai', 'cohere'];
const TRANSPORTS: Transport[] = ['node', 'fetch'];

const emulators = {} as Record<EmulatedProvider, Emulator>;
beforeAll(async () => {
  for (const provider of PROVIDERS) emulators[provider] = await startEmulator({ provider });
});
afterAll(async () => {
  for (const provider of PROVIDERS) await emulators[provider].close();
});

function adapterFor(provider: EmulatedProvider, transport: Transport, baseURL = emulators[provider].url): EngineAdapter {
  return new ADAPTERS[provider]({ apiKey: API_KEY, baseURL, timeoutMs: 5000, transport });
}

const ask = (_provider: EmulatedProvider, text: string, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) => ({
  model: 'test-model',
  messages: [{ role: 'user' as const, content: text }],
  maxTokens: 4000,
  ...extra,
});

async function collectText(stream: AsyncIterable<{ type: string; text?: string }>): Promise<string> {
  let text = '';
  for await (const event of stream) if (event.type === 'text-delta') text += event.text;
  return text;
}

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof EngineError) return err.kind;
    throw err;
  }
}

interface SdkRow {
  name: string;
  kind: string;
  run(adapter: EngineAdapter, provider: EmulatedProvider, transport: Transport): Promise<unknown>;
}

const sdkRows: SdkRow[] = [
  { name: 'generate', kind: 'ok', run: async (a, p) => expect((await a.generate(ask(p, 'hello'))).text).toBe('echo: hello') },
  { name: 'stream', kind: 'ok', run: async (a, p) => expect(await collectText(a.stream(ask(p, 'one two three')) as AsyncIterable<{ type: string; text?: string }>)).toBe('echo: one two three') },
  {
    name: 'a long reply streamed (300 deltas)',
    kind: 'ok',
    run: async (a, p) => {
      const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
      expect(await collectText(a.stream(ask(p, words)) as AsyncIterable<{ type: string; text?: string }>)).toBe(`echo: ${words}`);
    },
  },
  {
    name: 'a large request (1 MiB of text)',
    kind: 'ok',
    run: async (a, p) => {
      const text = 'x'.repeat(1024 * 1024);
      // The emulator echoes the text up to the output limit.
      expect((await a.generate(ask(p, text))).text).toMatch(/^echo: x{1000}/);
    },
  },
  {
    name: 'stalled reply -> timeout',
    kind: 'timeout',
    run: (a, p) => {
      emulators[p].enqueueFault('stall');
      return a.generate(ask(p, 'wait', { timeoutMs: 200 }));
    },
  },
  {
    name: 'stalled stream -> timeout',
    kind: 'timeout',
    run: (a, p) => {
      emulators[p].enqueueFault('stall');
      return collectText(a.stream(ask(p, 'wait for it', { timeoutMs: 200 })) as AsyncIterable<{ type: string; text?: string }>);
    },
  },
  {
    name: 'abort during the stream -> cancelled',
    kind: 'cancelled',
    run: (a, p) => {
      emulators[p].enqueueFault('stall');
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      return collectText(a.stream(ask(p, 'wait for it', { signal: controller.signal })) as AsyncIterable<{ type: string; text?: string }>);
    },
  },
  { name: 'abort before the call -> cancelled', kind: 'cancelled', run: (a, p) => a.generate(ask(p, 'never', { signal: aborted() })) },
  {
    name: 'connection reset -> network',
    kind: 'network',
    run: (a, p) => {
      emulators[p].enqueueFault('reset');
      return a.generate(ask(p, 'reset'));
    },
  },
  {
    name: 'disconnect inside the stream -> network',
    kind: 'network',
    run: (a, p) => {
      emulators[p].enqueueFault('disconnect');
      return collectText(a.stream(ask(p, 'one two three four')) as AsyncIterable<{ type: string; text?: string }>);
    },
  },
  { name: 'connection refused -> network', kind: 'network', run: (_a, p, t) => adapterFor(p, t, closedOrigin).generate(ask(p, 'nobody home')) },
  {
    name: '529/503 -> overloaded, its status read from the response',
    kind: 'overloaded',
    run: (a, p) => {
      emulators[p].enqueueFault('503');
      return a.generate(ask(p, 'busy'));
    },
  },
];

describe.each(PROVIDERS)('%s SDK through both transports', (provider) => {
  describe.each(TRANSPORTS)('transport %s', (transport) => {
    const adapter = () => adapterFor(provider, transport);
    it.each(sdkRows)('$name -> $kind', async (row) => {
      const a = adapter();
      expect(await kindOf(row.run(a, provider, transport))).toBe(row.kind);
      // The emulator still serves the next request normally.
      expect((await a.generate(ask(provider, 'after'))).text).toBe('echo: after');
    });
  });

  it('the default transport is SDL\'s (no undici request), and watchSends reports each send once, for both transports', async () => {
    const created: unknown[] = [];
    const onCreate = (message: unknown) => created.push(message);
    subscribe('undici:request:create', onCreate);
    try {
      const sent: number[] = [];
      const byDefault = new ADAPTERS[provider]({ apiKey: API_KEY, baseURL: emulators[provider].url });
      const before = Date.now();
      await watchSends((at) => sent.push(at), () => byDefault.generate(ask(provider, 'first')));
      await watchSends((at) => sent.push(at), () => collectText(byDefault.stream(ask(provider, 'second')) as AsyncIterable<{ type: string; text?: string }>));
      expect(created).toHaveLength(0);
      expect(sent).toHaveLength(2);
      for (const at of sent) expect(at).toBeGreaterThanOrEqual(before);
      const viaFetch = adapterFor(provider, 'fetch');
      const sentViaFetch: number[] = [];
      await watchSends((at) => sentViaFetch.push(at), () => viaFetch.generate(ask(provider, 'third')));
      expect(sentViaFetch).toHaveLength(1);
      expect(created.length).toBeGreaterThan(0);
      // Outside watchSends nothing is reported.
      await byDefault.generate(ask(provider, 'unwatched'));
      expect(sent).toHaveLength(2);
    } finally {
      unsubscribe('undici:request:create', onCreate);
    }
  });
});
