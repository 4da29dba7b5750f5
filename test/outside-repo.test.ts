/**
 * SDL outside its own repository (README "Use SDL in your own project"): every package is packed
 * with `npm pack`, the tarballs are installed into a clean temporary project, and the project is
 * set up and used as a new user would: `skillc init`, `check`, `test`, `compile`, then the compiled
 * skill is run on emulated engines from the scaffolded ESM host and from a small CommonJS host
 * (Node 20.19+ `require(esm)`; the packages have no top-level await). Needs the built packages
 * (`npm run build`, which `npm test` runs first).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@sdl/adapters';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['compiler', 'adapters', 'runtime', 'server', 'lsp', 'cli'] as const;

/** The environment of a user's shell: none of the parent `npm test`'s npm_* settings (workspace, prefix). */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && !key.startsWith('VITEST')) env[key] = value;
  return { ...env, NO_COLOR: '1', ...extra };
};

/** The CommonJS host: the same program as the scaffolded host.mjs, written with require(). */
const CJS_HOST = `'use strict';
const sdl = require('@sdl/runtime');

async function main() {
  const { config, diagnostics } = await sdl.loadConfig('sdl.config.yaml');
  if (config === undefined) throw new Error(diagnostics.map((d) => d.message).join('\\n'));
  const registry = new sdl.EngineRegistry(Object.values(config.engines).map(sdl.engineEntryFromConfig), config.defaultEngine);
  const chain = sdl.createDefaultChain({
    breakers: new sdl.CircuitBreakers(new sdl.MemoryBreakerStore(), sdl.systemClock),
    limiter: new sdl.MemoryRateLimiter(sdl.systemClock),
  });
  const state = sdl.createStateStore(config.state, { baseDir: '.' });
  const runtime = sdl.createRuntime({ router: new sdl.EngineRouter({ registry, chain }), state, strictEngines: true });
  const skill = runtime.load(await sdl.loadSkillFile('build/answer-question.skill.json'));
  const result = await runtime.run(skill, { document: 'The warranty lasts two years.', question: 'How long is the warranty?' });
  console.log(JSON.stringify({ output: result.output, engines: result.engines, host: typeof module }));
  await state.close();
}
main().catch((error) => { console.error(error.message); process.exitCode = 1; });
`;

