/**
 * `skillc serve`: serves the skills of a directory over HTTP (@sdl/server) on the engines of
 * sdl.config.yaml. With a redis state store, sessions, per-caller limits, engine rate limits,
 * circuit breakers and the response cache all live in that Redis, so any number of `serve`
 * processes (and `skillc worker`s with the same prefix) behind a load balancer act as one.
 * SIGTERM or Ctrl-C: new runs get 503, runs in flight finish, then the process exits.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SdlConfig } from '@sdl/adapters';
import {
  CircuitBreakers,
  createMetrics,
  createRuntime,
  DEFAULT_BATCH_PREFIX,
  MemoryBreakerStore,
  MemoryRateLimiter,
  MemoryResponseCache,
  McpServers,
  RedisBreakerStore,
  RedisRateLimiter,
  RedisResponseCache,
  SkillCompileError,
  SkillResolutionError,
  systemClock,
  type HostTool,
  type RateLimiter,
  type ResponseCache,
  type StateStore,
} from '@sdl/runtime';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';
import { enginesFromConfig, redisUnreachable, stateStoreFromConfig } from '../run/engines.js';
import { HostToolsError, loadHostTools } from '../run/host-tools.js';
import { formatDiagnostics } from '../run/report-error.js';
import { createSecretScrubber } from '../run/scrub.js';
import { loadCommandConfig } from '../run/command-config.js';

const usage = `Usage: skillc serve [dir] [--config sdl.config.yaml] [--port N] [--host addr] [--prefix name]

Serves every skill under <dir> (*.skill.yaml compiled on load, or compiled *.skill.json; default:
./build if it exists, else ./skills, else .) over HTTP on the engines of the config:

  POST /v1/skills/{name}/runs   {"inputs": {...}, "session": "...", "engine": "..."} -> the result
                                as JSON, or server-sent events with Accept: text/event-stream
  GET  /openapi.json            OpenAPI 3.1 from the skills' input and output schemas
  GET  /metrics                 Prometheus metrics
  GET  /healthz, /readyz        liveness; readiness (skills loaded, state store reachable)

Callers authenticate with a bearer token from server.callers in the config (see spec/server.md).
With state.store: redis, sessions, caller and engine rate limits, circuit breakers and the cache
are shared by every serve process on that Redis. SIGTERM or Ctrl-C: new runs get 503, runs in
flight finish (up to server.shutdown_timeout_ms), then the process exits.

Options:
  --config <file>   the configuration (default ./sdl.config.yaml)
  --port <n>        the TCP port (default server.port, else 8080; 0 picks a free one)
  --host <addr>     the interface (default server.host, else 127.0.0.1)
  --prefix <name>   key prefix of limits, breakers and cache in Redis, shared with skillc worker
                    processes of the same prefix (default ${DEFAULT_BATCH_PREFIX})

Exit codes: 0 stopped cleanly, 1 the config or a skill has errors or Redis is unreachable,
2 usage errors or the port is taken.
`;

const CONFIG_EXAMPLE = `server:
  callers:
    web: { token: "\${env:SDL_WEB_TOKEN}", rpm: 120 }`;

function defaultDir(cwd: string): string {
  for (const candidate of ['build', 'skills']) {
    const dir = path.join(cwd, candidate);
    if (existsSync(dir) && statSync(dir).isDirectory()) return dir;
  }
  return cwd;
}

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > 65535) throw new UsageError(`${flag} must be a port number (${min}-65535), not \`${value}\``);
  return n;
}

/** The shared middleware state: in the config's Redis when the state store is redis, else in this process. */
async function sharedState(config: SdlConfig, prefix: string): Promise<{ limiter: RateLimiter; breakers: CircuitBreakers; cache: ResponseCache; close(): Promise<void> }> {
  if (config.state.store !== 'redis') {
    return { limiter: new MemoryRateLimiter(systemClock), breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), cache: new MemoryResponseCache(systemClock), close: async () => {} };
  }
  // ioredis is loaded only for a redis config.
  const { Redis } = await import('ioredis');
  const redis = new Redis(config.state.url?.reveal() ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
  const limiter = new RedisRateLimiter({ redis, prefix: `${prefix}:rl:` });
  const breakerStore = new RedisBreakerStore(redis, `${prefix}:breaker:`);
  return {
    limiter,
    breakers: new CircuitBreakers(breakerStore, systemClock),
    cache: new RedisResponseCache(redis, `${prefix}:cache:`),
    async close() {
      await limiter.idle();
      breakerStore.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      prefix: { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`serve takes one directory, got ${positionals.length}: ${positionals.join(', ')}`);
  const portFlag = integer(values.port, '--port', 0);
  const prefix = values.prefix ?? DEFAULT_BATCH_PREFIX;
  if (!/^[\w.-]+$/.test(prefix)) throw new UsageError(`--prefix may hold letters, digits, _ . and - only, not \`${prefix}\``);
  const dir = positionals[0] === undefined ? defaultDir(io.cwd) : path.resolve(io.cwd, positionals[0]);
  const shown = (file: string) => path.relative(io.cwd, file) || file;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    io.stderr.write(`skillc serve: ${shown(dir)} is not a directory; name the directory holding the skills (e.g. build or skills)\n`);
    return EXIT_USAGE;
  }
  const loaded = await loadCommandConfig(io, {
    command: 'skillc serve',
    flag: values.config,
    missingHint: 'write one with engines and server.callers (see spec/server.md), or pass --config',
  });
  if (typeof loaded === 'number') return loaded;
  const { config, configFile } = loaded;
  const color = io.stderr.isTTY === true && io.env.NO_COLOR === undefined;
  const scrub = createSecretScrubber(config);
  const stderr = (text: string) => io.stderr.write(scrub(text));
  const callers = Object.values(config.server?.callers ?? {});
  if (callers.length === 0) {
    stderr(`skillc serve: ${shown(configFile)} names no callers, so every request would be refused; add tokens, e.g.\n\n${CONFIG_EXAMPLE}\n\n`);
    return EXIT_INPUT_ERRORS;
  }
  const unreachable = await redisUnreachable(config);
  if (unreachable !== undefined) {
    stderr(`skillc serve: ${unreachable}; start Redis or fix state.url\n`);
    return EXIT_INPUT_ERRORS;
  }

  // Heavy modules load only now: the server framework, and ioredis for a redis config.
  const { createServer, loadSkillsDir } = await import('@sdl/server');
  const found = await loadSkillsDir(dir);
  for (const problem of found.problems) {
    const error = problem.error;
    if (error instanceof SkillCompileError) stderr(`${formatDiagnostics(error.diagnostics, { color, cwd: io.cwd, base: process.cwd() })}\n`);
    else stderr(`skillc serve: ${shown(problem.file)}: ${(error as Error).message}\n`);
  }
  if (found.problems.length > 0) return EXIT_INPUT_ERRORS;
  if (found.skills.size === 0) {
    stderr(`skillc serve: no *.skill.yaml or *.skill.json under ${shown(dir)}; name the directory holding the skills\n`);
    return EXIT_INPUT_ERRORS;
  }

  const projectDir = path.dirname(config.file);
  const tools: Record<string, HostTool> = {};
  // With MCP servers configured, a skill's tools may come from them instead of a module.
  const moduleOptional = Object.keys(config.mcp).length > 0;
  try {
    for (const { skill, file } of found.skills.values()) {
      for (const [name, tool] of Object.entries(await loadHostTools(skill, file, projectDir, undefined, { moduleOptional }))) tools[name] ??= tool;
    }
  } catch (error) {
    if (!(error instanceof HostToolsError)) throw error;
    stderr(`skillc serve: ${error.message}\n`);
    return EXIT_INPUT_ERRORS;
  }

  const shared = await sharedState(config, prefix);
  const metrics = createMetrics();
  let state: StateStore;
  try {
    state = stateStoreFromConfig(config);
  } catch (error) {
    await shared.close();
    stderr(`skillc serve: ${(error as Error).message}\n`);
    return EXIT_INPUT_ERRORS;
  }
  const engines = enginesFromConfig(config, { limiter: shared.limiter, breakers: shared.breakers, cache: shared.cache, metrics });
  const runtime = createRuntime({
    router: engines.router,
    describeModel: engines.describeModel,
    defaultEngine: config.defaultEngine,
    tools,
    state,
    mcp: new McpServers(config.mcp, { configFile: shown(config.file) }),
  });
  const closeAll = async () => {
    await runtime.close().catch(() => {});
    await state.close().catch(() => {});
    await shared.close().catch(() => {});
  };

  try {
    // Every skill resolves (MCP servers connected, tools bound) before the first request.
    for (const { skill } of found.skills.values()) await runtime.prepare(skill);
  } catch (error) {
    stderr(`skillc serve: ${(error as Error).message}\n`);
    await closeAll();
    return EXIT_INPUT_ERRORS;
  }

  const server = (() => {
    try {
      return createServer({
        runtime,
        skills: [...found.skills.values()].map((s) => s.skill),
        callers: callers.map((c) => ({ name: c.name, token: c.token, ...(c.rpm ?? c.concurrency ? { limits: { ...(c.rpm === undefined ? {} : { rpm: c.rpm }), ...(c.burstRequests === undefined ? {} : { burstRequests: c.burstRequests }), ...(c.concurrency === undefined ? {} : { concurrency: c.concurrency }) } } : {}) })),
        ...(config.server?.rateLimit === undefined ? {} : { defaultLimits: config.server.rateLimit }),
        limiter: shared.limiter,
        registry: metrics.registry,
        probes: { state: async () => void (await state.get('readyz', 'probe')) },
        ...(config.server?.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: config.server.bodyLimitBytes }),
        ...(config.server?.timeoutMs === undefined ? {} : { runTimeoutMs: config.server.timeoutMs }),
        ...(config.server?.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: config.server.shutdownTimeoutMs }),
        scrub,
        logger: {
          info: (message, fields) => {
            if (message === 'request') stderr(`${fields?.method} ${fields?.path} ${fields?.status}${fields?.caller === undefined ? '' : ` caller=${fields.caller}`} ${fields?.ms}ms\n`);
          },
          error: (message, fields) => stderr(`skillc serve: ${message} (${fields?.method} ${fields?.path}: ${fields?.error})\n`),
        },
      });
    } catch (error) {
      if (error instanceof SkillResolutionError) return error;
      throw error;
    }
  })();
  if (server instanceof SkillResolutionError) {
    stderr(`skillc serve: ${server.message}\n`);
    await closeAll();
    return EXIT_INPUT_ERRORS;
  }

  const host = values.host ?? config.server?.host ?? '127.0.0.1';
  const port = portFlag ?? config.server?.port ?? 8080;
  let address;
  try {
    address = await server.listen({ port, host });
  } catch (error) {
    await closeAll();
    const code = (error as NodeJS.ErrnoException).code;
    stderr(`skillc serve: cannot listen on ${host}:${port} (${code ?? (error as Error).message})${code === 'EADDRINUSE' ? '; another process has the port: pick another with --port' : ''}\n`);
    return EXIT_USAGE;
  }
  const names = [...found.skills.keys()];
  stderr(`skillc serve: listening on ${address.url} (${names.length} skill${names.length === 1 ? '' : 's'}: ${names.join(', ')}; state ${config.state.store}); Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    if (io.signal === undefined) return;
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  stderr(`skillc serve: stopping; new runs get 503, waiting for ${server.inFlight} run${server.inFlight === 1 ? '' : 's'} in flight\n`);
  await server.shutdown();
  await closeAll();
  stderr('skillc serve: stopped\n');
  return EXIT_OK;
}

/** `skillc serve`: the HTTP server. */
export const command: Command = { name: 'serve', summary: 'Serve skills over HTTP (JSON, SSE, OpenAPI, metrics)', usage, run };
