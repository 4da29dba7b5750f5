/**
 * An MCP server written with the official SDK (low-level `Server`), served over Streamable HTTP
 * on 127.0.0.1 in the test process. Its tools mirror those of the reference "everything" server
 * the tests use (same names and schemas), so one table of scenarios runs against both. Requests
 * must carry `Authorization: Bearer <token>`. `crash()` drops every open connection, as a server
 * that dies mid-call would; the server itself stays up, so a reconnect succeeds.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/** Tools as `tools/list` describes them; `get-sum` takes a field per `options.sumField` so a test can change the schema. */
function toolList(sumField: string) {
  return [
    {
      name: 'get-sum',
      description: 'Returns the sum of two numbers',
      inputSchema: { type: 'object', properties: { [sumField]: { type: 'number' }, b: { type: 'number' } }, required: [sumField, 'b'] },
    },
    {
      name: 'get-resource-reference',
      description: 'Returns a resource reference',
      inputSchema: {
        type: 'object',
        properties: { resourceType: { type: 'string', enum: ['Text', 'Blob'], default: 'Text' }, resourceId: { type: 'number', default: 1 } },
      },
    },
    {
      name: 'trigger-long-running-operation',
      description: 'Waits `duration` seconds',
      inputSchema: { type: 'object', properties: { duration: { type: 'number', default: 10 }, steps: { type: 'number', default: 5 } } },
    },
    {
      name: 'get-structured-content',
      description: 'Weather of a city',
      inputSchema: { type: 'object', properties: { location: { type: 'string', enum: ['New York', 'Chicago', 'Los Angeles'] } }, required: ['location'] },
      outputSchema: {
        type: 'object',
        properties: { temperature: { type: 'number' }, conditions: { type: 'string' }, humidity: { type: 'number' } },
        required: ['temperature', 'conditions', 'humidity'],
        additionalProperties: false,
      },
    },
  ];
}

function mcpServer(sumField: string, hidden: readonly string[], calls: string[], busy: { count: number; started: number }): Server {
  const server = new Server({ name: 'sdl-test-http', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: toolList(sumField).filter((t) => !hidden.includes(t.name)) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    calls.push(request.params.name);
    switch (request.params.name) {
      case 'get-sum': {
        const sum = Number(args[sumField]) + Number(args.b);
        return { content: [{ type: 'text', text: `The sum of ${args[sumField]} and ${args.b} is ${sum}.` }] };
      }
      case 'get-resource-reference': {
        const id = Number(args.resourceId ?? 1);
        if (!Number.isInteger(id) || id < 1) {
          return { isError: true, content: [{ type: 'text', text: `Invalid resourceId: ${args.resourceId}. Must be a finite positive integer.` }] };
        }
        return { content: [{ type: 'text', text: `Resource ${id}` }] };
      }
      case 'trigger-long-running-operation': {
        const ms = Number(args.duration ?? 10) * 1000;
        busy.count++;
        busy.started++;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          extra.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        busy.count--;
        return { content: [{ type: 'text', text: `Long running operation completed. Duration: ${args.duration} seconds.` }] };
      }
      case 'get-structured-content': {
        const weather = { temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 };
        return { content: [{ type: 'text', text: JSON.stringify(weather) }], structuredContent: weather };
      }
      default:
        return { isError: true, content: [{ type: 'text', text: `unknown tool ${request.params.name}` }] };
    }
  });
  return server;
}

/** A running test server. */
export interface McpHttpTestServer {
  /** The endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  url: string;
  /** Names of the tools called, in order. */
  calls: string[];
  /** Authorization headers seen that were not the token (each request refused with 401). */
  refused: number;
  /** Renames the first argument of `get-sum` from now on (a schema change, for drift checks). */
  setSumField(name: string): void;
  /** Leaves these tools out of `tools/list` from now on. */
  setHidden(names: string[]): void;
  /** Drops every open connection at once, as a crashing server would. */
  crash(): void;
  /** How many `trigger-long-running-operation` calls have begun. */
  readonly started: number;
  /** Resolves once more than `count` long operations have begun. */
  startedMoreThan(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the server; each POST gets its own stateless `Server` and transport, as the SDK's stateless example does. */
export async function startMcpHttpServer(token: string): Promise<McpHttpTestServer> {
  const sockets = new Set<Socket>();
  const calls: string[] = [];
  let sumField = 'a';
  let hidden: string[] = [];
  const busy = { count: 0, started: 0 };
  let refused = 0;
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      refused++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const server = mcpServer(sumField, hidden, calls, busy);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    get refused() {
      return refused;
    },
    setSumField(name) {
      sumField = name;
    },
    setHidden(names) {
      hidden = names;
    },
    crash() {
      for (const socket of sockets) socket.destroy();
    },
    get started() {
      return busy.started;
    },
    async startedMoreThan(count) {
      while (busy.started <= count) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        http.close(() => resolve());
      }),
  };
}
