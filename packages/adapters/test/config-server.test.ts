/**
 * The `server:` section of sdl.config.yaml (`skillc serve`): callers with bearer tokens as
 * Secrets, per-caller and default limits, body limit, timeouts; errors at their line and column.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@sdl/adapters';

const TOKEN = 'tok-web-0123456789abcdef0123';
const head = 'engines:\n  offline: { provider: scripted, model: scripted }\n';

describe('config: server section', () => {
  it('reads callers, limits and timeouts; tokens are Secrets that never print', () => {
    const text = `${head}server:
  host: 0.0.0.0
  port: 9090
  callers:
    web: { token: "\${env:WEB_TOKEN}", rpm: 120, burst_requests: 10, concurrency: 4 }
    batch: { token: "\${env:BATCH_TOKEN:-tok-batch-fallback-000000}" }
  rate_limit: { rpm: 60 }
  body_limit_bytes: 65536
  timeout_ms: 120000
  shutdown_timeout_ms: 15000
`;
    const { config, diagnostics } = parseConfig(text, 'sdl.config.yaml', { env: { WEB_TOKEN: TOKEN } });
    expect(diagnostics).toEqual([]);
    const server = config!.server!;
    expect(server).toMatchObject({ host: '0.0.0.0', port: 9090, rateLimit: { rpm: 60 }, bodyLimitBytes: 65536, timeoutMs: 120000, shutdownTimeoutMs: 15000 });
    expect(server.callers.web).toMatchObject({ name: 'web', rpm: 120, burstRequests: 10, concurrency: 4 });
    expect(server.callers.web!.token.reveal()).toBe(TOKEN);
    expect(server.callers.batch!.token.reveal()).toBe('tok-batch-fallback-000000');
    for (const printed of [inspect(config, { depth: 10 }), JSON.stringify(config), String(server.callers.web!.token)]) expect(printed).not.toContain(TOKEN);
  });

  it('a config without server: has none (skillc run and batch do not need one)', () => {
    expect(parseConfig(head, 'sdl.config.yaml').config!.server).toBeUndefined();
  });

  const problems: { why: string; server: string; code: string; severity?: string; line: number; column: number; message: RegExp }[] = [
    { why: 'a caller without a token', server: 'server:\n  callers:\n    web: { rpm: 5 }\n', code: 'SDL2903', line: 5, column: 10, message: /caller `web` has no `token`/ },
    { why: 'an unknown caller key', server: 'server:\n  callers:\n    web: { token: "${env:T}", rmp: 5 }\n', code: 'SDL2901', line: 5, column: 31, message: /unknown key `rmp` in caller `web`/ },
    { why: 'a bad caller name', server: 'server:\n  callers:\n    "web client": { token: "${env:T}" }\n', code: 'SDL2904', line: 5, column: 5, message: /not a valid name/ },
    { why: 'a negative body limit', server: 'server:\n  callers: {}\n  body_limit_bytes: -1\n', code: 'SDL2902', line: 5, column: 21, message: /positive integer/ },
    { why: 'an unset token variable', server: 'server:\n  callers:\n    web: { token: "${env:NOPE}" }\n', code: 'SDL3901', line: 5, column: 20, message: /NOPE is not set/ },
    { why: 'a token written in the file', server: `server:\n  callers:\n    web: { token: "${TOKEN}" }\n`, code: 'SDL3905', severity: 'warning', line: 5, column: 19, message: /bearer token is written in the file/ },
  ];
  it.each(problems)('$why: $code at its line and column', ({ server, code, severity, line, column, message }) => {
    const { diagnostics } = parseConfig(head + server, 'sdl.config.yaml', { env: { T: TOKEN } });
    const found = diagnostics.find((d) => d.code === code);
    expect(found, JSON.stringify(diagnostics)).toBeDefined();
    expect(found!.severity).toBe(severity ?? 'error');
    expect(found!.range.start).toEqual({ line, column });
    expect(found!.message).toMatch(message);
    expect(JSON.stringify(diagnostics)).not.toContain(TOKEN);
  });
});
