// Writes the V8 code cache of each generated CommonJS file a cold process runs (issue 14):
// `<file>.v8cache` beside it, read by loadGeneratedModule (packages/compiler/src/util/generated-module.ts).
// Runs last in `npm run build`, on the built packages: it checks and loads the project's skills
// (skills/) the way `skillc check` and a host do, so the functions those paths call are compiled
// when each cache is made, then saves them. A cache holds only compiled code for the file's exact
// text; a process on another Node version (V8 refuses the cache) or a file regenerated since (the
// recorded SHA-256 differs) compiles the file from its text as before.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheBytes, codeCacheFile, loadGeneratedModule } from '@sdl/compiler/core';

const root = (relative) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

// The generated files a cold process runs (the list the build-cache test checks too).
const CACHED = JSON.parse(readFileSync(root('scripts/code-cached-files.json'), 'utf8')).map(root);
for (const file of CACHED) rmSync(codeCacheFile(file), { force: true });

// `skillc check` of every skill: the YAML parser, semver, the skill schema's validator.
const { checkFiles } = await import('@sdl/compiler');
const skillFiles = readdirSync(root('skills')).filter((f) => f.endsWith('.skill.yaml')).map((f) => path.join(root('skills'), f));
const checked = await checkFiles(skillFiles, { cwd: root('') });
if (checked.files.length !== skillFiles.length) throw new Error(`checked ${checked.files.length} of ${skillFiles.length} skill files`);

// A host loading every compiled skill: the IR validator, the meta-schema check of each schema, semver.
const work = mkdtempSync(path.join(tmpdir(), 'sdl-code-cache-'));
try {
  // Compiled from a copy, so the repository's sdl.lock is left alone.
  const out = path.join(work, 'out');
  cpSync(root('skills'), path.join(work, 'skills'), { recursive: true });
  execFileSync(process.execPath, [root('packages/cli/bin/skillc.js'), 'compile', 'skills', '--out', out], { cwd: work, stdio: 'ignore' });
  const { ScriptedAdapter } = await import('@sdl/adapters');
  const { createRuntime, loadIrFile } = await import('@sdl/runtime');
  const runtime = createRuntime({ engines: { offline: { adapter: new ScriptedAdapter({ fallback: '' }), model: 'scripted' } }, strictEngines: false });
  const skills = [];
  for (const file of readdirSync(out).filter((f) => f.endsWith('.skill.json')).sort()) skills.push(await loadIrFile(path.join(out, file)));
  const registered = new Set();
  for (const skill of skills) {
    for (const [name, declaration] of Object.entries(skill.tools)) {
      if (registered.has(name)) continue;
      registered.add(name);
      runtime.tools.register(name, { parameters: declaration.parameters ?? { type: 'object' }, execute: () => null });
    }
  }
  for (const skill of skills) runtime.load(skill);
  await runtime.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}

const required = createRequire(import.meta.url).cache;
for (const file of CACHED) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/build-validators.mjs and scripts/bundle-packages.mjs first`);
  // Loaded by the paths above, or its cache would hold none of the functions they run.
  if (required[file] === undefined) throw new Error(`checking and loading skills/ did not load ${file}`);
  const { script } = loadGeneratedModule(file);
  if (script === undefined) throw new Error(`${file} was required before loadGeneratedModule loaded it: no script to cache`);
  writeFileSync(codeCacheFile(file), codeCacheBytes(readFileSync(file, 'utf8'), script));
}
