import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSkill } from '@sdl/compiler';
import { SCHEMA_URL, schemaReference } from '../src/commands/init.js';
import { project, skillc } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('skillc init', () => {
  it('scaffolds a skill that passes check, test and fmt --check as written', async () => {
    const cwd = project({});
    const created = await skillc(['init', 'answer-question'], cwd);
    expect(created.code).toBe(0);
    expect(created.out).toContain('created answer-question.skill.yaml');
    const text = readFileSync(path.join(cwd, 'answer-question.skill.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    expect(text).toContain('name: answer-question\n');
    expect(text).toContain('tests:\n  - name:');

    expect(await skillc(['check', '.'], cwd)).toMatchObject({ code: 0 });
    const tested = await skillc(['test', '.'], cwd);
    expect(tested.out).toContain('1 passed, 0 failed\n');
    expect(tested.code).toBe(0);
    expect(formatSkill(text).changed).toBe(false);
  });

  it('points at the schema shipped in @sdl/compiler by a relative path inside the SDL repository', () => {
    expect(schemaReference(path.join(repoRoot, 'skills'))).toBe('../packages/compiler/schemas/sdl.schema.json');
    expect(schemaReference(repoRoot)).toBe('./packages/compiler/schemas/sdl.schema.json');
    expect(schemaReference(path.join(repoRoot, 'packages', 'cli', 'test'))).toBe('../../compiler/schemas/sdl.schema.json');
  });

  it('creates --dir when missing and uses a relative path to the installed schema from there', async () => {
    const cwd = project({ 'node_modules/@sdl/compiler/schemas/sdl.schema.json': '{}' });
    const { code } = await skillc(['init', 'triage_email', '--dir', 'skills/support'], cwd);
    expect(code).toBe(0);
    const text = readFileSync(path.join(cwd, 'skills/support/triage_email.skill.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../node_modules/@sdl/compiler/schemas/sdl.schema.json');
  });

  it('refuses to overwrite an existing file (exit 2) and leaves it untouched', async () => {
    const cwd = project({ 'mine.skill.yaml': 'keep me\n' });
    const { code, err } = await skillc(['init', 'mine'], cwd);
    expect(code).toBe(2);
    expect(err).toBe('skillc init: mine.skill.yaml already exists; choose another name or --dir (nothing was written)\n');
    expect(readFileSync(path.join(cwd, 'mine.skill.yaml'), 'utf8')).toBe('keep me\n');
  });

  it.each([['Summarize'], ['my skill'], ['lead-'], ['a'.repeat(65)], ['../escape']])('rejects the name %j with a usage error', async (name) => {
    const cwd = project({});
    const { code, err } = await skillc(['init', name], cwd);
    expect(code).toBe(2);
    expect(err).toContain('is not a valid skill name');
  });

  it('takes one name or none', async () => {
    const cwd = project({});
    const { code, err } = await skillc(['init', 'a', 'b'], cwd);
    expect(code).toBe(2);
    expect(err).toContain('give one skill name, e.g. `skillc init answer-question`, or none to set up a project');
  });

  it('reports a directory it cannot create as an I/O error', async () => {
    const cwd = project({ 'file-not-dir': 'x' });
    mkdirSync(path.join(cwd, 'ok'));
    writeFileSync(path.join(cwd, 'ok', 'x'), '');
    const { code, err } = await skillc(['init', 'demo', '--dir', 'file-not-dir/sub'], cwd);
    expect(code).toBe(2);
    expect(err).toMatch(/^skillc init: cannot create .*demo\.skill\.yaml: (ENOTDIR|EEXIST)/);
  });
});

describe('skillc init (no name): a project', () => {
  it('in an empty folder writes package.json with the SDL packages, config, .gitignore, a tested skill, a host and editor settings', async () => {
    const cwd = project({});
    const { code, out } = await skillc(['init'], cwd);
    expect(code).toBe(0);
    expect(out).toBe(
      'created package.json\ncreated sdl.config.yaml\ncreated .gitignore\ncreated skills/answer-question.skill.yaml\n' +
        'created host.mjs\ncreated .vscode/settings.json\n\nNext:\n  npm install\n  npx skillc check skills/\n  npx skillc test skills/\n' +
        '  npx skillc compile skills/ --out build/\n  node host.mjs            # needs ANTHROPIC_API_KEY and OPENAI_API_KEY, or an emulator (npx skillc emulate)\n',
    );
    const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ private: true, type: 'module', dependencies: { '@sdl/runtime': '^0.1.0' }, devDependencies: { '@sdl/cli': '^0.1.0' } });
    expect(pkg.scripts).toEqual({
      'skills:check': 'skillc check skills/',
      'skills:test': 'skillc test skills/',
      'skills:build': 'skillc compile skills/ --out build/',
      start: 'node host.mjs',
    });
    const config = readFileSync(path.join(cwd, 'sdl.config.yaml'), 'utf8');
    expect(config).toContain('api_key: "${env:ANTHROPIC_API_KEY}"');
    expect(config).toContain('base_url: "${env:ANTHROPIC_BASE_URL:-https://api.anthropic.com}"');
    expect(readFileSync(path.join(cwd, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['build/', '.sdl/', '.env', 'node_modules/']));
    expect(JSON.parse(readFileSync(path.join(cwd, '.vscode/settings.json'), 'utf8'))).toEqual({
      'yaml.schemas': { './node_modules/@sdl/compiler/schemas/sdl.schema.json': ['*.skill.yaml'] },
    });
    // The skill passes check and test as written; its config loads with the keys in the environment.
    expect(await skillc(['check', 'skills'], cwd)).toMatchObject({ code: 0, out: 'no problems in 1 file\n' });
    expect((await skillc(['test', 'skills'], cwd)).out).toContain('1 passed, 0 failed\n');
    const { parseConfig } = await import('@sdl/adapters');
    const loaded = parseConfig(config, 'sdl.config.yaml', { env: { ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'b' } });
    expect(loaded.diagnostics).toEqual([]);
    expect(Object.keys(loaded.config!.engines)).toEqual(['claude', 'openai']);
  });

  it('in an existing project keeps every file and only adds what package.json and .gitignore lack', async () => {
    const original = { name: 'shop', version: '2.0.0', scripts: { start: 'node server.js' }, devDependencies: { '@sdl/cli': '0.1.0' } };
    const cwd = project({ 'package.json': JSON.stringify(original), '.gitignore': 'dist\nbuild/\n', 'host.mjs': 'mine\n', 'node_modules/@sdl/cli/package.json': '{}' });
    const { code, out } = await skillc(['init'], cwd);
    expect(code).toBe(0);
    expect(out).toContain('updated package.json\ncreated sdl.config.yaml\nupdated .gitignore\ncreated skills/answer-question.skill.yaml\nkept host.mjs (exists)\n');
    expect(out).not.toContain('npm install');
    const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'shop', version: '2.0.0', dependencies: { '@sdl/runtime': '^0.1.0' }, devDependencies: { '@sdl/cli': '0.1.0' } });
    expect(pkg.scripts.start).toBe('node server.js');
    expect(readFileSync(path.join(cwd, 'host.mjs'), 'utf8')).toBe('mine\n');
    const ignore = readFileSync(path.join(cwd, '.gitignore'), 'utf8');
    expect(ignore.startsWith('dist\nbuild/\n\n# SDL:')).toBe(true);
    expect(ignore.match(/^build\/$/gm)).toHaveLength(1);

    const again = await skillc(['init'], cwd);
    expect(again.out).toContain('kept package.json (has the SDL packages and scripts)\nkept sdl.config.yaml (exists)\nkept .gitignore (has the SDL lines)\n');
  });

  it('refuses a package.json that is not JSON and writes nothing', async () => {
    const cwd = project({ 'package.json': '{ nope' });
    const { code, err } = await skillc(['init'], cwd);
    expect(code).toBe(2);
    expect(err).toMatch(/^skillc init: package\.json is not valid JSON \(.*\); fix it and run again \(nothing was written\)\n$/);
    expect(existsSync(path.join(cwd, 'sdl.config.yaml'))).toBe(false);
  });
});
