/**
 * Skills calling tools on MCP servers, end to end: the model (the OpenAI emulator through the real
 * adapter, the default chain and the router) asks for a tool; the runtime calls it on an MCP server
 * through the official SDK's client. Every scenario runs against both servers: the protocol's
 * reference "everything" server (installed from the registry) over stdio, and a server written
 * with the SDK over Streamable HTTP on 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, startEmulator, type Emulator, type McpServerConfig } from '@sdl/adapters';
import { createRuntime, loadSkillFile, McpServers, RunCancelledError, SkillResolutionError, type LoadedSkill, type Runtime, type RunEvent } from '@sdl/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatedRouter } from './support/emulated-engines.js';
import { startMcpHttpServer, type McpHttpTestServer } from './support/mcp-http-server.js';

const EVERYTHING = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
const TOKEN = 'mcp-test-token-never-printed-5f3a';

const TOOLS_SKILL = `
sdl: "1.0"
name: mcp-assistant
version: 1.0.0
description: Answers with the help of tools on MCP servers.
inputs:
  type: object
  required: [message]
  properties:
    message: { type: string }
tools:
  add_numbers:
    description: Adds two numbers.
    parameters:
      type: object
      required: [a, b]
      properties:
        a: { type: number }
        b: { type: number }
  fetch_resource:
    description: Fetches a resource by id.
    parameters:
      type: object
      required: [resourceId]
      properties:
        resourceType: { type: string, enum: [Text] }
        resourceId: { type: integer }
  slow_operation:
    description: Takes a while.
    parameters:
      type: object
      properties:
        duration: { type: number }
        steps: { type: number }
  weather:
    description: Weather of a city.
    parameters:
      type: object
      required: [location]
      properties:
        location: { type: string, enum: [Chicago] }
    returns:
      type: object
      required: [temperature]
      properties:
        temperature: { type: number }
        conditions: { type: string }
        humidity: { type: number }
steps:
  - id: answer
    prompt:
      user: "{{ inputs.message }}"
    tools: [add_numbers, fetch_resource, slow_operation, weather]
`;

// The same tool declared with a string where the server takes a number.
const MISMATCHED_SKILL = TOOLS_SKILL.replace('name: mcp-assistant', 'name: mcp-mismatch').replace('a: { type: number }', 'a: { type: string }');

const BINDINGS = `    tools:
      add_numbers: get-sum
      fetch_resource: get-resource-reference
      slow_operation: trigger-long-running-operation
      weather: get-structured-content`;

interface ServerRow {
  name: string;
  server: string;
  /** The `mcp:` entry of sdl.config.yaml for this server. */
  config(timeoutMs: number): string;
  /** Called when the model asks for the tool: makes the server die (or drop its connections) during that call. */
  crash(runtime: Runtime): void;
}

let http: McpHttpTestServer;

const ROWS: ServerRow[] = [
  {
    name: 'the reference server-everything over stdio',
    server: 'everything',
    config: (timeoutMs) =>
      `  everything:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(EVERYTHING)}, stdio]\n    timeout_ms: ${timeoutMs}\n${BINDINGS}\n`,
    crash(runtime) {
      // The request is written at once; 150 ms later the server is inside the 20 s operation.
      const pid = runtime.mcp.connection('everything')!.pid!;
      setTimeout(() => process.kill(pid, 'SIGKILL'), 150);
    },
  },
  {
    name: 'an SDK server over Streamable HTTP',
    server: 'remote',
    config: (timeoutMs) =>
      `  remote:\n    url: ${http.url}\n    headers:\n      Authorization: "Bearer \${env:MCP_TOKEN}"\n    timeout_ms: ${timeoutMs}\n${BINDINGS}\n`,
    // Once the server is inside this call, however slow the machine.
    crash() {
      const before = http.started;
      void http.startedMoreThan(before).then(() => http.crash());
    },
  },
];

