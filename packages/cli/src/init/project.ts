/**
 * `skillc init` without a name: sets up SDL in the current folder, new or an existing npm project.
 * Writes only what is missing (an existing file is kept and said so); package.json gains the SDL
 * packages and scripts it lacks and is otherwise left as it was.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { skillTemplate } from '../commands/init.js';
import { type CliIO, EXIT_OK, EXIT_USAGE } from '../io.js';
import { version } from '../main.js';
import {
  CONFIG_TEMPLATE,
  EXAMPLE_SKILL,
  GITIGNORE_LINES,
  HOST_TEMPLATE,
  PROJECT_SCRIPTS,
  VSCODE_SETTINGS,
  packageNameFor,
} from './project-files.js';

type PackageJson = Record<string, unknown> & {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/** package.json with the SDL packages and scripts added where missing; `undefined` when nothing changes. */
function withSdl(pkg: PackageJson, sdlVersion: string): PackageJson | undefined {
  const range = `^${sdlVersion}`;
  const has = (name: string) => pkg.dependencies?.[name] !== undefined || pkg.devDependencies?.[name] !== undefined;
  const next: PackageJson = { ...pkg };
  let changed = false;
  if (!has('@sdl/runtime')) {
    next.dependencies = { ...pkg.dependencies, '@sdl/runtime': range };
    changed = true;
  }
  if (!has('@sdl/cli')) {
    next.devDependencies = { ...pkg.devDependencies, '@sdl/cli': range };
    changed = true;
  }
  const scripts = { ...pkg.scripts };
  for (const [name, command] of Object.entries(PROJECT_SCRIPTS)) {
    if (scripts[name] === undefined) {
      scripts[name] = command;
      changed = true;
    }
  }
  next.scripts = scripts;
  return changed ? next : undefined;
}

/** `.gitignore` with every line SDL needs; `undefined` when it has them all. */
function withIgnores(existing: string | undefined): string | undefined {
  const present = new Set((existing ?? '').split(/\r?\n/).map((line) => line.trim()));
  const missing = GITIGNORE_LINES.filter((line) => !present.has(line) && !present.has(line.replace(/\/$/, '')));
  if (missing.length === 0) return undefined;
  const head = existing === undefined || existing === '' ? '' : existing.endsWith('\n') ? `${existing}\n` : `${existing}\n\n`;
  return `${head}# SDL: build output, local state, local config and secrets\n${missing.join('\n')}\n`;
}

/** Sets up the project in `io.cwd`; prints what was created, kept or updated, then the next commands. */
export async function initProject(io: CliIO): Promise<number> {
  const root = io.cwd;
  const report: string[] = [];
  const write = async (relative: string, text: string, note = 'created'): Promise<void> => {
    const file = path.join(root, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text, 'utf8');
    report.push(`${note} ${relative}`);
  };
  const create = async (relative: string, text: () => string): Promise<void> => {
    if (existsSync(path.join(root, relative))) report.push(`kept ${relative} (exists)`);
    else await write(relative, text());
  };
  try {
    const pkgFile = path.join(root, 'package.json');
    let hadPackageJson = false;
    if (existsSync(pkgFile)) {
      hadPackageJson = true;
      let pkg: PackageJson;
      try {
        pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as PackageJson;
      } catch (error) {
        io.stderr.write(`skillc init: package.json is not valid JSON (${(error as Error).message}); fix it and run again (nothing was written)\n`);
        return EXIT_USAGE;
      }
      const next = withSdl(pkg, version());
      if (next) await write('package.json', `${JSON.stringify(next, null, 2)}\n`, 'updated');
      else report.push('kept package.json (has the SDL packages and scripts)');
    } else {
      const fresh = withSdl({ name: packageNameFor(path.basename(root)), version: '0.1.0', private: true, type: 'module' }, version())!;
      await write('package.json', `${JSON.stringify(fresh, null, 2)}\n`);
    }
    await create('sdl.config.yaml', () => CONFIG_TEMPLATE);
    const gitignoreFile = path.join(root, '.gitignore');
    const ignores = withIgnores(existsSync(gitignoreFile) ? readFileSync(gitignoreFile, 'utf8') : undefined);
    if (ignores !== undefined) await write('.gitignore', ignores, existsSync(gitignoreFile) ? 'updated' : 'created');
    else report.push('kept .gitignore (has the SDL lines)');
    // The project installs @sdl/compiler (with @sdl/runtime), so the schema is there even before `npm install`.
    await create(`skills/${EXAMPLE_SKILL}.skill.yaml`, () => skillTemplate(EXAMPLE_SKILL, '../node_modules/@sdl/compiler/schemas/sdl.schema.json'));
    await create('host.mjs', () => HOST_TEMPLATE);
    await create('.vscode/settings.json', () => VSCODE_SETTINGS);
    const install = hadPackageJson && existsSync(path.join(root, 'node_modules', '@sdl', 'cli')) ? [] : ['npm install'];
    const next = [
      ...install,
      'npx skillc check skills/',
      'npx skillc test skills/',
      'npx skillc compile skills/ --out build/',
      'node host.mjs            # needs ANTHROPIC_API_KEY and OPENAI_API_KEY, or an emulator (npx skillc emulate)',
    ];
    io.stdout.write(`${report.join('\n')}\n\nNext:\n${next.map((line) => `  ${line}`).join('\n')}\n`);
    return EXIT_OK;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr.write(`${report.length > 0 ? `${report.join('\n')}\n` : ''}skillc init: cannot write in ${root}: ${code ?? (error as Error).message}\n`);
    return EXIT_USAGE;
  }
}