describe('SDL in a fresh project, installed from npm pack tarballs', () => {
  let work: string;
  let app: string;
  const emulators: Emulator[] = [];
  const sh = (file: string, args: string[], env: Record<string, string> = {}) =>
    run(file, args, { cwd: app, env: cleanEnv(env), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });

  beforeAll(async () => {
    for (const name of PACKAGES) {
      if (!existsSync(path.join(repoRoot, 'packages', name, 'dist', 'index.js'))) {
        throw new Error(`packages/${name}/dist is missing: run \`npm run build\` first`);
      }
    }
    work = mkdtempSync(path.join(tmpdir(), 'sdl-outside-'));
    const tarballs = path.join(work, 'tarballs');
    mkdirSync(tarballs);
    const packed: Record<string, string> = {};
    for (const name of PACKAGES) {
      const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs], {
        cwd: path.join(repoRoot, 'packages', name),
        env: cleanEnv(),
        encoding: 'utf8',
      });
      packed[name] = path.join(tarballs, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
    }
    // What `npm i -D @sdl/cli && npm i @sdl/runtime` writes, with the tarballs in place of the registry
    // (the SDL packages are not published from here; their own dependencies come from the cache).
    app = path.join(work, 'my-app');
    mkdirSync(app);
    writeFileSync(
      path.join(app, 'package.json'),
      `${JSON.stringify(
        {
          name: 'my-app',
          version: '1.0.0',
          private: true,
          dependencies: { '@sdl/runtime': `file:${packed.runtime}`, '@sdl/adapters': `file:${packed.adapters}`, '@sdl/compiler': `file:${packed.compiler}`, '@sdl/server': `file:${packed.server}`, '@sdl/lsp': `file:${packed.lsp}` },
          devDependencies: { '@sdl/cli': `file:${packed.cli}` },
        },
        null,
        2,
      )}\n`,
    );
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error']);
    for (const provider of ['anthropic', 'openai'] as const) emulators.push(await startEmulator({ provider }));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  it('ships what each package reads at run time, and types for every export', () => {
    for (const name of PACKAGES) {
      const dir = path.join(app, 'node_modules', '@sdl', name);
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        exports: Record<string, string | { types?: string; default: string }>;
        engines: { node: string };
        repository: { directory: string };
        keywords: string[];
      };
      expect(pkg.engines.node).toBe('>=20.19');
      expect(pkg.repository.directory).toBe(`packages/${name}`);
      expect(pkg.keywords).toContain('sdl');
      expect(existsSync(path.join(dir, 'README.md'))).toBe(true);
      for (const [entry, target] of Object.entries(pkg.exports)) {
        if (typeof target === 'string') continue; // package.json, schemas
        expect(existsSync(path.join(dir, target.default)), `${name} ${entry}`).toBe(true);
        expect(existsSync(path.join(dir, target.types!)), `${name} ${entry} types`).toBe(true);
      }
    }
    for (const schema of ['sdl.schema.json', 'ir.schema.json']) {
      expect(existsSync(path.join(app, 'node_modules/@sdl/compiler/schemas', schema))).toBe(true);
    }
  });

  it('npx skillc runs the installed CLI (node_modules/.bin), never a registry package, even offline', async () => {
    expect(realpathSync(path.join(app, 'node_modules/.bin/skillc'))).toBe(realpathSync(path.join(app, 'node_modules/@sdl/cli/bin/skillc.js')));
    const help = await sh('npx', ['--offline', 'skillc', '--help']);
    expect(help.stdout).toMatch(/^skillc — the SDL \(Skill Description Language\) compiler and toolbox\n/);
    const version = await sh('npx', ['--offline', 'skillc', '--version']);
    expect(version.stdout).toBe('skillc 0.1.0\n');
  });

  it('skillc init scaffolds a project; check, test and compile pass on it; ESM and CommonJS hosts run the skill on emulated engines', async () => {
    const init = await sh('npx', ['skillc', 'init']);
    expect(init.stdout).toContain('updated package.json\ncreated sdl.config.yaml\ncreated .gitignore\ncreated skills/answer-question.skill.yaml\ncreated host.mjs\ncreated .vscode/settings.json\n');
    const pkg = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts['skills:test']).toBe('skillc test skills/');
    expect(pkg.devDependencies['@sdl/cli']).toMatch(/^file:/); // kept, not replaced by a registry range
    // The editor schema: a relative path into node_modules that exists (offline).
    const skillText = readFileSync(path.join(app, 'skills/answer-question.skill.yaml'), 'utf8');
    const schemaRef = /\$schema=(\S+)/.exec(skillText)![1]!;
    expect(schemaRef).toBe('../node_modules/@sdl/compiler/schemas/sdl.schema.json');
    expect(existsSync(path.join(app, 'skills', schemaRef))).toBe(true);
    expect(readFileSync(path.join(app, '.gitignore'), 'utf8')).toMatch(/^build\/$/m);

    expect((await sh('npx', ['skillc', 'check', 'skills/'])).stdout).toBe('no problems in 1 file\n');
    expect((await sh('npx', ['skillc', 'test', 'skills/'])).stdout).toContain('1 passed, 0 failed\n');
    expect((await sh('npx', ['skillc', 'compile', 'skills/', '--out', 'build/'])).stdout).toBe('compiled 1 skill to build/\n');
    // `skillc init <name>` in the project keeps adding one skill.
    expect((await sh('npx', ['skillc', 'init', 'second-skill', '--dir', 'skills'])).stdout).toContain('created skills/second-skill.skill.yaml');

    const env = {
      ANTHROPIC_API_KEY: 'sk-ant-test-not-a-key',
      ANTHROPIC_BASE_URL: emulators[0]!.url,
      OPENAI_API_KEY: 'sk-test-not-a-key',
      OPENAI_BASE_URL: emulators[1]!.url,
    };
    const esm = await sh('node', ['host.mjs'], env);
    const esmResult = JSON.parse(esm.stdout) as { output: { answer: unknown; quote: unknown }; engines: string[] };
    expect(esmResult.engines).toEqual(['claude']);
    expect(typeof esmResult.output.answer).toBe('string');
    expect(typeof esmResult.output.quote).toBe('string');
    expect(esm.stderr).toBe('');

    writeFileSync(path.join(app, 'host.cjs'), CJS_HOST);
    const cjs = await sh('node', ['host.cjs'], env);
    const cjsResult = JSON.parse(cjs.stdout) as { output: { answer: unknown }; engines: string[]; host: string };
    expect(cjsResult.host).toBe('object'); // really CommonJS: `module` exists
    expect(cjsResult.engines).toEqual(['claude']);
    expect(typeof cjsResult.output.answer).toBe('string');
    expect(cjs.stderr).toBe(''); // no ExperimentalWarning, no unhandled errors
  }, 120_000);
});
