/**
 * Pins of MCP tool schemas in sdl.lock. `skillc compile` records, for each compiled skill, the
 * SHA-256 of the schemas of every MCP tool its declared tools bind to
 * (`skills.<id>.mcp_tools.<tool> = { server, tool, sha256 }`); `skillc check` lists the servers'
 * tools again and warns (SDL3051) at the tool's declaration when a schema changed or the tool is
 * gone. Servers that cannot be reached are skipped: the warning is about drift, not availability.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { McpServerConfig } from '@sdl/adapters';
import {
  LOCKFILE_NAME,
  makeDiagnostic,
  parseSkill,
  rangeOfPath,
  readLockfile,
  serializeLockfile,
  type Diagnostic,
  type Lockfile,
  type SourceFile,
} from '@sdl/compiler';
import type { McpToolInfo } from '@sdl/runtime';

/** One pinned MCP tool of a skill. */
export interface McpToolPin {
  /** The server's name under `mcp:`. */
  server: string;
  /** The server's name for the tool. */
  tool: string;
  /** SHA-256 (hex) of the canonical JSON of `{ inputSchema, outputSchema }`. */
  sha256: string;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The digest of a tool's schemas: key order and the `$schema` dialect do not change it. */
export function toolSchemaDigest(info: Pick<McpToolInfo, 'inputSchema' | 'outputSchema'>): string {
  const schemas = { inputSchema: info.inputSchema, ...(info.outputSchema === undefined ? {} : { outputSchema: info.outputSchema }) };
  return createHash('sha256').update(JSON.stringify(canonical(schemas))).digest('hex');
}

/** The config file `configuredMcpServers` reads: `configFile`, else `sdl.config.yaml`, in `cwd`. */
export const configPath = (cwd: string, configFile?: string): string => path.resolve(cwd, configFile ?? 'sdl.config.yaml');

/** The project's MCP servers from `sdl.config.yaml` in `cwd` (or `configFile`); none when there is no valid config. */
export async function configuredMcpServers(cwd: string, env: NodeJS.ProcessEnv, configFile?: string): Promise<Record<string, McpServerConfig>> {
  const file = configPath(cwd, configFile);
  if (!existsSync(file)) return {};
  // Loaded only for a project with a config: a compile or check without one does not pay for it.
  const { loadConfig } = await import('@sdl/adapters');
  const { config } = await loadConfig(file, { env });
  return config?.mcp ?? {};
}

/** The server tool each declared tool binds to, by the binding rules of spec/mcp.md (explicit entry, else the one server offering the name). */
function bindingsOf(
  toolNames: readonly string[],
  servers: Record<string, McpServerConfig>,
  listed: ReadonlyMap<string, McpToolInfo[]>,
): Map<string, { server: string; info: McpToolInfo } | { server: string; missing: string }> {
  const out = new Map<string, { server: string; info: McpToolInfo } | { server: string; missing: string }>();
  for (const name of toolNames) {
    const explicit = Object.values(servers).filter((s) => s.tools[name] !== undefined);
    if (explicit.length === 1) {
      const server = explicit[0]!;
      const tools = listed.get(server.name);
      if (tools === undefined) continue;
      const info = tools.find((t) => t.name === server.tools[name]);
      out.set(name, info === undefined ? { server: server.name, missing: server.tools[name]! } : { server: server.name, info });
      continue;
    }
    if (explicit.length > 1) continue;
    const offers = [...listed].filter(([, tools]) => tools.some((t) => t.name === name));
    if (offers.length === 1) out.set(name, { server: offers[0]![0], info: offers[0]![1].find((t) => t.name === name)! });
  }
  return out;
}

/** Lists the tools of every server, each in parallel; servers that fail are left out (and named in `unreachable`). */
async function listAll(servers: Record<string, McpServerConfig>, timeoutMs: number): Promise<{ listed: Map<string, McpToolInfo[]>; unreachable: string[] }> {
  const { McpConnection } = await import('@sdl/runtime');
  const listed = new Map<string, McpToolInfo[]>();
  const unreachable: string[] = [];
  await Promise.all(
    Object.values(servers).map(async (config) => {
      const connection = new McpConnection(config, { stderr: 'ignore', connectTimeoutMs: timeoutMs, clientName: 'skillc' });
      try {
        listed.set(config.name, await connection.tools());
      } catch {
        unreachable.push(config.name);
      } finally {
        await connection.close().catch(() => {});
      }
    }),
  );
  return { listed, unreachable: unreachable.sort() };
}

/** Declared tool names of a skill source (empty when it does not parse). */
function declaredTools(source: SourceFile): string[] {
  const tools = (parseSkill(source).value as { tools?: unknown } | undefined)?.tools;
  return tools !== null && typeof tools === 'object' && !Array.isArray(tools) ? Object.keys(tools) : [];
}

/**
 * Records the schema pins of the compiled skills in `<root>/sdl.lock` (written by the compiler
 * just before; `before` is the lock as it was until then). A tool whose server cannot be reached
 * keeps its earlier pin. Returns a note for
 * stderr about unreachable servers, or undefined.
 */
export async function pinMcpTools(
  root: string,
  skills: ReadonlyArray<{ id: string; source: SourceFile }>,
  servers: Record<string, McpServerConfig>,
  before: Lockfile | undefined,
  timeoutMs = 10_000,
): Promise<string | undefined> {
  const lockPath = path.join(root, LOCKFILE_NAME);
  const { lock } = readLockfile(lockPath);
  if (lock === undefined) return undefined;
  const wanted = skills.map((s) => ({ id: s.id, tools: declaredTools(s.source) })).filter((s) => s.tools.length > 0 && lock.skills[s.id] !== undefined);
  if (wanted.length === 0) return undefined;
  const { listed, unreachable } = await listAll(servers, timeoutMs);
  const entries = lock.skills as Record<string, Lockfile['skills'][string] & { mcp_tools?: Record<string, McpToolPin> }>;
  for (const { id, tools } of wanted) {
    const previous = (before?.skills[id] as { mcp_tools?: Record<string, McpToolPin> } | undefined)?.mcp_tools ?? {};
    const pins: Record<string, McpToolPin> = {};
    const bound = bindingsOf(tools, servers, listed);
    for (const name of tools) {
      const binding = bound.get(name);
      if (binding !== undefined && 'info' in binding) pins[name] = { server: binding.server, tool: binding.info.name, sha256: toolSchemaDigest(binding.info) };
      else if (previous[name] !== undefined && unreachable.includes(previous[name]!.server)) pins[name] = previous[name]!;
    }
    if (Object.keys(pins).length > 0) entries[id]!.mcp_tools = pins;
    else delete entries[id]!.mcp_tools;
  }
  const text = serializeLockfile(lock);
  const tmp = `${lockPath}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, lockPath);
  return unreachable.length === 0 ? undefined : `MCP server${unreachable.length === 1 ? '' : 's'} ${unreachable.map((s) => `\`${s}\``).join(', ')} could not be reached; earlier pins of their tools in sdl.lock are kept`;
}

/**
 * SDL3051 for every pinned MCP tool of the checked skills whose schema changed on its (reachable)
 * server, or that the server no longer offers; at the tool's key under `tools:`.
 */
export async function mcpDriftDiagnostics(
  root: string,
  skills: ReadonlyArray<{ id: string; source: SourceFile }>,
  servers: Record<string, McpServerConfig>,
  timeoutMs = 10_000,
): Promise<Diagnostic[]> {
  const lockPath = path.join(root, LOCKFILE_NAME);
  if (!existsSync(lockPath)) return [];
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { skills?: Record<string, { mcp_tools?: Record<string, McpToolPin> }> };
  const pinned = skills
    .map((s) => ({ ...s, pins: lock.skills?.[s.id]?.mcp_tools ?? {} }))
    .filter((s) => Object.keys(s.pins).length > 0);
  if (pinned.length === 0) return [];
  const needed = Object.fromEntries(Object.entries(servers).filter(([name]) => pinned.some((s) => Object.values(s.pins).some((p) => p.server === name))));
  const { listed } = await listAll(needed, timeoutMs);
  const diagnostics: Diagnostic[] = [];
  const fix = 'check that the skill still fits the tool (run its tests or `skillc run`), then run `skillc compile` to pin the new schema';
  for (const { source, pins } of pinned) {
    const parsed = parseSkill(source);
    for (const [name, pin] of Object.entries(pins)) {
      const tools = listed.get(pin.server);
      if (tools === undefined) continue;
      const info = tools.find((t) => t.name === pin.tool);
      const range = rangeOfPath(parsed, ['tools', name], 'key');
      if (info === undefined) {
        diagnostics.push(makeDiagnostic('SDL3051', source.path, range, `MCP tool \`${pin.tool}\` of server \`${pin.server}\` (bound to \`${name}\`) is no longer offered; sdl.lock pinned it`, fix));
        continue;
      }
      const now = toolSchemaDigest(info);
      if (now !== pin.sha256) {
        diagnostics.push(
          makeDiagnostic(
            'SDL3051',
            source.path,
            range,
            `the schema of MCP tool \`${pin.tool}\` of server \`${pin.server}\` (bound to \`${name}\`) changed since sdl.lock pinned it (sha256 ${pin.sha256.slice(0, 12)}… → ${now.slice(0, 12)}…)`,
            fix,
          ),
        );
      }
    }
  }
  return diagnostics;
}
