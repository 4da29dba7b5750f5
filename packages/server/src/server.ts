/**
 * `createServer`: an HTTP server (Hono on Node's http via @hono/node-server) that serves skills of
 * a runtime. Middleware, in order: request metrics → shutdown gate → bearer auth (every route but
 * `/healthz` and `/readyz`) → body limit → routes. Routes live in `routes/`, one file each;
 * hosts add their own with `routes` (they run behind the same auth).
 */
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { MemoryRateLimiter, systemClock, type LoadedSkill, type PreparedSkill, type RateLimiter, type Runtime, type RuntimeLogger } from '@sdl/runtime';
import type { Registry } from 'prom-client';
import { bearerAuth, type CallerLimits, type ServerCaller } from './auth.js';
import { Drain } from './drain.js';
import type { ServerEnv } from './env.js';
import { errorBody } from './errors.js';
import { httpMetrics } from './http-metrics.js';
import { openApiDocument } from './openapi.js';
import { healthRoutes, type ReadinessProbe } from './routes/health.js';
import { runsRoute } from './routes/runs.js';

/** The package's version (also the OpenAPI document's `info.version`). */
export const SERVER_PACKAGE_VERSION = '0.1.0';

/** Default largest request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1_048_576;
/** Default time in-flight runs get to finish at shutdown. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** The runtime whose engines, tools, state and middleware serve the runs. */
  runtime: Runtime;
  /** The skills served, each under `/v1/skills/{name}/runs`; resolved on the runtime at creation (a refusal throws). */
  skills: Iterable<LoadedSkill>;
  /** Who may call (bearer tokens); with none, every authenticated route answers 401. */
  callers: readonly ServerCaller[];
  /** Per-caller limits for callers without their own; default none. */
  defaultLimits?: CallerLimits;
  /** Where per-caller limits are counted: a `RedisRateLimiter` shares them between processes; default in memory. */
  limiter?: RateLimiter;
  /** The Prometheus registry served at `/metrics` (the runtime's, from `createMetrics`); HTTP metrics are added to it. */
  registry?: Registry;
  /** Readiness checks besides "skills loaded" (e.g. the state store), by name. */
  probes?: Record<string, ReadinessProbe>;
  /** How long `/readyz` waits for each probe; default 2000 ms. */
  probeTimeoutMs?: number;
  /** Largest request body in bytes (413 above it); default {@link DEFAULT_BODY_LIMIT_BYTES}. */
  bodyLimitBytes?: number;
  /** Deadline of one run in milliseconds; default none. */
  runTimeoutMs?: number;
  /** Time runs in flight get to finish in {@link SdlServer.shutdown}; default {@link DEFAULT_SHUTDOWN_TIMEOUT_MS}. */
  shutdownTimeoutMs?: number;
  /** Removes configured secrets from any text the server sends or logs. */
  scrub?: (text: string) => string;
  /** One line per request (method, route, status, caller, ms); never tokens, bodies or prompts. */
  logger?: RuntimeLogger;
  /** Timers for the shutdown grace period (tests pass a fake clock). */
  clock?: { setTimer(ms: number, fn: () => void): () => void };
  /** Adds routes behind the same auth (e.g. a trace viewer page). */
  routes?: (app: Hono<ServerEnv>) => void;
}

/** Where a listening server is. */
export interface ListeningAddress {
  /** `http://host:port` */
  url: string;
  host: string;
  port: number;
}

/** A server made by {@link createServer}. */
export interface SdlServer {
  /** The Hono app: `app.fetch(request)` answers without a socket. */
  readonly app: Hono<ServerEnv>;
  /** Starts listening (port 0 picks a free one). */
  listen(options?: { port?: number; host?: string }): Promise<ListeningAddress>;
  /**
   * Graceful shutdown: new runs get 503 at once, runs in flight finish (cancelled after the grace
   * period), then the listener and idle connections close. Safe to call twice.
   */
  shutdown(): Promise<void>;
  /** Runs in flight now. */
  readonly inFlight: number;
}

