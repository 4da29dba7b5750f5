/**
 * One MCP server as the runtime uses it: a client connection started on first use (the MCP SDK is
 * imported then, not when the runtime is), its tool list, and tool calls bounded by a deadline and
 * the run's signal. A connection that closes (the process died, the HTTP stream broke) fails the
 * calls in flight at once and is started again by the next call.
 */
import type { JsonSchema, JsonValue, McpServerConfig } from '@sdl/adapters';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** A tool a server offers, as `tools/list` described it. */
export interface McpToolInfo {
  /** The server's name for the tool. */
  name: string;
  /** Its description, when the server gives one. */
  description?: string;
  /** JSON Schema of its arguments. */
  inputSchema: JsonSchema;
  /** JSON Schema of its `structuredContent`, when the server promises one. */
  outputSchema?: JsonSchema;
}

/** How a connection is made; the defaults suit a host application. */
export interface McpConnectionOptions {
  /** The client name sent in `initialize` (default `sdl`). */
  clientName?: string;
  /** The client version sent in `initialize`. */
  clientVersion?: string;
  /** What happens to a stdio server's stderr: shown on ours (`inherit`, the default) or dropped. */
  stderr?: 'inherit' | 'ignore';
  /** Deadline of connecting and listing tools in milliseconds (default 30000). */
  connectTimeoutMs?: number;
}

/** A tool call failed: the server answered with `isError`, timed out, or went away. The model sees the message. */
export class McpToolCallError extends Error {
  /** `tool_error` (the server's `isError` result), `timeout`, `closed` (connection lost) or `protocol`. */
  readonly reason: 'tool_error' | 'timeout' | 'closed' | 'protocol';

  constructor(reason: McpToolCallError['reason'], message: string) {
    super(message);
    this.name = 'McpToolCallError';
    this.reason = reason;
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
// The MCP SDK's error codes (ErrorCode in types.js), kept here so the SDK loads only when used.
const REQUEST_TIMEOUT = -32001;
const CONNECTION_CLOSED = -32000;

interface Live {
  client: Client;
  transport: Transport;
  /** Aborted when the connection closes, failing every call in flight. */
  closed: AbortController;
  tools?: Promise<McpToolInfo[]>;
}

/** Drops the `$schema` keyword: servers announce draft-07 or 2020-12, and the runtime compiles every schema as 2020-12. */
function plainSchema(schema: unknown): JsonSchema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema as JsonSchema;
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  return rest as JsonSchema;
}

/** The value a call's result stands for: `structuredContent` when given, else the text, else the content blocks. */
export function resultValue(result: { content?: unknown; structuredContent?: unknown }): JsonValue {
  if (result.structuredContent !== undefined && result.structuredContent !== null) return result.structuredContent as JsonValue;
  const content = Array.isArray(result.content) ? (result.content as Array<Record<string, unknown>>) : [];
  if (content.every((block) => block.type === 'text')) return content.map((block) => String(block.text ?? '')).join('\n');
  // Binary blocks are described, not inlined: base64 images would be read by the model as text.
  return content.map((block): JsonValue => {
    if (block.type === 'text') return { type: 'text', text: String(block.text ?? '') };
    if (block.type === 'image' || block.type === 'audio') {
      return { type: block.type, mimeType: String(block.mimeType ?? ''), bytes: Math.floor((String(block.data ?? '').length * 3) / 4) };
    }
    if (block.type === 'resource_link') return { type: 'resource_link', uri: String(block.uri ?? ''), name: String(block.name ?? '') };
    if (block.type === 'resource') {
      const resource = (block.resource ?? {}) as Record<string, unknown>;
      return { type: 'resource', uri: String(resource.uri ?? ''), ...(typeof resource.text === 'string' ? { text: resource.text } : {}) };
    }
    return { type: String(block.type) };
  });
}

function errorText(result: { content?: unknown }): string {
  const content = Array.isArray(result.content) ? (result.content as Array<Record<string, unknown>>) : [];
  const text = content.filter((b) => b.type === 'text').map((b) => String(b.text ?? '')).join('\n').trim();
  return text === '' ? 'no details given' : text;
}

/** A lazily started connection to one configured MCP server. */
export class McpConnection {
  readonly config: McpServerConfig;
  readonly #options: McpConnectionOptions;
  #live: Promise<Live> | undefined;
  #current: Live | undefined;
  #closing = false;

