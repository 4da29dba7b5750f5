import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '@sdl/cli';

function capture(): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    cwd: process.cwd(),
    env: {},
  };
  return { io, out: () => out, err: () => err };
}

describe('skillc entry point', () => {
  it('prints help listing every command and exits 0 for --help', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    for (const name of ['check', 'compile', 'graph', 'eval', 'render', 'test', 'run', 'emulate', 'init', 'fmt']) {
      expect(c.out()).toContain(`  ${name}`);
    }
  });

  it('exits 2 with no command', async () => {
    const c = capture();
    expect(await main([], c.io)).toBe(2);
  });

  it('prints its version', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^skillc \d+\.\d+\.\d+\n$/);
  });

  it('rejects an unknown command with exit 2 and a pointer to --help', async () => {
    const c = capture();
    expect(await main(['compil'], c.io)).toBe(2);
    expect(c.err()).toContain('unknown command `compil`');
  });
});
