import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AnthropicAdapter, CohereAdapter, EngineError, OpenAIAdapter } from '@sdl/adapters';
import { main, type CliIO } from '@sdl/cli';

function capture(signal?: AbortSignal) {
  let out = '';
  let err = '';
  let onLine: (line: string) => void = () => {};
  const firstLine = new Promise<string>((resolve) => (onLine = resolve));
  const io: CliIO = {
    stdout: {
      write: (s: string) => {
        out += s;
        if (out.includes('\n')) onLine(out.split('\n')[0]!);
        return true;
      },
    },
    stderr: { write: (s: string) => (err += s) },
    cwd: process.cwd(),
    env: {},
    ...(signal ? { signal } : {}),
  };
  return { io, firstLine, out: () => out, err: () => err };
}

const ADAPTERS = { anthropic: AnthropicAdapter, openai: OpenAIAdapter, cohere: CohereAdapter } as const;

describe('skillc emulate', () => {
  it.each(['anthropic', 'openai', 'cohere'] as const)('serves %s until aborted and prints the base URL', async (provider) => {
    const controller = new AbortController();
    const cli = capture(controller.signal);
    const exit = main(['emulate', '--provider', provider], cli.io);
    const url = await cli.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const adapter = new ADAPTERS[provider]({ apiKey: 'k', baseURL: url, timeoutMs: 5000 });
    const res = await adapter.generate({ model: 'm', messages: [{ role: 'user', content: 'ping' }] });
    expect(res.text).toBe('echo: ping');
    controller.abort();
    expect(await exit).toBe(0);
    expect(cli.err()).toContain('stopped after 1 request');
  });

  it('injects faults from --faults', async () => {
    const controller = new AbortController();
    const cli = capture(controller.signal);
    const exit = main(['emulate', '--provider', 'openai', '--faults', '429@4:1', '--seed', '3'], cli.io);
    const url = await cli.firstLine;
    const err = await new OpenAIAdapter({ apiKey: 'k', baseURL: url }).generate({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 4000 });
    expect(cli.err()).toContain('429@4 100%');
    controller.abort();
    expect(await exit).toBe(0);
  });

  it.each([
    [['--provider', 'gemini'], 'unknown --provider `gemini`'],
    [['--faults', 'teapot:0.5'], 'unknown fault `teapot`'],
    [['--faults', '429:7'], 'between 0 and 1'],
    [['--port', '70000'], '--port must be an integer'],
    [['--rpm', '0'], '--rpm must be at least 1'],
    [['--bogus'], 'Unknown option'],
  ])('usage error for %j', async (args, message) => {
    const cli = capture(AbortSignal.abort());
    expect(await main(['emulate', ...args], cli.io)).toBe(2);
    expect(cli.err()).toContain(message);
    expect(cli.err()).toContain('Usage: skillc emulate');
  });

  it('reports a port in use (exit 2, no stack trace)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = capture(AbortSignal.abort());
      expect(await main(['emulate', '--port', String(port)], cli.io)).toBe(2);
      expect(cli.err()).toContain(`port ${port} is already in use`);
      expect(cli.err()).not.toContain('    at ');
    } finally {
      blocker.close();
    }
  });
});
