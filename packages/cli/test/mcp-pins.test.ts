/**
 * MCP tool schema pins: `skillc compile` records the digest of each bound MCP tool's schemas in
 * sdl.lock, and `skillc check` warns (SDL3051, at the tool's key) when the reachable server now
 * describes the tool differently or no longer offers it. Against the SDK server over Streamable
 * HTTP of test/support, whose `get-sum` schema a test can change.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpHttpServer, type McpHttpTestServer } from '../../../test/support/mcp-http-server.js';
import { toolSchemaDigest } from '../src/mcp/pins.js';
import { project, skillc } from './helpers.js';

const TOKEN = 'pins-token-0123456789abcdef';

const SKILL = `sdl: "1.0"
name: adder
version: 1.0.0
description: Adds with a tool.
inputs:
  type: object
  properties:
    question: { type: string }
tools:
  add_numbers:
    description: Adds two numbers.
    parameters:
      type: object
      required: [a, b]
      properties:
        a: { type: number }
        b: { type: number }
  local_only:
    description: A host tool no server offers.
    parameters: { type: object }
steps:
  - id: answer
    prompt:
      user: "{{ inputs.question }}"
    tools: [add_numbers, local_only]
`;

describe('sdl.lock pins of MCP tool schemas', () => {
  let server: McpHttpTestServer;
  let cwd: string;
  const env = { MCP_TOKEN: TOKEN };
  const lock = () => JSON.parse(readFileSync(path.join(cwd, 'sdl.lock'), 'utf8')) as { skills: Record<string, { mcp_tools?: unknown }> };

  beforeAll(async () => {
    server = await startMcpHttpServer(TOKEN);
    cwd = project({
      'package.json': '{}',
      'sdl.config.yaml': `engines:\n  s: { provider: scripted, model: scripted }\nmcp:\n  remote:\n    url: ${server.url}\n    headers: { Authorization: "Bearer \${env:MCP_TOKEN}" }\n    tools: { add_numbers: get-sum }\n`,
      'skills/adder.skill.yaml': SKILL,
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('compile pins the bound tool; check is quiet while the schema holds and warns at the tool when it drifts or goes', async () => {
    server.setSumField('a');
    const compiled = await skillc(['compile', 'skills', '--out', 'build'], cwd, env);
    expect(compiled.code, compiled.err).toBe(0);
    const pinned = lock().skills['skills/adder.skill.yaml']!.mcp_tools;
    expect(pinned).toEqual({
      add_numbers: {
        server: 'remote',
        tool: 'get-sum',
        sha256: toolSchemaDigest({
          inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
        }),
      },
    });
    expect(readFileSync(path.join(cwd, 'sdl.lock'), 'utf8')).not.toContain(TOKEN);

    const quiet = await skillc(['check', 'skills', '--json'], cwd, env);
    expect(quiet.code).toBe(0);
    expect(JSON.parse(quiet.out).diagnostics).toEqual([]);

    // The server renames an argument: the pinned digest no longer matches.
    server.setSumField('first');
    const drift = await skillc(['check', 'skills', '--json'], cwd, env);
    expect(drift.code).toBe(0); // a warning
    const [warning, ...rest] = JSON.parse(drift.out).diagnostics;
    expect(rest).toEqual([]);
    expect(warning).toMatchObject({
      code: 'SDL3051',
      severity: 'warning',
      file: 'skills/adder.skill.yaml',
      range: { start: { line: 10, column: 3 }, end: { line: 10, column: 14 } },
    });
    expect(warning.message).toMatch(/^the schema of MCP tool `get-sum` of server `remote` \(bound to `add_numbers`\) changed since sdl\.lock pinned it \(sha256 [0-9a-f]{12}… → [0-9a-f]{12}…\)$/);
    expect(warning.hint).toContain('run `skillc compile` to pin the new schema');

    // Compiling again pins the new schema, and check is quiet again.
    expect((await skillc(['compile', 'skills', '--out', 'build'], cwd, env)).code).toBe(0);
    expect(JSON.parse((await skillc(['check', 'skills', '--json'], cwd, env)).out).diagnostics).toEqual([]);

    // The server stops offering the tool.
    server.setHidden(['get-sum']);
    try {
      const gone = JSON.parse((await skillc(['check', 'skills', '--json'], cwd, env)).out).diagnostics;
      expect(gone).toMatchObject([{ code: 'SDL3051', range: { start: { line: 10, column: 3 } } }]);
      expect(gone[0].message).toBe('MCP tool `get-sum` of server `remote` (bound to `add_numbers`) is no longer offered; sdl.lock pinned it');
    } finally {
      server.setHidden([]);
    }
  });

  it('an unreachable server is no drift, and compile keeps its earlier pins', async () => {
    server.setSumField('a');
    expect((await skillc(['compile', 'skills', '--out', 'build'], cwd, env)).code).toBe(0);
    const before = lock().skills['skills/adder.skill.yaml']!.mcp_tools;
    const offline = project({
      'package.json': '{}',
      'sdl.config.yaml': `engines:\n  s: { provider: scripted, model: scripted }\nmcp:\n  remote:\n    url: http://127.0.0.1:9/mcp\n    timeout_ms: 2000\n    tools: { add_numbers: get-sum }\n`,
      'skills/adder.skill.yaml': SKILL,
      'sdl.lock': readFileSync(path.join(cwd, 'sdl.lock'), 'utf8'),
    });
    try {
      const checked = await skillc(['check', 'skills', '--json'], offline);
      expect(JSON.parse(checked.out).diagnostics).toEqual([]);
      const compiled = await skillc(['compile', 'skills', '--out', 'build'], offline);
      expect(compiled.code).toBe(0);
      expect(compiled.err).toContain('MCP server `remote` could not be reached; earlier pins of their tools in sdl.lock are kept');
      const kept = JSON.parse(readFileSync(path.join(offline, 'sdl.lock'), 'utf8')).skills['skills/adder.skill.yaml'].mcp_tools;
      expect(kept).toEqual(before);
    } finally {
      rmSync(offline, { recursive: true, force: true });
    }
  });
});
