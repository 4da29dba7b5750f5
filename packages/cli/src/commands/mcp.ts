/**
 * `skillc mcp serve`: every skill of the given files or directories (sources or compiled IR) is an
 * MCP tool, served over stdio (default) or Streamable HTTP (`--http`). Runs go through the full
 * runtime on the engines of sdl.config.yaml, with its middleware, state store, host tools and MCP
 * servers. Over HTTP, clients must send `Authorization: Bearer $SDL_MCP_TOKEN` (or the variable
 * `--token-env` names); the server listens on 127.0.0.1 unless told otherwise, and refuses
 * requests whose Host header is not the one it listens on (DNS rebinding).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type SdlConfig } from '@sdl/adapters';
import { createRuntime, loadSkillFile, McpServers, type HostTool, type LoadedSkill, type Runtime, type StateStore } from '@sdl/runtime';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';
import { formatDiagnostics } from '../run/report-error.js';
import { enginesFromConfig, stateStoreFromConfig } from '../run/engines.js';
import { HostToolsError, loadHostTools } from '../run/host-tools.js';
import { createSecretScrubber } from '../run/scrub.js';
import { version } from '../main.js';
import { serveSkillTools, skillTools, type SkillTool } from '../mcp/skill-tools.js';

const usage = `Usage: skillc mcp serve <skills dir | build dir | skill files...> [--config sdl.config.yaml]
                        [--http [--port 3000] [--host 127.0.0.1] [--token-env SDL_MCP_TOKEN]]

Serves every skill as an MCP tool: its inputs as the tool's inputSchema, its outputs as the
outputSchema (results carry structuredContent), its description. Directories are searched for
*.skill.yaml and compiled *.skill.json files (a compiled skill wins over its source). Runs go
through the runtime on the engines of sdl.config.yaml (middleware, state store, host tools
<name>.tools.mjs, MCP servers). A skill with memory.conversation continues one conversation per
MCP session (or per _meta["sdl/session"] of the call).

Transports:
  (default)             stdio: the MCP client starts this command; stdout carries the protocol
  --http                Streamable HTTP at http://<host>:<port>/mcp; clients send
                        "Authorization: Bearer <token>" with the token from --token-env
  --port <n>            HTTP port (default 3000; 0 picks a free one, printed on stderr)
  --host <addr>         HTTP address to listen on (default 127.0.0.1)
  --token-env <NAME>    the environment variable holding the bearer token (default SDL_MCP_TOKEN)

Options:
  --config <file>       the engine configuration (default ./sdl.config.yaml)

Claude Desktop (claude_desktop_config.json) and other clients' "mcpServers":
  { "mcpServers": { "skills": { "command": "npx", "args": ["skillc", "mcp", "serve", "/path/to/skills", "--config", "/path/to/sdl.config.yaml"] } } }

Exit codes: 0 stopped cleanly, 1 a skill or the config has errors, 2 usage or file errors.
`;

interface ServeFlags {
  paths: string[];
  config: string | undefined;
  http: boolean;
  port: number;
  host: string;
  tokenEnv: string;
}

function parseFlags(argv: string[], cwd: string): ServeFlags {
  const [sub, ...rest] = argv;
  if (sub !== 'serve') throw new UsageError(sub === undefined ? 'name the subcommand: skillc mcp serve <skills>' : `unknown subcommand \`${sub}\`; the one there is: serve`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      http: { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      'token-env': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('name the skills to serve: a directory (skills/ or a build dir) or skill files');
  if (!values.http && (values.port !== undefined || values.host !== undefined || values['token-env'] !== undefined)) {
    throw new UsageError('--port, --host and --token-env apply to --http only');
  }
  const port = values.port === undefined ? 3000 : Number(values.port);
  if (values.port !== undefined && (!/^\d+$/.test(values.port) || port > 65535)) throw new UsageError(`--port must be 0-65535, not \`${values.port}\``);
  const tokenEnv = values['token-env'] ?? 'SDL_MCP_TOKEN';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) throw new UsageError(`--token-env must name an environment variable, not \`${tokenEnv}\``);
  return {
    paths: positionals.map((p) => path.resolve(cwd, p)),
    config: values.config,
    http: values.http ?? false,
    port,
    host: values.host ?? '127.0.0.1',
    tokenEnv,
  };
}

const SKILL_FILE = /\.skill\.(ya?ml|json)$/i;

/** The skill files of the paths: files as given, directories searched (not node_modules or dot directories); IR beats its source. */
export async function skillFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of paths) {
    const info = await stat(entry).catch(() => undefined);
    if (info === undefined) throw new UsageError(`${entry} does not exist`);
    if (info.isFile()) {
      found.push(entry);
      continue;
    }
    const names = (await readdir(entry, { recursive: true })) as string[];
    for (const name of names.sort()) {
      if (name.split(path.sep).some((part) => part === 'node_modules' || part.startsWith('.'))) continue;
      if (SKILL_FILE.test(name)) found.push(path.join(entry, name));
    }
  }
  // A compiled skill.json and its skill.yaml source beside it are one skill: serve the compiled one.
  const compiled = new Set(found.filter((f) => /\.json$/i.test(f)).map((f) => f.replace(/\.json$/i, '')));
  return found.filter((f) => !(/\.ya?ml$/i.test(f) && compiled.has(f.replace(/\.ya?ml$/i, ''))));
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const flags = parseFlags(argv, io.cwd);
  // stdout is the protocol over stdio: everything a person reads goes to stderr.
  const say = (text: string) => io.stderr.write(text);
  const token = flags.http ? io.env[flags.tokenEnv] : undefined;
  if (flags.http && (token === undefined || token.length < 16)) {
    say(`skillc mcp serve: set ${flags.tokenEnv} to a token of at least 16 characters; HTTP clients send it as "Authorization: Bearer <token>"\n`);
    return EXIT_USAGE;
  }

  const configFile = path.resolve(io.cwd, flags.config ?? 'sdl.config.yaml');
  const shownConfig = path.relative(io.cwd, configFile) || configFile;
  const loaded = await loadConfig(configFile, { env: io.env });
  if (loaded.diagnostics.length > 0) say(formatDiagnostics(loaded.diagnostics, { color: false, cwd: io.cwd }));
  if (loaded.config === undefined) return loaded.diagnostics.some((d) => d.code === 'SDL9901') ? EXIT_USAGE : EXIT_INPUT_ERRORS;
  const config: SdlConfig = loaded.config;
  const scrub = createSecretScrubber(config);

  const files = await skillFiles(flags.paths);
  if (files.length === 0) throw new UsageError(`no *.skill.yaml or *.skill.json under ${flags.paths.map((p) => path.relative(io.cwd, p) || p).join(', ')}`);
  const skills: LoadedSkill[] = [];
  const tools: Record<string, HostTool> = {};
  const moduleOptional = Object.keys(config.mcp).length > 0;
  try {
    for (const file of files) {
      const skill = await loadSkillFile(file);
      skills.push(skill);
      for (const [name, tool] of Object.entries(await loadHostTools(skill, file, io.cwd, undefined, { moduleOptional }))) tools[name] ??= tool;
    }
  } catch (error) {
    say(`skillc mcp serve: ${scrub(error instanceof HostToolsError || error instanceof Error ? error.message : String(error))}\n`);
    return EXIT_INPUT_ERRORS;
  }

  let offered: SkillTool[];
  try {
    offered = skillTools(skills);
  } catch (error) {
    say(`skillc mcp serve: ${(error as Error).message}\n`);
    return EXIT_INPUT_ERRORS;
  }

  const engines = enginesFromConfig(config);
  const state: StateStore = stateStoreFromConfig(config);
  const runtime: Runtime = createRuntime({
    router: engines.router,
    describeModel: engines.describeModel,
    defaultEngine: config.defaultEngine,
    state,
    tools,
    mcp: new McpServers(config.mcp, { configFile: shownConfig }),
  });
  try {
    // Every skill resolves before the server answers anything: a broken one is reported now.
    for (const skill of skills) await runtime.prepare(skill);
  } catch (error) {
    say(`skillc mcp serve: ${scrub((error as Error).message)}\n`);
    await runtime.close();
    await state.close().catch(() => {});
    return EXIT_INPUT_ERRORS;
  }

  const { Server } = await import('@modelcontextprotocol/sdk/server/index.js');
  const newServer = async () => {
    const server = new Server({ name: 'skillc', version: version() }, { capabilities: { tools: {} } });
    await serveSkillTools(server, offered, runtime, { scrub, defaultSession: randomUUID() });
    return server;
  };

  const stopped = new Promise<void>((resolve) => {
    if (io.signal?.aborted) resolve();
    io.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    if (!flags.http) {
      const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
      const server = await newServer();
      // The client closing our stdin (or stopping us) ends the server.
      const closed = new Promise<void>((resolve) => {
        server.onclose = resolve;
        process.stdin.once('end', resolve);
      });
      await server.connect(new StdioServerTransport());
      say(`skillc mcp serve: ${offered.length} skill${offered.length === 1 ? '' : 's'} over stdio: ${offered.map((t) => t.name).join(', ')}\n`);
      await Promise.race([closed, stopped]);
      await server.close();
    } else {
      await serveHttp(flags, token!, newServer, offered, say, stopped);
    }
  } finally {
    await runtime.close();
    await state.close().catch(() => {});
  }
  return EXIT_OK;
}

