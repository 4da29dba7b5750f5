/**
 * `skillc mcp serve` through the official SDK's Client, over both transports: stdio (the built
 * `skillc` started by StdioClientTransport, serving a build directory of compiled skills) and
 * Streamable HTTP (in-process, serving the skill sources). The skills run on the OpenAI emulator
 * through the config's engine, so structured output is the emulator's schema-valid reply, checked
 * here against the skill's outputs.
 */
import { existsSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startEmulator, type Emulator } from '@sdl/adapters';
import { main, type CliIO } from '@sdl/cli';
import { compileValidator } from '@sdl/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { project, skillc } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/skillc.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)));
const API_KEY = 'sk-mcp-serve-secret-0123456789';
const TOKEN = 'serve-token-0123456789abcdef';

const TRIAGE = `sdl: "1.0"
name: triage-ticket
version: 1.0.0
description: Sorts a support ticket into a queue.
inputs:
  type: object
  required: [subject]
  properties:
    subject: { type: string }
outputs:
  type: object
  required: [queue, summary]
  additionalProperties: false
  properties:
    queue: { type: string, enum: [billing, shipping, other] }
    summary: { type: string }
steps:
  - id: sort
    prompt:
      user: "Sort this ticket: {{ inputs.subject }}"
    output:
      type: object
      required: [queue, summary]
      additionalProperties: false
      properties:
        queue: { type: string, enum: [billing, shipping, other] }
        summary: { type: string }
`;

const CHAT = `sdl: "1.0"
name: chat
version: 1.0.0
description: Talks, remembering the conversation.
inputs:
  type: object
  required: [message]
  properties:
    message: { type: string }
steps:
  - id: reply
    prompt:
      user: "{{ inputs.message }}"
memory: { conversation: true, max_turns: 10 }
`;

/** The status of a POST sent with a Host header of our choosing (fetch does not let one set it). */
function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { host, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    request.on('error', reject);
    request.end('{}');
  });
}

const outputValidator = compileValidator({
  type: 'object',
  required: ['queue', 'summary'],
  additionalProperties: false,
  properties: { queue: { type: 'string', enum: ['billing', 'shipping', 'other'] }, summary: { type: 'string' } },
});

describe('skillc mcp serve', () => {
  let openai: Emulator;
  let cwd: string;

  beforeAll(async () => {
    openai = await startEmulator({ provider: 'openai' });
    cwd = project({
      'sdl.config.yaml': `engines:\n  gpt: { provider: openai, model: gpt-5.4, api_key: "\${env:OPENAI_API_KEY}", base_url: "${openai.url}" }\n`,
      'skills/triage-ticket.skill.yaml': TRIAGE,
      'skills/chat.skill.yaml': CHAT,
      'package.json': '{}',
    });
    const compiled = await skillc(['compile', 'skills', '--out', 'build'], cwd);
    expect(compiled.code, compiled.err).toBe(0);
  });
  afterAll(async () => {
    await openai.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  async function exercise(client: Client) {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['chat', 'triage-ticket']);
    const triage = tools.find((t) => t.name === 'triage-ticket')!;
    expect(triage.description).toBe('Sorts a support ticket into a queue.');
    expect(triage.inputSchema).toMatchObject({ type: 'object', required: ['subject'], properties: { subject: { type: 'string' } } });
    expect(triage.outputSchema).toMatchObject({ type: 'object', required: ['queue', 'summary'] });
    expect(tools.find((t) => t.name === 'chat')!.outputSchema).toBeUndefined();

    // The SDK client itself checks structuredContent against the listed outputSchema; so do we.
    const result = await client.callTool({ name: 'triage-ticket', arguments: { subject: 'Refund missing' } });
    expect(result.isError).toBeFalsy();
    const checked = outputValidator.validate(result.structuredContent);
    expect(checked.ok, JSON.stringify(result)).toBe(true);
    expect(JSON.parse((result.content as Array<{ text: string }>)[0]!.text)).toEqual(result.structuredContent);
    expect(openai.requests.at(-1)!.parsed!.messages.at(-1)!.text).toBe('Sort this ticket: Refund missing');

    // Input the skill refuses is a tool error, with the runtime's reason.
    const refused = await client.callTool({ name: 'triage-ticket', arguments: { subject: 42 } });
    expect(refused.isError).toBe(true);
    expect((refused.content as Array<{ text: string }>)[0]!.text).toMatch(/^skill `triage-ticket` failed: [\s\S]*\/subject: must be string/);

    // One MCP session is one conversation: the second call sees the first.
    await client.callTool({ name: 'chat', arguments: { message: 'My name is Ada.' } });
    const second = await client.callTool({ name: 'chat', arguments: { message: 'What is my name?' } });
    expect((second.content as Array<{ text: string }>)[0]!.text).toBe('echo: What is my name?');
    expect(openai.requests.at(-1)!.parsed!.messages.map((m) => m.text)).toEqual(['My name is Ada.', 'echo: My name is Ada.', 'What is my name?']);
    expect(JSON.stringify(tools) + JSON.stringify(result)).not.toContain(API_KEY);
  }

  it.skipIf(!built)('over stdio, serving a build directory of compiled skills', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', 'serve', 'build'],
      cwd,
      env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: API_KEY },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
    expect(stderr).toContain('2 skills over stdio: chat, triage-ticket');
    expect(stderr).not.toContain(API_KEY);
  });

  it('over Streamable HTTP with a bearer token, serving skill sources', async () => {
    const controller = new AbortController();
    let err = '';
    let announced: (url: string) => void;
    const listening = new Promise<string>((resolve) => (announced = resolve));
    const io: CliIO = {
      stdout: { write: () => true },
      stderr: {
        write: (s: string) => {
          err += s;
          const url = /at (http:\/\/\S+\/mcp)/.exec(err)?.[1];
          if (url !== undefined) announced(url);
          return true;
        },
      },
      cwd,
      env: { OPENAI_API_KEY: API_KEY, SDL_MCP_TOKEN: TOKEN },
      signal: controller.signal,
    };
    const served = main(['mcp', 'serve', 'skills', '--http', '--port', '0'], io);
    const url = await Promise.race([listening, served.then((code) => Promise.reject(new Error(`exited ${code}: ${err}`)))]);
    try {
      // No token, a wrong token, a foreign Host header: refused before MCP sees the request.
      expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
      expect((await fetch(url, { method: 'POST', body: '{}', headers: { authorization: 'Bearer wrong-token-0123456789ab' } })).status).toBe(401);
      const port = new URL(url).port;
      expect(await statusWithHost(url, `evil.example:${port}`)).toBe(403);

      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
      try {
        await exercise(client);
      } finally {
        await client.close();
      }
    } finally {
      controller.abort();
    }
    expect(await served).toBe(0);
    expect(err).not.toContain(API_KEY);
    expect(err).not.toContain(TOKEN);
  });

  it('refuses --http without a token, and names the subcommand', async () => {
    const noToken = await skillc(['mcp', 'serve', 'skills', '--http'], cwd, { OPENAI_API_KEY: API_KEY });
    expect(noToken.code).toBe(2);
    expect(noToken.err).toContain('set SDL_MCP_TOKEN to a token of at least 16 characters');
    const unknown = await skillc(['mcp', 'start'], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown subcommand `start`; the one there is: serve');
  });
});