describe.each(ROWS)('MCP tools from $name', (row) => {
  let openai: Emulator;
  let dir: string;
  let skill: LoadedSkill;
  let mismatched: LoadedSkill;
  const runtimes: Runtime[] = [];

  beforeAll(async () => {
    http ??= await startMcpHttpServer(TOKEN);
    openai = await startEmulator({ provider: 'openai' });
    dir = mkdtempSync(path.join(tmpdir(), 'sdl-mcp-e2e-'));
    writeFileSync(path.join(dir, 'mcp-assistant.skill.yaml'), TOOLS_SKILL);
    writeFileSync(path.join(dir, 'mcp-mismatch.skill.yaml'), MISMATCHED_SKILL);
    skill = await loadSkillFile(path.join(dir, 'mcp-assistant.skill.yaml'), { projectRoot: dir });
    mismatched = await loadSkillFile(path.join(dir, 'mcp-mismatch.skill.yaml'), { projectRoot: dir });
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
    await openai.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A runtime whose MCP servers come from a real sdl.config.yaml text, as `skillc run` reads it. */
  function runtimeWith(timeoutMs = 10_000): Runtime {
    const text = `engines:\n  gpt: { provider: openai, model: gpt-5.4, api_key: "\${env:OPENAI_API_KEY}" }\nmcp:\n${row.config(timeoutMs)}`;
    const { config, diagnostics } = parseConfig(text, path.join(dir, 'sdl.config.yaml'), { env: { OPENAI_API_KEY: 'sk-test', MCP_TOKEN: TOKEN } });
    expect(diagnostics).toEqual([]);
    const router = emulatedRouter({
      emulators: { openai } as never,
      engines: { openai: 'gpt' } as never,
      models: { openai: 'gpt-5.4' } as never,
      apiKey: 'sk-test',
      only: ['openai'],
    });
    const mcp = new McpServers(config!.mcp as Record<string, McpServerConfig>, { stderr: 'ignore', configFile: 'sdl.config.yaml' });
    const runtime = createRuntime({ router, mcp });
    runtimes.push(runtime);
    return runtime;
  }

  async function runWithEvents(runtime: Runtime, message: string, onToolCall?: () => void) {
    const events: RunEvent[] = [];
    for await (const event of runtime.stream(skill, { message })) {
      events.push(event);
      if (event.type === 'tool-call') onToolCall?.();
    }
    const last = events.at(-1)!;
    if (last.type === 'error') throw last.error;
    return { output: (last as Extract<RunEvent, { type: 'done' }>).result.output, events };
  }

  it('the model calls a bound tool and answers from its result (explicit binding, structured content checked against `returns`)', async () => {
    const runtime = runtimeWith();
    const { output, events } = await runWithEvents(runtime, 'call add_numbers {"a": 2, "b": 3}');
    expect(output).toBe('tool add_numbers returned: The sum of 2 and 3 is 5.');
    expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ name: 'add_numbers', isError: false });
    const weather = await runtime.run(skill, { message: 'call weather {"location": "Chicago"}' });
    expect(weather.output).toBe('tool weather returned: {"temperature":36,"conditions":"Light rain / drizzle","humidity":82}');
    // The tool list the model was offered carries the skill's declaration.
    const offered = openai.requests.at(-1)!.parsed!.tools.map((t) => t.name);
    expect(offered).toEqual(['add_numbers', 'fetch_resource', 'slow_operation', 'weather']);
    // Many calls on one connection leave no listener behind (Node warns past 10 on one signal).
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const connection = runtime.mcp.connection(row.server)!;
      for (let i = 0; i < 15; i++) expect(await connection.call('get-sum', { a: i, b: 1 })).toBe(`The sum of ${i} and 1 is ${i + 1}.`);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    // The header secret reached the server (no request refused) and is in no event.
    expect(http.refused).toBe(0);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('an `isError` result from the server goes back to the model as a tool error', async () => {
    const runtime = runtimeWith();
    const { output, events } = await runWithEvents(runtime, 'call fetch_resource {"resourceType": "Text", "resourceId": 0}');
    expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ name: 'fetch_resource', isError: true });
    expect(output).toMatch(new RegExp(`^tool fetch_resource returned: error: MCP server \`${row.server}\`: tool \`get-resource-reference\` reported an error: .*Invalid resourceId: 0`));
    // The run trace records the MCP call as a tool call, with its arguments and the error.
    const traced = await runtime.run(skill, { message: 'call fetch_resource {"resourceType": "Text", "resourceId": 0}' }, { trace: true });
    const span = traced.runTrace!.spans.find((s) => s.kind === 'tool_call');
    expect(span).toMatchObject({ name: 'fetch_resource', status: 'error', arguments: { resourceType: 'Text', resourceId: 0 } });
    expect(span!.error).toContain('reported an error');
  });

  it('a call past `timeout_ms` is cancelled and reported to the model as a timeout', async () => {
    const runtime = runtimeWith(300);
    const started = Date.now();
    const { output } = await runWithEvents(runtime, 'call slow_operation {"duration": 20, "steps": 1}');
    expect(output).toBe(`tool slow_operation returned: error: MCP server \`${row.server}\`: tool \`trigger-long-running-operation\` did not answer within 300 ms (timeout_ms); the call was cancelled`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a server that dies mid-call fails that call as a tool error, and the next call reconnects', async () => {
    const runtime = runtimeWith();
    const { output } = await runWithEvents(runtime, 'call slow_operation {"duration": 20, "steps": 1}', () => row.crash(runtime));
    expect(output).toBe(
      `tool slow_operation returned: error: MCP server \`${row.server}\` closed the connection during the call of \`trigger-long-running-operation\`; the next call connects again`,
    );
    const again = await runtime.run(skill, { message: 'call add_numbers {"a": 40, "b": 2}' });
    expect(again.output).toBe('tool add_numbers returned: The sum of 40 and 2 is 42.');
  });

  it('cancelling the run aborts the MCP call at once', async () => {
    const runtime = runtimeWith();
    await runtime.prepare(skill);
    const controller = new AbortController();
    const started = Date.now();
    const run = runtime.run(skill, { message: 'call slow_operation {"duration": 20, "steps": 1}' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(run).rejects.toBeInstanceOf(RunCancelledError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses at load a skill whose parameters do not fit the server tool, naming the tool and the field', async () => {
    const runtime = runtimeWith();
    const failure = await runtime.prepare(mismatched).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SkillResolutionError);
    const problems = (failure as SkillResolutionError).problems;
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'tool',
        subject: 'add_numbers',
        reason: `schema of MCP tool \`get-sum\` of server \`${row.server}\` is incompatible: arguments: \`a\`: host expects number, skill declares string`,
      }),
    ]);
    expect((failure as Error).message).toContain('mcp-mismatch.skill.yaml');
  });
});