/**
 * Creates the server. Skills are resolved against the runtime now, so a skill needing a tool or an
 * engine the host lacks fails here, not on its first request.
 *
 * @example
 * ```ts
 * import { ScriptedAdapter } from '@sdl/adapters';
 * import { createRuntime, loadSkillFile } from '@sdl/runtime';
 * import { createServer } from '@sdl/server';
 *
 * const runtime = createRuntime({ engines: { offline: { adapter: new ScriptedAdapter({ fallback: 'echo' }), model: 'scripted' } } });
 * const skill = await loadSkillFile('skills/summarize.skill.yaml');
 * const server = createServer({ runtime, skills: [skill], callers: [{ name: 'web', token: { reveal: () => process.env.SDL_WEB_TOKEN! } }] });
 * const { url } = await server.listen({ port: 8080 });
 * process.once('SIGTERM', () => void server.shutdown());
 * ```
 */
export function createServer(options: ServerOptions): SdlServer {
  const scrub = options.scrub ?? ((text: string) => text);
  const prepared = new Map<string, PreparedSkill>();
  const loaded: LoadedSkill[] = [];
  for (const skill of options.skills) {
    if (prepared.has(skill.name)) throw new Error(`two skills are named \`${skill.name}\`; each served skill needs its own name`);
    prepared.set(skill.name, options.runtime.load(skill));
    loaded.push(skill);
  }
  const drain = new Drain();
  const limiter = options.limiter ?? new MemoryRateLimiter(systemClock);
  const registry = options.registry ?? new (createRequire(import.meta.url)('prom-client') as typeof import('prom-client')).Registry();
  const app = new Hono<ServerEnv>();

  app.use('*', httpMetrics(registry, () => drain.inFlight));
  if (options.logger?.info !== undefined) {
    const info = options.logger.info.bind(options.logger);
    app.use('*', async (c, next) => {
      const started = performance.now();
      await next();
      const caller = c.get('caller')?.name;
      info('request', { method: c.req.method, path: scrub(c.req.path), status: c.res.status, ...(caller === undefined ? {} : { caller }), ms: Math.round(performance.now() - started) });
    });
  }
  app.route('/', healthRoutes({ drain, skills: () => prepared.size, probes: options.probes ?? {}, ...(options.probeTimeoutMs === undefined ? {} : { probeTimeoutMs: options.probeTimeoutMs }) }));
  app.use('*', bearerAuth(options.callers));
  app.use(
    '*',
    bodyLimit({
      maxSize: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      onError: (c) => c.json(errorBody('body_too_large', `the body is over the limit of ${options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES} bytes (server.body_limit_bytes)`), 413),
    }),
  );
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType }));
  const document = openApiDocument(loaded, SERVER_PACKAGE_VERSION);
  app.get('/openapi.json', (c) => c.json(document));
  app.route(
    '/',
    runsRoute({
      runtime: options.runtime,
      skills: prepared,
      limiter,
      defaultLimits: options.defaultLimits ?? {},
      drain,
      scrub,
      ...(options.runTimeoutMs === undefined ? {} : { runTimeoutMs: options.runTimeoutMs }),
    }),
  );
  options.routes?.(app);
  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${scrub(c.req.path)}; see GET /openapi.json`), 404));
  app.onError((error, c) => {
    options.logger?.error?.('request failed', { method: c.req.method, path: scrub(c.req.path), error: error.name });
    return c.json(errorBody('internal', 'the server failed to answer; see its log'), 500);
  });

  let server: ServerType | undefined;
  let closing: Promise<void> | undefined;
  return {
    app,
    get inFlight() {
      return drain.inFlight;
    },
    listen({ port = 0, host = '127.0.0.1' } = {}) {
      if (server !== undefined) return Promise.reject(new Error('the server is already listening'));
      const created = createAdaptorServer({ fetch: app.fetch, hostname: host, port });
      server = created;
      return new Promise((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, host, () => {
          created.off('error', reject);
          const address = created.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ url: `http://${shown}:${address.port}`, host: address.address, port: address.port });
        });
      });
    },
    shutdown() {
      closing ??= (async () => {
        await drain.close(options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS, (options.clock ?? systemClock).setTimer.bind(options.clock ?? systemClock));
        if (server === undefined) return;
        const http = server as import('node:http').Server;
        await new Promise<void>((resolve) => {
          // Answers finishing now leave keep-alive connections that turn idle a moment later: close
          // those as they appear, and after 5 s whatever is left, instead of waiting for their timeouts.
          const sweep = setInterval(() => http.closeIdleConnections(), 25);
          const hard = setTimeout(() => http.closeAllConnections(), 5_000);
          http.close(() => {
            clearInterval(sweep);
            clearTimeout(hard);
            resolve();
          });
          http.closeIdleConnections();
        });
      })();
      return closing;
    },
  };
}