async function serveHttp(
  flags: ServeFlags,
  token: string,
  newServer: () => Promise<import('@modelcontextprotocol/sdk/server/index.js').Server>,
  offered: readonly SkillTool[],
  say: (text: string) => void,
  stopped: Promise<void>,
): Promise<void> {
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  type Transport = InstanceType<typeof StreamableHTTPServerTransport>;
  const sessions = new Map<string, Transport>();
  let allowedHosts: string[] = [];
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/mcp') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the endpoint is /mcp\n');
      if (!allowedHosts.includes(req.headers.host ?? '')) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host\n');
      if (!bearerMatches(req.headers.authorization, token)) {
        return void res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('send Authorization: Bearer <token>\n');
      }
      const id = req.headers['mcp-session-id'];
      const existing = typeof id === 'string' ? sessions.get(id) : undefined;
      if (existing !== undefined) return void (await existing.handleRequest(req, res));
      if (typeof id === 'string') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown or expired MCP session; initialize again\n');
      // A request without a session must be `initialize`; the transport checks and refuses others.
      const transport: Transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, transport),
        onsessionclosed: (sessionId) => void sessions.delete(sessionId),
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      };
      await (await newServer()).connect(transport);
      await transport.handleRequest(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(flags.port, flags.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  allowedHosts = [`${flags.host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  const shownHost = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
  say(`skillc mcp serve: ${offered.length} skill${offered.length === 1 ? '' : 's'} at http://${shownHost}:${port}/mcp: ${offered.map((t) => t.name).join(', ')}\n`);
  await stopped;
  await Promise.all([...sessions.values()].map((t) => t.close().catch(() => {})));
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

/** `skillc mcp`: MCP server of the project's skills. */
export const command: Command = { name: 'mcp', summary: 'Serve skills as MCP tools (stdio or Streamable HTTP)', usage, run };
