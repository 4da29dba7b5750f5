/**
 * What a call of an MCP tool costs through SDL, against the bare SDK client on the same server in
 * the same run: (A) `Client.callTool` of @modelcontextprotocol/sdk (baseline), (B)
 * `McpConnection.call` (SDL's client: deadline, signal link, result conversion), (C) `runtime.run`
 * of a one-step skill whose `tool:` step is bound to the MCP tool (binding, argument validation
 * against both schemas, the tool path). Two servers: the reference server-everything over stdio
 * (a child process) and an SDK server over Streamable HTTP in this process (test/support). Calls
 * are sequential; contenders alternate in blocks; wall time per call.
 *
 *   npx tsx bench/mcp/tool-call.ts [--blocks 10] [--calls 200]
 */
import { loadavg } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpServerConfig } from '../../packages/adapters/src/index.js';
import { Secret } from '../../packages/adapters/src/index.js';
import { createRuntime, loadSkillSource, McpConnection, McpServers } from '../../packages/runtime/src/index.js';
import { startMcpHttpServer } from '../../test/support/mcp-http-server.js';

const { values } = parseArgs({ options: { blocks: { type: 'string', default: '10' }, calls: { type: 'string', default: '200' } } });
const BLOCKS = Number(values.blocks);
const CALLS = Number(values.calls);
const EVERYTHING = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
const TOKEN = 'bench-token-0123456789abcdef';

const SKILL = `sdl: "1.0"
name: add
version: 1.0.0
description: Adds two numbers with an MCP tool.
inputs:
  type: object
  required: [a, b]
  properties:
    a: { type: number }
    b: { type: number }
tools:
  add_numbers:
    description: Adds.
    parameters:
      type: object
      required: [a, b]
      properties:
        a: { type: number }
        b: { type: number }
steps:
  - id: add
    tool: add_numbers
    with:
      a: inputs.a
      b: inputs.b
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

async function timeBlock(call: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await call();
  return Number(process.hrtime.bigint() - started) / 1e6 / CALLS;
}

async function bench(label: string, config: McpServerConfig, rawTransport: () => import('@modelcontextprotocol/sdk/shared/transport.js').Transport) {
  const raw = new Client({ name: 'bench', version: '1' });
  await raw.connect(rawTransport());
  const connection = new McpConnection(config, { stderr: 'ignore' });
  await connection.tools();
  const dir = mkdtempSync(path.join(tmpdir(), 'sdl-bench-mcp-'));
  writeFileSync(path.join(dir, 'add.skill.yaml'), SKILL);
  const skill = await loadSkillSource(path.join(dir, 'add.skill.yaml'), { projectRoot: dir });
  const runtime = createRuntime({ engines: {}, mcp: new McpServers({ [config.name]: config }, { stderr: 'ignore' }) });
  await runtime.prepare(skill);
  const contenders: Array<[string, () => Promise<unknown>]> = [
    ['A sdk Client.callTool', () => raw.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })],
    ['B McpConnection.call', () => connection.call('get-sum', { a: 2, b: 3 })],
    ['C runtime.run (tool step)', () => runtime.run(skill, { a: 2, b: 3 })],
  ];
  for (const [, call] of contenders) for (let i = 0; i < 50; i++) await call(); // warm-up
  const samples = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  for (let block = 0; block < BLOCKS; block++) {
    for (const [name, call] of contenders) samples.get(name)!.push(await timeBlock(call));
  }
  const base = median(samples.get(contenders[0]![0])!);
  console.log(`\n${label}: ${BLOCKS} blocks x ${CALLS} sequential calls per contender (ms per call: median of block means [p10-p90])`);
  for (const [name] of contenders) {
    const xs = samples.get(name)!;
    console.log(`  ${name.padEnd(28)} ${median(xs).toFixed(3)} [${quantile(xs, 0.1).toFixed(3)}-${quantile(xs, 0.9).toFixed(3)}]  x${(median(xs) / base).toFixed(2)} of A`);
  }
  await raw.close();
  await connection.close();
  await runtime.close();
}

console.log(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
const stdio: McpServerConfig = { name: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'], cwd: process.cwd(), tools: { add_numbers: 'get-sum' }, at: { line: 1, column: 1, tools: {} } };
await bench('server-everything over stdio', stdio, () => new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }));
const http = await startMcpHttpServer(TOKEN);
const remote: McpServerConfig = { name: 'remote', transport: 'http', url: http.url, headers: { Authorization: new Secret(`Bearer ${TOKEN}`) }, cwd: process.cwd(), tools: { add_numbers: 'get-sum' }, at: { line: 1, column: 1, tools: {} } };
await bench('SDK server over Streamable HTTP (in this process)', remote, () => new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
await http.close();
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end`);
