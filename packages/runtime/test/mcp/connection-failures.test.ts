// A server that cannot be started or reached is reported at once with what to check, never a
// hang and never a header or variable value: a command that does not exist, a process that exits
// before the handshake, nothing listening, a refused token (the SDK server of test/support).
import { createServer } from 'node:net';
import type { McpServerConfig } from '@sdl/adapters';
import { Secret } from '@sdl/adapters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpConnection } from '../../src/index.js';
import { startMcpHttpServer, type McpHttpTestServer } from '../../../../test/support/mcp-http-server.js';

const at = { line: 1, column: 1, tools: {} };
let server: McpHttpTestServer;
let closedPort: number;

beforeAll(async () => {
  server = await startMcpHttpServer('right-token-0123456789');
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
afterAll(() => server.close());

const rows: Array<[string, () => McpServerConfig, () => string]> = [
  ['a command that does not exist', () => ({ name: 's', transport: 'stdio', command: 'sdl-no-such-mcp-server', cwd: '.', tools: {}, at }), () => 'MCP server `s` could not be started: `sdl-no-such-mcp-server` was not found; check `command` (and PATH)'],
  ['a process that exits before the handshake', () => ({ name: 's', transport: 'stdio', command: process.execPath, args: ['-e', 'process.exit(3)'], cwd: '.', tools: {}, at }), () => 'MCP server `s` could not be started: the process exited before the MCP handshake; run the command by hand to see why'],
  ['nothing listening', () => ({ name: 'h', transport: 'http', url: `http://127.0.0.1:${closedPort}/mcp`, cwd: '.', tools: {}, at }), () => `MCP server \`h\` could not be reached: nothing listens at http://127.0.0.1:${closedPort}/mcp; check \`url\` and that the server runs`],
  ['a refused token', () => ({ name: 'h', transport: 'http', url: server.url, headers: { Authorization: new Secret('Bearer wrong-token-never-shown') }, cwd: '.', tools: {}, at }), () => `MCP server \`h\` could not be reached: ${server.url} refused the credentials (HTTP 401); check \`headers\``],
];

describe('MCP connection failures', () => {
  it.each(rows)('%s', async (_what, config, message) => {
    const connection = new McpConnection(config(), { stderr: 'ignore', connectTimeoutMs: 5_000 });
    const started = Date.now();
    const failure = (await connection.tools().catch((e: unknown) => e)) as Error;
    await connection.close();
    expect(failure.message).toBe(message());
    expect(failure.message).not.toContain('wrong-token-never-shown');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
