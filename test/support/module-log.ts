import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const register = fileURLToPath(new URL('./module-log/register.mjs', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs `code` (an ES module body) in a fresh Node process at the repository root, where
 * `@sdl/*` resolve to the built packages, and returns the npm packages it loaded (`name` or
 * `@scope/name`, from every loaded file under a node_modules directory), how many files and which
 * (`file://` URLs of ES modules and built-ins' `node:` names, `cjs:<path>` of CommonJS modules).
 */
export function packagesLoadedBy(code: string): { packages: Set<string>; files: number; loaded: Set<string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdl-module-log-'));
  const log = path.join(dir, 'modules.log');
  try {
    execFileSync(process.execPath, ['--import', register, '--input-type=module', '-e', code], {
      cwd: repoRoot,
      env: { ...process.env, SDL_MODULE_LOG: log },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    });
    const files = new Set(readFileSync(log, 'utf8').split('\n').filter((line) => line !== ''));
    const packages = new Set<string>();
    for (const file of files) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(decodeURIComponent(file));
      if (match) packages.add(match[1]!);
    }
    return { packages, files: files.size, loaded: files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
