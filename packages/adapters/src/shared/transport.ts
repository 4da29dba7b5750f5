/**
 * SDL's HTTP transport for the provider SDKs: a `fetch`-compatible function on `node:http` /
 * `node:https` with keep-alive agents, which the adapters hand to their SDK clients unless told
 * otherwise (`transport: 'fetch'`). Node's own `fetch` (undici's) builds a `Request`, web streams
 * and a `Response` per call and runs many promise hops; with the SDKs' requests (a string body, a
 * JSON or SSE reply read as text or by async iteration) that costs about half the client's CPU per
 * call (bench/runtime/transport.ts: ~600-800 µs → ~300-400 µs per `messages.create` at c=16).
 *
 * What it keeps of `fetch`'s behaviour (the SDKs rely on it; test/transport.test.ts checks it):
 * - bodies: string, `ArrayBuffer`/views, `URLSearchParams`, none. Anything else (`FormData`,
 *   `Blob`, streams: file uploads), a `Request` input, a non-http(s) URL, an undici `dispatcher` in
 *   the init, or a process with its own global dispatcher installed (`setGlobalDispatcher` of a
 *   `ProxyAgent`, `MockAgent`, ...; not a plain `Agent`) is handed to `globalThis.fetch` unchanged;
 * - the default headers fetch adds (`accept`, `accept-language`, `sec-fetch-mode`, `user-agent`,
 *   `accept-encoding: gzip, deflate`, `br, gzip, deflate` over https, as Node 20's fetch sends) and decoding of gzip, deflate and br replies;
 * - redirects: followed like fetch (`follow`, up to 20; 303, and 301/302 after POST, become a GET
 *   without body; credentials dropped across origins), `manual` returns the 3xx, `error` rejects;
 * - abort: a signal aborted before or during the request or the body read destroys the request
 *   and rejects (or errors the body) with the signal's reason, the `DOMException` `AbortError`;
 * - failures: `TypeError('fetch failed')` with the socket error as `cause` before the response
 *   (a 10 s connect timeout and 300 s headers/body idle timeouts, undici's, as `cause`s whose text
 *   says timeout), `TypeError('terminated')` with `cause` when the body breaks;
 * - the response: a real `Headers` (multiple `set-cookie` kept), `status`, `statusText`, `ok`,
 *   `url`, `redirected`, `text()`, `json()`, `arrayBuffer()`, `bytes()`, `blob()`, and a `body`
 *   that is async iterable (what the SDKs read streams by) with a minimal `getReader()`/`cancel()`;
 *   `null` for HEAD and null-body statuses. `clone()` and `formData()` are not supported (the
 *   adapters' clients never call them);
 * - proxies: HTTP(S)_PROXY ignored, as Node 20's `fetch` ignores them too; a proxy installed as undici's
 *   global dispatcher is used, through `fetch` (above);
 * - the send signal of shared/send-watch.ts (undici publishes it on its diagnostics channels).
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type * as Zlib from 'node:zlib';
import { currentSendWatcher } from './send-watch.js';

/** `globalThis.fetch`'s type. */
export type Fetch = typeof globalThis.fetch;
type FetchInit = NonNullable<Parameters<Fetch>[1]>;
type RequestRedirect = NonNullable<FetchInit['redirect']>;
type HeadersInit = NonNullable<FetchInit['headers']>;
type BodyInit = NonNullable<FetchInit['body']>;
type ReadResult = { done: false; value: Uint8Array } | { done: true; value: undefined };

/** Which HTTP client the adapters' SDK clients send through. */
export type Transport = 'node' | 'fetch';

const require = createRequire(import.meta.url);
// Loaded on first use: a host talking to an http URL (an emulator, a local proxy) never loads TLS or zlib.
let https: typeof Https | undefined;
let zlib: typeof Zlib | undefined;

/** Undici's defaults, which `fetch` applies. */
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 300_000;
/** Undici's default keep-alive timeout (a server's `Keep-Alive: timeout=n` hint shortens it). */
const KEEP_ALIVE_MS = 4_000;
const MAX_REDIRECTS = 20;

let httpAgent: HttpAgent | undefined;
let httpsAgent: Https.Agent | undefined;

