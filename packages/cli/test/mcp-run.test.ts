/**
 * `skillc run` with MCP servers in sdl.config.yaml: a skill's declared tool, with no tools module
 * beside it, is served by the config's MCP server (the SDK server over Streamable HTTP of
 * test/support, its bearer token from the environment); a binding to a tool the server lacks is
 * refused before anything runs, with the config position.
 */
import { rmSync } from 'node:fs';
import { startEmulator, type Emulator } from '@sdl/adapters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpHttpServer, type McpHttpTestServer } from '../../../test/support/mcp-http-server.js';
import { project, skillc } from './helpers.js';

const TOKEN = 'run-token-0123456789abcdef';
const API_KEY = 'sk-mcp-run-secret-0123456789';

const SKILL = `sdl: "1.0"
name: adder
version: 1.0.0
description: Adds with a tool on an MCP server.
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
steps:
  - id: answer
    prompt:
      user: "{{ inputs.message }}"
    tools: [add_numbers]
`;

describe('skillc run with MCP servers', () => {
  let server: McpHttpTestServer;
  let openai: Emulator;
  const dirs: string[] = [];
  const env = { MCP_TOKEN: TOKEN, OPENAI_API_KEY: API_KEY };

  beforeAll(async () => {
    server = await startMcpHttpServer(TOKEN);
    openai = await startEmulator({ provider: 'openai' });
  });
  afterAll(async () => {
    await Promise.all([server.close(), openai.close()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function projectWith(binding: string): string {
    const dir = project({
      'sdl.config.yaml': `engines:\n  gpt: { provider: openai, model: gpt-5.4, api_key: "\${env:OPENAI_API_KEY}", base_url: "${openai.url}" }\nmcp:\n  remote:\n    url: ${server.url}\n    headers: { Authorization: "Bearer \${env:MCP_TOKEN}" }\n    tools: { add_numbers: ${binding} }\n`,
      'adder.skill.yaml': SKILL,
    });
    dirs.push(dir);
    return dir;
  }

  it('the model calls the MCP tool and answers from its result', async () => {
    const cwd = projectWith('get-sum');
    const { code, out, err } = await skillc(['run', 'adder.skill.yaml', '--input', JSON.stringify({ message: 'call add_numbers {"a": 2, "b": 3}' })], cwd, env);
    expect(code, err).toBe(0);
    expect(out).toContain('tool add_numbers returned: The sum of 2 and 3 is 5.');
    expect(out + err).not.toContain(TOKEN);
  });

  it('a binding to a tool the server lacks is refused before the run, at its place in the config', async () => {
    const cwd = projectWith('get-summ');
    const before = openai.requests.length;
    const { code, err } = await skillc(['run', 'adder.skill.yaml', '--input', '{"message": "hi"}'], cwd, env);
    expect(code).toBe(1);
    expect(err).toContain('add_numbers: MCP server `remote` has no tool `get-summ` (bound at sdl.config.yaml:7:14); did you mean `get-sum`?');
    expect(openai.requests.length).toBe(before);
    expect(err).not.toContain(TOKEN);
  });
});
