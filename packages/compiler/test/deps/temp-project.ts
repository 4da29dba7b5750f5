import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A file's content, or a symbolic link to create (target as written, relative or absolute). */
export type Entry = string | { symlink: string };

/** Builds a throw-away project tree (node_modules and symlinks cannot live in git) and returns its real root. */
export function makeProject(files: Record<string, Entry>, parent?: string): string {
  const root = parent ?? realpathSync(mkdtempSync(path.join(tmpdir(), 'sdl-deps-')));
  for (const [rel, entry] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof entry === 'string') writeFileSync(abs, entry);
    else symlinkSync(entry.symlink, abs);
  }
  return root;
}

export function removeProject(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** A minimal skill file: the header the resolver reads, plus the fields a real skill has. */
export function skill(
  name: string,
  version: string,
  uses: Record<string, { skill: string; version?: string }> = {},
): string {
  const lines = ['sdl: "1.0"', `name: ${name}`, `version: ${version}`, `description: The ${name} skill.`];
  const aliases = Object.keys(uses);
  if (aliases.length > 0) {
    lines.push('uses:');
    for (const alias of aliases) {
      const u = uses[alias]!;
      lines.push(`  ${alias}: { skill: ${JSON.stringify(u.skill)}${u.version !== undefined ? `, version: ${JSON.stringify(u.version)}` : ''} }`);
    }
  }
  lines.push('steps:', '  - id: only', '    prompt: { user: "hi" }', '');
  return lines.join('\n');
}
