// What importing the built runtime loads (issue 14): neither the compiler's parser nor any
// provider SDK, Redis client, metrics library or schema compiler until a host uses them. Runs
// fresh processes on the built packages (`npm run build` first, as `npm test` does).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packagesLoadedBy } from './support/module-log.js';

const built = existsSync(fileURLToPath(new URL('../packages/runtime/dist/index.js', import.meta.url)));
const SDKS = ['@anthropic-ai/sdk', 'openai', 'cohere-ai'];
const HEAVY = ['chevrotain', '@chevrotain/gast', 'ioredis', 'prom-client', 'bullmq', 'ajv', 'json-schema-faker', '@modelcontextprotocol/sdk', '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-metrics', '@opentelemetry/core', ...SDKS];

describe('lazy loading of the built packages', () => {
  it('was built (npm run build) before these tests', () => {
    expect(built, 'packages/runtime/dist is missing: run `npm run build` first').toBe(true);
  });

  it('importing @sdl/runtime and @sdl/adapters loads no parser, SDK, Redis, metrics or ajv', () => {
    const { packages, files, loaded } = packagesLoadedBy(`await import('@sdl/runtime'); await import('@sdl/adapters');`);
    for (const name of HEAVY) expect(packages, `${name} was loaded`).not.toContain(name);
    // The build's one-file copy of ajv (scripts/bundle-packages.mjs) is not under node_modules.
    expect([...loaded].filter((file) => file.endsWith('/generated/ajv.cjs')), 'the bundled ajv was loaded').toEqual([]);
    // Nor the compiler's one-file copies of yaml and semver.
    expect([...loaded].filter((file) => /\/generated\/(yaml|semver)\.cjs$/.test(file)), 'the compiler\'s yaml or semver was loaded').toEqual([]);
    // Before issue 14: 2,387 files; then 152 files of the packages' own (one per module). The
    // packages are bundled (dist/bundle), so a handful of files plus @opentelemetry/api (which the
    // provider SDKs load too) and Node's built-ins; a budget catches a new eager import.
    const own = [...loaded].filter((file) => /\/packages\/[^/]+\/dist\//.test(file));
    expect(own.every((file) => file.includes('/dist/bundle/')), `modules loaded outside the bundles: ${own.filter((file) => !file.includes('/dist/bundle/')).join(', ')}`).toBe(true);
    expect(own.length).toBeLessThan(30);
    expect(files).toBeLessThan(120);
  });

  it('importing @sdl/server loads the HTTP framework but no parser, SDK, Redis, metrics or ajv; the runtime alone loads no hono', () => {
    const server = packagesLoadedBy(`await import('@sdl/server');`).packages;
    for (const name of HEAVY) expect(server, `${name} was loaded`).not.toContain(name);
    expect(server).toContain('hono');
    const runtime = packagesLoadedBy(`await import('@sdl/runtime');`).packages;
    for (const name of ['hono', '@hono/node-server']) expect(runtime, `${name} was loaded`).not.toContain(name);
  });

  it('skillc check loads no language-server library; importing @sdl/lsp loads no SDK, Redis or MCP', () => {
    const LSP = ['vscode-languageserver', 'vscode-languageserver-protocol', 'vscode-jsonrpc', 'vscode-languageserver-textdocument'];
    const { packages: check, loaded: checkLoaded } = packagesLoadedBy(`
      const { main } = await import('@sdl/cli');
      const io = { stdout: { write() {} }, stderr: { write() {} }, cwd: process.cwd(), env: process.env };
      const code = await main(['check', 'skills/chunk-text.skill.yaml'], io);
      if (code !== 0) throw new Error('check failed: ' + code);
    `);
    for (const name of LSP) expect(check, `${name} was loaded`).not.toContain(name);
    // yaml and semver come from the build's one-file copies (scripts/bundle-packages.mjs): of the
    // installed packages only their package.json is read (the copy's version is checked against it).
    const fromPackages = [...checkLoaded].filter((file) => /\/node_modules\/(yaml|semver)\//.test(file) && !file.endsWith('/package.json'));
    expect(fromPackages, 'yaml or semver was loaded file by file').toEqual([]);
    expect([...checkLoaded].filter((file) => /\/packages\/compiler\/generated\/(yaml|semver)\.cjs$/.test(file))).toHaveLength(2);
    const { packages: lsp } = packagesLoadedBy(`await import('@sdl/lsp');`);
    expect(lsp).toContain('vscode-languageserver');
    for (const name of [...SDKS, 'ioredis', 'bullmq', '@modelcontextprotocol/sdk', 'prom-client']) expect(lsp, `${name} was loaded`).not.toContain(name);
  });

  it('a call on a configured Anthropic engine loads its SDK and no other provider\'s', () => {
    const { packages } = packagesLoadedBy(`
      const { AnthropicAdapter, OpenAIAdapter, CohereAdapter, startEmulator } = await import('@sdl/adapters');
      await import('@sdl/runtime');
      const emulator = await startEmulator({ provider: 'anthropic', reply: { text: 'hi' } });
      // Engines configured but never called load nothing either.
      new OpenAIAdapter({ apiKey: 'k', baseURL: emulator.url });
      new CohereAdapter({ apiKey: 'k', baseURL: emulator.url });
      const claude = new AnthropicAdapter({ apiKey: 'k', baseURL: emulator.url });
      const reply = await claude.generate({ model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'hello' }], maxTokens: 10 });
      if (reply.text !== 'hi') throw new Error('unexpected reply ' + reply.text);
      await emulator.close();
    `);
    expect(packages).toContain('@anthropic-ai/sdk');
    expect(packages).not.toContain('openai');
    expect(packages).not.toContain('cohere-ai');
    expect(packages).not.toContain('chevrotain');
  });

  it('a runtime with MCP servers configured loads the MCP SDK only when a skill needs one of their tools', () => {
    const { packages } = packagesLoadedBy(`
      const { ScriptedAdapter } = await import('@sdl/adapters');
      const { createRuntime } = await import('@sdl/runtime');
      const mcp = { everything: { name: 'everything', transport: 'stdio', command: 'does-not-run', cwd: '.', tools: {}, at: { line: 1, column: 1, tools: {} } } };
      const runtime = createRuntime({ engines: { offline: { adapter: new ScriptedAdapter({ fallback: 'x' }), model: 'scripted' } }, mcp });
      await runtime.close();
    `);
    expect(packages).not.toContain('@modelcontextprotocol/sdk');
  });

  it('loading and running compiled IR loads no parser, no YAML library, no SDK and no ajv', () => {
    // Compiled in a directory of its own, so the repository's sdl.lock is left alone.
    const work = mkdtempSync(path.join(tmpdir(), 'sdl-lazy-ir-'));
    const out = path.join(work, 'out');
    const repo = fileURLToPath(new URL('..', import.meta.url));
    copyFileSync(path.join(repo, 'test/fixtures/lazy-loading/echo.skill.yaml'), path.join(work, 'echo.skill.yaml'));
    execFileSync(process.execPath, [path.join(repo, 'packages/cli/bin/skillc.js'), 'compile', 'echo.skill.yaml', '--out', out], { cwd: work, stdio: 'ignore' });
    const { packages, loaded } = packagesLoadedBy(`
      const { ScriptedAdapter } = await import('@sdl/adapters');
      const { createRuntime, loadIrFile } = await import('@sdl/runtime');
      const skill = await loadIrFile(${JSON.stringify(path.join(out, 'echo.skill.json'))});
      const runtime = createRuntime({ engines: { offline: { adapter: new ScriptedAdapter({ fallback: 'echo' }), model: 'scripted' } } });
      const result = await runtime.run(skill, { text: 'hello' });
      if (typeof result.output !== 'string') throw new Error('no output');
    `);
    rmSync(work, { recursive: true, force: true });
    for (const name of ['chevrotain', 'yaml', ...SDKS]) expect(packages, `${name} was loaded`).not.toContain(name);
    // The input schema's first values are checked by the schema walk: of ajv only its version
    // (package.json) and the helpers its generated code (and the walk) call, neither ajv itself nor
    // the build's one-file copy of it.
    const ajvFiles = [...loaded].filter((file) => /\/node_modules\/ajv\/|\/generated\/ajv\.cjs$/.test(file));
    const allowed = (file: string) => file.endsWith('/node_modules/ajv/package.json') || file.includes('/node_modules/ajv/dist/runtime/');
    expect(ajvFiles.filter((file) => !allowed(file)), `ajv was loaded: ${ajvFiles.join(', ')}`).toEqual([]);
    expect(ajvFiles.length).toBeGreaterThan(0);
  });
});