function agentFor(protocol: string): HttpAgent {
  if (protocol === 'http:') return (httpAgent ??= new HttpAgent({ keepAlive: true, timeout: KEEP_ALIVE_MS }));
  https ??= require('node:https') as typeof Https;
  return (httpsAgent ??= new https.Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS }));
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
/** Headers fetch drops when a redirect changes the method to GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
/** Headers undici drops on a cross-origin redirect. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'host'];

/** What {@link nodeFetch} sends: the request in a form it can replay on a redirect. */
interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  signal: AbortSignal | undefined;
  redirect: RequestRedirect;
  redirects: number;
}

/** The init fields this transport reads; everything else of `RequestInit` (`cache`, `credentials`, `duplex`, ...) means nothing outside a browser. */
type Init = RequestInit & { dispatcher?: unknown };

/**
 * `fetch` on `node:http`/`node:https` (see the module comment for what it supports; anything else
 * goes to `globalThis.fetch`).
 */
export const nodeFetch: Fetch = (input: string | URL | Request, init?: Init): Promise<Response> => {
  try {
    let url: URL;
    if (typeof input === 'string') url = new URL(input);
    else if (input instanceof URL) url = input;
    else return globalThis.fetch(input, init);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || init?.dispatcher !== undefined || init?.window != null || customDispatcher()) return globalThis.fetch(input, init);
    const headers = requestHeaders(init?.headers, url.protocol === 'https:');
    const body = requestBody(init?.body, headers);
    if (body === UNSUPPORTED) return globalThis.fetch(input, init);
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const method = normalizeMethod(init?.method ?? 'GET');
    if (body !== undefined && (method === 'GET' || method === 'HEAD')) throw new TypeError('Request with GET/HEAD method cannot have body.');
    if (url.username !== '' || url.password !== '') throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${url.href}`);
    if (url.hash !== '') {
      url = new URL(url.href);
      url.hash = '';
    }
    return send({ url, method, headers, body, signal, redirect: init?.redirect ?? 'follow', redirects: 0 }, currentSendWatcher());
  } catch (err) {
    // fetch rejects (it does not throw) on a bad URL, header or body.
    return Promise.reject(err);
  }
};

/** The `fetch` client option for an SDK: SDL's transport, or none (the SDK's default, `globalThis.fetch`) when `transport` is `'fetch'`. */
export function transportOption(transport: Transport | undefined): { fetch?: Fetch } {
  return transport === 'fetch' ? {} : { fetch: nodeFetch };
}

/** Where undici (Node's and the npm package's) keeps the dispatcher `setGlobalDispatcher` installs. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * Whether the process installed its own undici dispatcher (a `ProxyAgent`, `EnvHttpProxyAgent`,
 * `MockAgent`, `RetryAgent`, ...) for `fetch` to send through: then requests go to `fetch`, so
 * they take the same route as before. Node's own default is a plain `Agent`, created on first use.
 */
function customDispatcher(): boolean {
  const dispatcher = (globalThis as Record<symbol, { constructor?: { name?: string } } | undefined>)[GLOBAL_DISPATCHER];
  return dispatcher !== undefined && dispatcher.constructor?.name !== 'Agent';
}

const NORMALIZED_METHODS: Record<string, string> = { delete: 'DELETE', get: 'GET', head: 'HEAD', options: 'OPTIONS', post: 'POST', put: 'PUT' };
const normalizeMethod = (method: string) => NORMALIZED_METHODS[method.toLowerCase()] ?? method;

/** The request's headers, lower-cased names and combined values as `Headers` gives them, with fetch's defaults. */
function requestHeaders(init: HeadersInit | undefined, secure: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (init !== undefined) {
    let headers: Headers;
    try {
      headers = init instanceof Headers ? init : new Headers(init);
    } catch (err) {
      throw withoutHeaderValue(err);
    }
    headers.forEach((value, name) => {
      out[name] = value;
    });
  }
  out['accept'] ??= '*/*';
  out['accept-language'] ??= '*';
  out['sec-fetch-mode'] ??= 'cors';
  out['user-agent'] ??= 'node';
  // Node 20's fetch offers br on https only.
  out['accept-encoding'] ??= secure ? 'br, gzip, deflate' : 'gzip, deflate';
  return out;
}

/**
 * Undici's `Headers` quotes a rejected value in its message (`Headers.append: "Bearer sk-..." is an
 * invalid header value.`); the value may be a key, which SDL never echoes: the same TypeError, the
 * value left out.
 */
function withoutHeaderValue(err: unknown): unknown {
  if (!(err instanceof TypeError)) return err;
  const invalid = /^([\w.]+): ".*" is an invalid header value\.$/s.exec(err.message);
  return invalid ? new TypeError(`${invalid[1]}: an invalid header value (not shown).`) : err;
}

const UNSUPPORTED: unique symbol = Symbol('unsupported body');

/** The body as bytes or a string (its content type added as fetch does), `UNSUPPORTED` for the kinds left to `fetch`. */
function requestBody(body: BodyInit | null | undefined, headers: Record<string, string>): string | Uint8Array | undefined | typeof UNSUPPORTED {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
    return body;
  }
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    return body.toString();
  }
  return UNSUPPORTED;
}

/** A `fetch failed` TypeError, as undici's fetch rejects with, its cause the underlying error. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });

/** An error named like undici's, so its text tells the SDKs that it was a timeout. */
function undiciError(name: string, code: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  (err as Error & { code: string }).code = code;
  return err;
}

function send(out: Outgoing, onSent: ((at: number) => void) | undefined): Promise<Response> {
  return new Promise<Response>((resolveOnce, rejectOnce) => {
    // The request's listeners live as long as its socket is busy (until the body is read); they must
    // not keep the promise (its resolvers do, and it holds the Response), or a Response dropped
    // unread could never be collected and cancelled (see unreadBodies).
    let settle: { resolve: (r: Response | PromiseLike<Response>) => void; reject: (err: unknown) => void } | undefined = { resolve: resolveOnce, reject: rejectOnce };
    const resolve = (r: Response | PromiseLike<Response>) => {
      settle?.resolve(r);
      settle = undefined;
    };
    const reject = (err: unknown) => {
      settle?.reject(err);
      settle = undefined;
    };
    const { url, signal } = out;
    const options: RequestOptions = {
      agent: agentFor(url.protocol),
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: out.method,
      headers: out.headers,
    };
    if (out.body !== undefined) out.headers['content-length'] = String(typeof out.body === 'string' ? Buffer.byteLength(out.body) : out.body.byteLength);
    else if (out.method === 'POST' || out.method === 'PUT') out.headers['content-length'] = '0';
    let req: ClientRequest;
    try {
      req = url.protocol === 'http:' ? httpRequest(options) : https!.request(options);
    } catch (err) {
      // Invalid header names or values: fetch's Headers rejects those before sending.
      reject(err instanceof TypeError ? err : fetchFailed(err));
      return;
    }
    let settled = false;
    let response: IncomingMessage | undefined;
    let body: NodeBody | undefined;
    const onAbort = () => {
      const reason = signal!.reason as unknown;
      // Once the response is complete the socket may be back in the pool, serving another request.
      if (response?.complete !== true) req.destroy();
      if (body !== undefined) body.fail(reason);
      else if (!settled) {
        settled = true;
        reject(reason);
      }
    };
    const release = () => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });

    req.on('socket', (socket) => {
      if (!socket.connecting) {
        onSent?.(Date.now());
        return;
      }
      const timer = setTimeout(() => {
        req.destroy(undiciError('ConnectTimeoutError', 'UND_ERR_CONNECT_TIMEOUT', `Connect Timeout Error (attempted address: ${url.hostname}:${url.port || (url.protocol === 'http:' ? 80 : 443)}, timeout: ${CONNECT_TIMEOUT_MS}ms)`));
      }, CONNECT_TIMEOUT_MS);
      socket.once(url.protocol === 'http:' ? 'connect' : 'secureConnect', () => {
        clearTimeout(timer);
        onSent?.(Date.now());
      });
      socket.once('close', () => clearTimeout(timer));
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => {
      req.destroy(
        response === undefined ? undiciError('HeadersTimeoutError', 'UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error') : undiciError('BodyTimeoutError', 'UND_ERR_BODY_TIMEOUT', 'Body Timeout Error'),
      );
    });
    req.on('error', (err) => {
      if (body !== undefined) body.fail(new TypeError('terminated', { cause: err }));
      else if (!settled) {
        settled = true;
        release();
        reject(fetchFailed(err));
      }
    });
    req.on('response', (res) => {
      response = res;
      if (settled) {
        res.destroy();
        return;
      }
      const status = res.statusCode!;
      const location = res.headers.location;
      if (REDIRECT_STATUS.has(status) && location !== undefined && out.redirect !== 'manual') {
        settled = true;
        release();
        res.resume(); // read to its end, so the socket goes back to the pool
        if (out.redirect === 'error') reject(fetchFailed(new Error('unexpected redirect')));
        else redirect(out, status, location).then(resolve, reject);
        return;
      }
      settled = true;
      const nullBody = out.method === 'HEAD' || NULL_BODY_STATUS.has(status);
      if (nullBody) res.resume();
      body = nullBody ? undefined : new NodeBody(decoded(res), release);
      if (nullBody) res.once('end', release);
      resolve(makeResponse(res, body, out));
    });
    if (out.body === undefined) req.end();
    else req.end(out.body);
  });
}

/** Follows one redirect like fetch does (the response to it already drained). */
function redirect(out: Outgoing, status: number, location: string): Promise<Response> {
  let next: URL;
  try {
    next = new URL(location, out.url);
  } catch (err) {
    return Promise.reject(fetchFailed(err));
  }
  if (out.redirects + 1 > MAX_REDIRECTS) return Promise.reject(fetchFailed(new Error('redirect count exceeded')));
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return Promise.reject(fetchFailed(new Error('URL scheme must be a HTTP(S) scheme')));
  if (out.signal?.aborted) return Promise.reject(out.signal.reason);
  next.hash = '';
  const headers = { ...out.headers };
  let { method, body } = out;
  if (status === 303 ? method !== 'GET' && method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
    method = 'GET';
    body = undefined;
    for (const name of BODY_HEADERS) delete headers[name];
  }
  if (next.origin !== out.url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
  const response = send({ ...out, url: next, method, headers, body, redirects: out.redirects + 1 }, undefined);
  return response.then((r) => {
    Object.defineProperty(r, 'redirected', { value: true });
    return r;
  });
}

/** The response body with its content codings removed (fetch's `gzip`, `x-gzip`, `deflate`, `br`; unknown codings are left as they are). */
function decoded(res: IncomingMessage): Readable {
  const coding = res.headers['content-encoding'];
  if (coding === undefined || coding === '' || coding === 'identity') return res;
  const codings = coding.toLowerCase().split(',').map((c) => c.trim()).filter((c) => c !== '' && c !== 'identity').reverse();
  zlib ??= require('node:zlib') as typeof Zlib;
  const z = zlib;
  const flush = { flush: z.constants.Z_SYNC_FLUSH, finishFlush: z.constants.Z_SYNC_FLUSH };
  const decoders: Zlib.Gunzip[] = [];
  for (const c of codings) {
    if (c === 'gzip' || c === 'x-gzip') decoders.push(z.createGunzip(flush));
    else if (c === 'deflate') decoders.push(z.createInflate(flush));
    else if (c === 'br') decoders.push(z.createBrotliDecompress({ flush: z.constants.BROTLI_OPERATION_FLUSH, finishFlush: z.constants.BROTLI_OPERATION_FLUSH }));
    else return res; // a coding fetch does not decode either: the bytes as sent
  }
  if (decoders.length === 0) return res;
  let stream: Readable = res;
  for (const decoder of decoders) {
    const from = stream;
    from.on('error', (err) => decoder.destroy(err));
    stream = from.pipe(decoder);
  }
  const last = stream;
  last.once('close', () => {
    if (!res.complete) res.destroy();
  });
  return last;
}

function makeResponse(res: IncomingMessage, body: NodeBody | undefined, out: Outgoing): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const response = new NodeResponse(res.statusCode!, res.statusMessage ?? '', headers, body, out.url.href);
  if (body !== undefined) unreadBodies.register(response, body, body);
  return response as unknown as Response;
}

/**
 * A response dropped with its body never read or cancelled (a retried 5xx, say) would hold its
 * socket until the server closes it: Node's agent only reuses a socket once its body was read to
 * the end. Undici's fetch cancels such a body when its `Response` is garbage collected; so does this.
 */
const unreadBodies = new FinalizationRegistry<NodeBody>((body) => {
  if (!body.used) void body.cancel();
});

/** The part of `Response` the SDKs read, on a {@link NodeBody}. */
class NodeResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    readonly body: NodeBody | null | undefined,
    readonly url: string,
  ) {
    this.ok = status >= 200 && status <= 299;
    this.body ??= null;
  }
  get bodyUsed(): boolean {
    return this.body?.used ?? false;
  }
  private bytesOf(): Promise<Uint8Array> {
    if (this.body === null || this.body === undefined) return Promise.resolve(new Uint8Array(0));
    return this.body.readAll();
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytesOf();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }
  async text(): Promise<string> {
    const bytes = await this.bytesOf();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async blob(): Promise<Blob> {
    return new Blob([await this.bytesOf()], { type: this.headers.get('content-type') ?? '' });
  }
  formData(): Promise<never> {
    return Promise.reject(new TypeError("formData() is not supported by SDL's transport (pass transport: 'fetch')"));
  }
  clone(): never {
    throw new TypeError("clone() is not supported by SDL's transport (pass transport: 'fetch')");
  }
}

/**
 * A response body: async iterable over its chunks (`Uint8Array`s), as the SDKs read streams;
 * `readAll` for the whole of it; a minimal reader. Errors surface as fetch's do: the abort
 * reason, else `TypeError('terminated')` with the cause.
 */
class NodeBody {
  used = false;
  locked = false;
  private error: unknown;

  constructor(
    private readonly stream: Readable,
    /** Called once the body ended, failed or was cancelled (removes the abort listener). */
    private readonly done: () => void,
  ) {
    stream.once('end', done);
    stream.once('close', done);
  }

  /** Ends the body with `error` (an abort, a broken connection): a pending or later read rejects with it. */
  fail(error: unknown): void {
    this.error ??= error;
    this.stream.destroy(error instanceof Error ? error : undefined);
    this.done();
  }

  private failure(err: unknown): unknown {
    if (this.error !== undefined) return this.error;
    return err instanceof TypeError && err.message === 'terminated' ? err : new TypeError('terminated', { cause: err });
  }

  private take(): void {
    if (this.used || this.locked) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    unreadBodies.unregister(this);
  }

  readAll(): Promise<Uint8Array> {
    try {
      this.take();
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.error !== undefined) return Promise.reject(this.error);
    const stream = this.stream;
    return new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      stream.once('error', (err) => reject(this.failure(err)));
      stream.once('close', () => {
        if (!stream.readableEnded) reject(this.failure(new Error('aborted')));
      });
    });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    this.take();
    const iterator = this.stream[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>;
    const self = this;
    const onError = (err: unknown): never => {
      throw self.failure(err);
    };
    return {
      next: () => (self.error !== undefined ? Promise.reject(self.error) : iterator.next().then(undefined, onError)),
      return: () => {
        self.cancel();
        return Promise.resolve({ done: true as const, value: undefined });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Stops reading: the connection is closed (as undici does for a cancelled body). */
  cancel(): Promise<void> {
    this.used = true;
    if (!this.stream.destroyed) this.stream.destroy();
    this.done();
    return Promise.resolve();
  }

  /** A reader, for code that reads a `ReadableStream` by `getReader()`. */
  getReader(): { read(): Promise<ReadResult>; releaseLock(): void; cancel(): Promise<void>; closed: Promise<void> } {
    const iterator = this[Symbol.asyncIterator]();
    this.locked = true;
    const closed = new Promise<void>((resolve, reject) => {
      this.stream.once('end', () => resolve());
      this.stream.once('error', (err) => reject(this.failure(err)));
    });
    closed.catch(() => undefined);
    return {
      read: () => iterator.next() as Promise<ReadResult>,
      releaseLock: () => {
        this.locked = false;
      },
      cancel: () => this.cancel(),
      closed,
    };
  }
}
