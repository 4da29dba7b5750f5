// The `mcp:` section of sdl.config.yaml: servers over stdio and Streamable HTTP, their secrets and
// tool bindings, and every diagnostic at its exact position.
import { inspect } from 'node:util';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/index.js';

const ENGINES = 'engines:\n  s: { provider: scripted, model: scripted }\n';

describe('the mcp: section', () => {
  it('reads a stdio server and an HTTP server with secrets, bindings and their positions', () => {
    const text = `${ENGINES}mcp:
  everything:
    command: npx
    args: [mcp-server-everything, stdio]
    env: { SEARCH_TOKEN: "\${env:TOKEN}" }
    cwd: tools
    timeout_ms: 5000
    tools:
      add_numbers: get-sum
  search:
    url: https://mcp.example.com/mcp
    headers:
      Authorization: "Bearer \${env:TOKEN}"
`;
    const { config, diagnostics } = parseConfig(text, '/project/sdl.config.yaml', { env: { TOKEN: 'tok-secret-123' } });
    expect(diagnostics).toEqual([]);
    const { everything, search } = config!.mcp;
    expect(everything).toMatchObject({
      name: 'everything',
      transport: 'stdio',
      command: 'npx',
      args: ['mcp-server-everything', 'stdio'],
      cwd: path.resolve('/project/tools'),
      timeoutMs: 5000,
      tools: { add_numbers: 'get-sum' },
      at: { line: 4, column: 3, tools: { add_numbers: { line: 11, column: 7 } } },
    });
    expect(everything!.env!.SEARCH_TOKEN!.reveal()).toBe('tok-secret-123');
    expect(search).toMatchObject({ transport: 'http', url: 'https://mcp.example.com/mcp', cwd: path.resolve('/project'), tools: {} });
    expect(search!.headers!.Authorization!.reveal()).toBe('Bearer tok-secret-123');
    // Secrets print as [redacted] everywhere.
    for (const printed of [JSON.stringify(config), inspect(config, { depth: 8 }), String(search!.headers!.Authorization)]) {
      expect(printed).not.toContain('tok-secret-123');
    }
  });

  it('a config without mcp: has no servers', () => {
    expect(parseConfig(ENGINES, 'c.yaml').config!.mcp).toEqual({});
  });

  // [mcp section, code, line, column, message fragment, hint fragment]
  const cases: Array<[string, string, number, number, string, string?]> = [
    ['  a: { timeout_ms: 5 }\n', 'SDL3907', 4, 3, 'has neither `command` nor `url`', 'one of the two'],
    ['  a: { command: x, url: "http://h/mcp" }\n', 'SDL3907', 4, 3, 'has both `command` and `url`'],
    ['  a: { url: "http://h/mcp", args: [x] }\n', 'SDL3907', 4, 29, '`args` applies to a server started with `command` only'],
    ['  a: { command: x, headers: { X-Key: "${env:K}" } }\n', 'SDL3907', 4, 20, '`headers` applies to a server reached by `url` only'],
    ['  a: { command: x, comand: y }\n', 'SDL2901', 4, 20, 'unknown key `comand` in MCP server `a`', 'did you mean `command`?'],
    ['  a: { url: "ftp://h" }\n', 'SDL2904', 4, 13, 'http:// or https:// URL'],
    ['  a: { command: x, timeout_ms: 0 }\n', 'SDL2902', 4, 32, 'must be a positive integer'],
    ['  a: { command: x, tools: { "bad name": y } }\n', 'SDL2904', 4, 29, 'not a valid name for'],
    ['  a: { command: x, env: { T: "${env:UNSET_T}" } }\n', 'SDL3901', 4, 31, 'UNSET_T is not set'],
    ['  - a\n', 'SDL2902', 4, 3, '`mcp` must be a mapping'],
  ];
  it.each(cases)('diagnostic %#: %s -> %s', (section, code, line, column, message, hint) => {
    const { config, diagnostics } = parseConfig(`${ENGINES}mcp:\n${section}`, 'sdl.config.yaml', { env: { K: 'k' } });
    expect(config).toBeUndefined();
    const d = diagnostics.find((x) => x.code === code);
    expect(d, JSON.stringify(diagnostics)).toBeDefined();
    expect(d?.file).toBe('sdl.config.yaml');
    expect(d?.range.start).toEqual({ line, column });
    expect(d?.message).toContain(message);
    if (hint) expect(d?.hint).toContain(hint);
  });

  it('warns about a credential header written in the file, without repeating it', () => {
    const { config, diagnostics } = parseConfig(`${ENGINES}mcp:\n  a:\n    url: "http://h/mcp"\n    headers: { Authorization: "Bearer literal-tok" }\n`, 'c.yaml');
    expect(config).toBeDefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'SDL3905', severity: 'warning', range: { start: { line: 6, column: 31 } } });
    expect(JSON.stringify(diagnostics)).not.toContain('literal-tok');
  });
});