describe('MCP binding rules', () => {
  it('an explicit binding to a tool the server lacks is refused with the config position and a did-you-mean', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdl-mcp-bind-'));
    writeFileSync(path.join(dir, 's.skill.yaml'), TOOLS_SKILL);
    const skill = await loadSkillFile(path.join(dir, 's.skill.yaml'), { projectRoot: dir });
    const text = `engines:\n  s: { provider: scripted, model: scripted }\nmcp:\n  everything:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(EVERYTHING)}, stdio]\n    tools:\n      add_numbers: get-summ\n`;
    const { config } = parseConfig(text, 'sdl.config.yaml');
    const runtime = createRuntime({ engines: {}, mcp: new McpServers(config!.mcp, { stderr: 'ignore', configFile: 'sdl.config.yaml' }) });
    try {
      const failure = (await runtime.prepare(skill).catch((e: unknown) => e)) as SkillResolutionError;
      expect(failure.problems.find((p) => p.subject === 'add_numbers')?.reason).toBe(
        'MCP server `everything` has no tool `get-summ` (bound at sdl.config.yaml:8:7); did you mean `get-sum`?',
      );
      // Tools bound by name only: `weather` etc. are not offered under those names, so they stay unregistered.
      expect(failure.problems.find((p) => p.subject === 'weather')?.reason).toMatch(/^not registered/);
    } finally {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
