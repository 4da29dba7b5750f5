/**
 * The MCP servers of a host's config and the binding of a skill's declared tools to their tools.
 * Binding rules (spec/mcp.md): a tool the host registered in code is used as it is; otherwise an
 * explicit `tools: { skill_name: server-name }` entry of one server binds it; otherwise the one
 * server offering a tool of the same name does (two such servers are an error). A bound tool is
 * registered on the runtime's tool registry with the server's schemas, so the load-time schema
 * compatibility check and the tool-call path (validation, signal, errors to the model) are the
 * ones host tools have.
 */
import type { McpServerConfig } from '@sdl/adapters';
import { didYouMean } from '@sdl/compiler/core';
import type { LoadedSkill } from '../load/loaded-skill.js';
import type { ResolutionProblem } from '../load/resolution-error.js';
import type { HostTool, ToolRegistry } from '../tools/registry.js';
import { McpConnection, type McpConnectionOptions, type McpToolInfo } from './connection.js';

/** A declared tool bound to a server's tool. */
export interface McpBinding {
  /** The skill's name for the tool. */
  tool: string;
  /** The server's name under `mcp:`. */
  server: string;
  /** The server's name for the tool. */
  serverTool: string;
  /** The server's description of the tool. */
  info: McpToolInfo;
}

/** Every declared tool of a skill and of the skills it uses, by name (first declaration wins). */
function declaredTools(skill: LoadedSkill): Map<string, LoadedSkill> {
  const found = new Map<string, LoadedSkill>();
  const seen = new Set<LoadedSkill>();
  const pending = [skill];
  while (pending.length > 0) {
    const current = pending.shift()!;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const name of Object.keys(current.tools)) if (!found.has(name)) found.set(name, current);
    pending.push(...Object.values(current.dependencies).map((d) => d.skill));
  }
  return found;
}

/** The configured MCP servers of one runtime; connections start when a skill first needs one. */
export class McpServers {
  readonly #connections = new Map<string, McpConnection>();
  readonly #configFile: string | undefined;

  /**
   * @param servers - the `mcp:` section of the config (`config.mcp`)
   * @param options - connection options; `configFile` names the config in binding problems
   */
  constructor(servers: Record<string, McpServerConfig>, options: McpConnectionOptions & { configFile?: string } = {}) {
    const { configFile, ...connection } = options;
    this.#configFile = configFile;
    for (const [name, config] of Object.entries(servers)) this.#connections.set(name, new McpConnection(config, connection));
  }

  /** How many servers are configured (a run asks on every call; `names()` would copy them). */
  get size(): number {
    return this.#connections.size;
  }

  /** The configured server names. */
  names(): string[] {
    return [...this.#connections.keys()];
  }

  /** The connection of a server (started on first use), or `undefined` when it is not configured. */
  connection(name: string): McpConnection | undefined {
    return this.#connections.get(name);
  }

  /**
   * Binds the declared tools of `skill` (and of the skills it uses) that `registry` does not have
   * to server tools, and registers them there. Returns the bindings made and what could not be
   * bound by an explicit entry (a missing server tool, an unreachable server); tools no server
   * offers are left to the registry check, which reports them as not registered.
   */
  async bind(skill: LoadedSkill, registry: ToolRegistry): Promise<{ bindings: McpBinding[]; problems: ResolutionProblem[] }> {
    const bindings: McpBinding[] = [];
    const problems: ResolutionProblem[] = [];
    const wanted = [...declaredTools(skill)].filter(([name]) => !registry.has(name));
    if (wanted.length === 0 || this.#connections.size === 0) return { bindings, problems };

    const listed = new Map<string, Promise<McpToolInfo[] | Error>>();
    const toolsOf = (server: string) => {
      let tools = listed.get(server);
      if (tools === undefined) {
        tools = this.#connections.get(server)!.tools().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
        listed.set(server, tools);
      }
      return tools;
    };

    for (const [name, owner] of wanted) {
      const location = owner.tools[name]?.source;
      const explicit = [...this.#connections.values()].filter((c) => c.config.tools[name] !== undefined);
      if (explicit.length > 1) {
        problems.push({
          kind: 'tool',
          subject: name,
          reason: `bound by more than one MCP server (${explicit.map((c) => `\`${c.name}\` at ${this.#at(c.config, name)}`).join(', ')}); keep one binding`,
          ...(location ? { location } : {}),
        });
        continue;
      }
      if (explicit.length === 1) {
        const connection = explicit[0]!;
        const serverTool = connection.config.tools[name]!;
        const tools = await toolsOf(connection.name);
        if (tools instanceof Error) {
          problems.push({ kind: 'tool', subject: name, reason: `${tools.message} (bound at ${this.#at(connection.config, name)})`, ...(location ? { location } : {}) });
          continue;
        }
        const info = tools.find((t) => t.name === serverTool);
        if (info === undefined) {
          const hint = didYouMean(serverTool, tools.map((t) => t.name)) ?? `it offers: ${tools.map((t) => t.name).join(', ') || 'no tools'}`;
          problems.push({
            kind: 'tool',
            subject: name,
            reason: `MCP server \`${connection.name}\` has no tool \`${serverTool}\` (bound at ${this.#at(connection.config, name)}); ${hint}`,
            ...(location ? { location } : {}),
          });
          continue;
        }
        bindings.push({ tool: name, server: connection.name, serverTool, info });
        continue;
      }
      // By name: every server is asked; servers that cannot be reached matter only if none offers it.
      const offers: McpConnection[] = [];
      const unreachable: Error[] = [];
      for (const connection of this.#connections.values()) {
        const tools = await toolsOf(connection.name);
        if (tools instanceof Error) unreachable.push(tools);
        else if (tools.some((t) => t.name === name)) offers.push(connection);
      }
      if (offers.length > 1) {
        problems.push({
          kind: 'tool',
          subject: name,
          reason: `offered by more than one MCP server (${offers.map((c) => `\`${c.name}\``).join(', ')}); choose one with \`tools: { ${name}: ${name} }\` under it in ${this.#configFile ?? 'sdl.config.yaml'}`,
          ...(location ? { location } : {}),
        });
      } else if (offers.length === 1) {
        const info = (await toolsOf(offers[0]!.name) as McpToolInfo[]).find((t) => t.name === name)!;
        bindings.push({ tool: name, server: offers[0]!.name, serverTool: name, info });
      } else if (unreachable.length > 0) {
        problems.push({ kind: 'tool', subject: name, reason: `not registered, and ${unreachable.map((e) => e.message).join('; ')}`, ...(location ? { location } : {}) });
      }
    }
    for (const binding of bindings) registry.register(binding.tool, this.hostTool(binding));
    return { bindings, problems };
  }

  /** The host tool that calls a bound server tool (its schemas are the server's). */
  hostTool(binding: McpBinding): HostTool {
    const connection = this.#connections.get(binding.server)!;
    return {
      ...(binding.info.description === undefined ? {} : { description: binding.info.description }),
      parameters: binding.info.inputSchema,
      ...(binding.info.outputSchema === undefined ? {} : { returns: binding.info.outputSchema }),
      origin: `MCP tool \`${binding.serverTool}\` of server \`${binding.server}\``,
      execute: (args, context) => connection.call(binding.serverTool, args, context.signal),
    };
  }

  /** Closes every connection (stdio servers are stopped). */
  async close(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((c) => c.close()));
  }

  #at(config: McpServerConfig, tool: string): string {
    const at = config.at.tools[tool] ?? config.at;
    return `${this.#configFile ?? 'sdl.config.yaml'}:${at.line}:${at.column}`;
  }
}