  constructor(config: McpServerConfig, options: McpConnectionOptions = {}) {
    this.config = config;
    this.#options = options;
  }

  /** The server's name under `mcp:`. */
  get name(): string {
    return this.config.name;
  }

  /** The process id of a running stdio server (for diagnostics), else `undefined`. */
  get pid(): number | undefined {
    const transport = this.#current?.transport as { pid?: number | null } | undefined;
    return transport?.pid ?? undefined;
  }

  /** The tools the server offers (every page of `tools/list`), listed once per connection. */
  async tools(): Promise<McpToolInfo[]> {
    const live = await this.#connect();
    live.tools ??= this.#list(live).catch((error: unknown) => {
      live.tools = undefined;
      throw error;
    });
    return live.tools;
  }

  /**
   * Calls a tool. Resolves to the result's value; rejects with {@link McpToolCallError} on an
   * `isError` result, after `timeout_ms`, or when the connection closes mid-call. Aborting `signal`
   * cancels the request (the SDK tells the server) and rejects with the signal's reason.
   */
  async call(tool: string, args: { [name: string]: JsonValue }, signal?: AbortSignal): Promise<JsonValue> {
    signal?.throwIfAborted();
    const live = await this.#connect(signal);
    const timeoutMs = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // A signal of this call alone, linked by listeners removed afterwards: the SDK adds a listener
    // to the signal of every request, which must not pile up on the connection's long-lived one.
    const linked = new AbortController();
    const abort = () => linked.abort();
    if (live.closed.signal.aborted || signal?.aborted) abort();
    live.closed.signal.addEventListener('abort', abort);
    signal?.addEventListener('abort', abort);
    let result: { content?: unknown; structuredContent?: unknown; isError?: unknown };
    try {
      result = (await live.client.callTool({ name: tool, arguments: args }, undefined, { signal: linked.signal, timeout: timeoutMs })) as typeof result;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw this.#describe(error, tool, timeoutMs, live);
    } finally {
      live.closed.signal.removeEventListener('abort', abort);
      signal?.removeEventListener('abort', abort);
    }
    if (result.isError === true) {
      throw new McpToolCallError('tool_error', `MCP server \`${this.name}\`: tool \`${tool}\` reported an error: ${errorText(result)}`);
    }
    return resultValue(result);
  }

  /** Closes the connection (a stdio server is stopped); a later call starts a new one. */
  async close(): Promise<void> {
    const live = this.#live;
    this.#live = undefined;
    this.#current = undefined;
    if (live === undefined) return;
    this.#closing = true;
    try {
      await (await live.catch(() => undefined))?.client.close();
    } finally {
      this.#closing = false;
    }
  }

  #describe(error: unknown, tool: string, timeoutMs: number, live: Live): McpToolCallError {
    const code = (error as { code?: unknown })?.code;
    // Closed first: the SDK reports a request aborted by the connection's end with the timeout code too.
    if (code === CONNECTION_CLOSED || live.closed.signal.aborted) {
      this.#forget(live);
      return new McpToolCallError('closed', `MCP server \`${this.name}\` closed the connection during the call of \`${tool}\`; the next call connects again`);
    }
    if (code === REQUEST_TIMEOUT) {
      return new McpToolCallError('timeout', `MCP server \`${this.name}\`: tool \`${tool}\` did not answer within ${timeoutMs} ms (timeout_ms); the call was cancelled`);
    }
    const message = error instanceof Error ? error.message : String(error);
    return new McpToolCallError('protocol', `MCP server \`${this.name}\`: calling \`${tool}\` failed: ${message}`);
  }

  #forget(live: Live): void {
    if (this.#current === live) this.#current = undefined;
    void this.#live?.then((current) => {
      if (current === live) this.#live = undefined;
    }, () => {});
  }

  #connect(signal?: AbortSignal): Promise<Live> {
    if (this.#live === undefined) {
      const attempt = this.#start();
      this.#live = attempt;
      attempt.catch(() => {
        if (this.#live === attempt) this.#live = undefined;
      });
    }
    const live = this.#live;
    if (signal === undefined) return live;
    return new Promise<Live>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      live.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async #start(): Promise<Live> {
    const [{ Client }, transport] = await Promise.all([import('@modelcontextprotocol/sdk/client/index.js'), this.#transport()]);
    const client = new Client({ name: this.#options.clientName ?? 'sdl', version: this.#options.clientVersion ?? '0.1.0' });
    const closed = new AbortController();
    const live: Live = { client, transport, closed };
    const lost = () => {
      closed.abort(new McpToolCallError('closed', `MCP server \`${this.name}\` closed the connection`));
      this.#forget(live);
    };
    client.onclose = lost;
    if (this.config.transport === 'http') {
      // A response stream cut off mid-call is only reported here; the SDK would leave the call
      // waiting for its timeout. Treat the connection as lost: calls in flight fail now.
      client.onerror = (error) => {
        if (/SSE stream disconnected|reconnect/i.test(error.message) && !closed.signal.aborted) {
          lost();
          void client.close().catch(() => {});
        }
      };
    }
    try {
      await client.connect(transport, { timeout: this.#options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS });
    } catch (error) {
      await client.close().catch(() => {});
      throw new Error(`MCP server \`${this.name}\` could not be ${this.config.transport === 'stdio' ? 'started' : 'reached'}: ${connectFailure(error, this.config)}`);
    }
    if (this.#closing) await client.close();
    this.#current = live;
    return live;
  }

  async #transport(): Promise<Transport> {
    const config = this.config;
    if (config.transport === 'stdio') {
      const { StdioClientTransport, getDefaultEnvironment } = await import('@modelcontextprotocol/sdk/client/stdio.js');
      const env: Record<string, string> = { ...getDefaultEnvironment() };
      for (const [name, value] of Object.entries(config.env ?? {})) env[name] = value.reveal();
      return new StdioClientTransport({
        command: config.command!,
        args: config.args ?? [],
        env,
        cwd: config.cwd,
        stderr: this.#options.stderr ?? 'inherit',
      });
    }
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name] = value.reveal();
    return new StreamableHTTPClientTransport(new URL(config.url!), {
      requestInit: { headers },
      // A broken stream fails the call (and the next call reconnects) instead of retrying in the background.
      reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 },
    });
  }

  async #list(live: Live): Promise<McpToolInfo[]> {
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    const timeout = this.#options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    do {
      const page = await live.client.listTools(cursor === undefined ? {} : { cursor }, { timeout });
      for (const tool of page.tools) {
        tools.push({
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          inputSchema: plainSchema(tool.inputSchema),
          ...(tool.outputSchema === undefined ? {} : { outputSchema: plainSchema(tool.outputSchema) }),
        });
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }
}

/** Why connecting failed, without anything from the headers or environment (they may hold secrets). */
function connectFailure(error: unknown, config: McpServerConfig): string {
  // The system error (ENOENT, ECONNREFUSED, ENOTFOUND) may sit a few causes deep.
  let code: unknown;
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    code = (e as { code?: unknown }).code ?? code;
    if (typeof code === 'string') break;
  }
  if (config.transport === 'stdio') {
    if (code === 'ENOENT') return `\`${config.command}\` was not found; check \`command\` (and PATH)`;
    if (code === CONNECTION_CLOSED) return 'the process exited before the MCP handshake; run the command by hand to see why';
  } else {
    if (code === 'ECONNREFUSED') return `nothing listens at ${config.url}; check \`url\` and that the server runs`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host of ${config.url} is not known; check \`url\``;
    // The SDK's StreamableHTTPError carries the HTTP status as its code.
    const status = (error as { code?: unknown })?.code;
    if (status === 401 || status === 403) return `${config.url} refused the credentials (HTTP ${status}); check \`headers\``;
    if (status === 404 || status === 405) return `${config.url} is not an MCP endpoint (HTTP ${status}); check \`url\``;
  }
  let message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: unknown })?.cause;
  if (message === 'fetch failed' && cause instanceof Error) message = `fetch failed (${cause.message})`;
  return message.split('\n')[0] ?? 'unknown error';
}
