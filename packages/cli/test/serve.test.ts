/**
 * `skillc serve` refusing to start, each time with what is wrong and how to fix it: no config, no
 * callers, skills with errors (file:line:col), two skills of one name, a taken port, an unreachable
 * Redis, bad flags. Serving itself is tested over HTTP in packages/server/test and test/serve-e2e.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { project, skillc } from './helpers.js';

const SKILL = (name: string) => `sdl: "1.0"
name: ${name}
version: 1.0.0
description: Echo a message.
inputs:
  type: object
  properties:
    message: { type: string }
steps:
  - id: echo
    prompt:
      user: "{{ inputs.message }}"
`;
const TOKEN = 'tok-serve-cli-0123456789abcdef';
const CONFIG = `engines:\n  offline: { provider: scripted, model: scripted }\nserver:\n  callers:\n    web: { token: "\${env:SDL_T}" }\n`;
const env = { SDL_T: TOKEN };

describe('skillc serve refuses to start', () => {
  it('without a config file (exit 2), naming the file and what it needs', async () => {
    const dir = project({ 'skills/echo.skill.yaml': SKILL('echo') });
    const { code, err } = await skillc(['serve'], dir, env);
    expect(code).toBe(2);
    expect(err).toMatch(/sdl\.config\.yaml does not exist; write one with engines and server\.callers/);
  });

  it('when the config names no callers (exit 1), with an example', async () => {
    const dir = project({ 'skills/echo.skill.yaml': SKILL('echo'), 'sdl.config.yaml': 'engines:\n  offline: { provider: scripted, model: scripted }\n' });
    const { code, err } = await skillc(['serve'], dir, env);
    expect(code).toBe(1);
    expect(err).toMatch(/names no callers/);
    expect(err).toContain('token: "${env:SDL_WEB_TOKEN}"');
  });

  it('when a skill has errors (exit 1), with file:line:col', async () => {
    const broken = SKILL('echo').replace('inputs.message', 'inputs.mesage');
    const dir = project({ 'skills/echo.skill.yaml': broken, 'sdl.config.yaml': CONFIG });
    const { code, err } = await skillc(['serve'], dir, env);
    expect(code).toBe(1);
    expect(err).toMatch(/echo\.skill\.yaml:12:\d+/);
    expect(err).toMatch(/did you mean `message`/);
  });

  it('when two files define one skill name (exit 1), naming both', async () => {
    const dir = project({ 'skills/a/echo.skill.yaml': SKILL('echo'), 'skills/b/echo.skill.yaml': SKILL('echo'), 'sdl.config.yaml': CONFIG });
    const { code, err } = await skillc(['serve'], dir, env);
    expect(code).toBe(1);
    expect(err).toMatch(/skill `echo` is defined by both a\/echo\.skill\.yaml and b\/echo\.skill\.yaml/);
  });

  it('when the directory holds no skills, or is not a directory', async () => {
    const dir = project({ 'sdl.config.yaml': CONFIG, 'empty/.keep': '' });
    const empty = await skillc(['serve', 'empty'], dir, env);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/no \*\.skill\.yaml or \*\.skill\.json under empty/);
    const missing = await skillc(['serve', 'nowhere'], dir, env);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nowhere is not a directory/);
  });

  it('when the port is taken (exit 2), saying so', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const dir = project({ 'skills/echo.skill.yaml': SKILL('echo'), 'sdl.config.yaml': CONFIG });
      const { code, err } = await skillc(['serve', '--port', String(port)], dir, env);
      expect(code).toBe(2);
      expect(err).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\); another process has the port`));
    } finally {
      blocker.close();
    }
  });

  it('when the Redis state store does not answer (exit 1), naming host and port only', async () => {
    const config = `${CONFIG}state: { store: redis, url: "redis://:hunter2-password@127.0.0.1:1" }\n`;
    const dir = project({ 'skills/echo.skill.yaml': SKILL('echo'), 'sdl.config.yaml': config });
    const { code, err } = await skillc(['serve'], dir, env);
    expect(code).toBe(1);
    expect(err).toMatch(/cannot reach the Redis state store at 127\.0\.0\.1:1/);
    expect(err).not.toContain('hunter2');
  });

  it.each([
    [['--port', 'http'], /--port must be a port number/],
    [['--port', '70000'], /--port must be a port number/],
    [['--prefix', 'a b'], /--prefix may hold/],
    [['a', 'b'], /serve takes one directory/],
  ])('usage error for %j', async (args, message) => {
    const dir = project({ 'sdl.config.yaml': CONFIG });
    const { code, err } = await skillc(['serve', ...args], dir, env);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
