import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeDiagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { SKILL_FILE_SUFFIX } from '../frontend/check-file.js';

const AT_START = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

function findSkillFiles(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) findSkillFiles(full, out);
    } else if (entry.isFile() && entry.name.endsWith(SKILL_FILE_SUFFIX)) out.push(full);
  }
}

/**
 * The skill files named by command-line paths: files as given, directories searched recursively
 * for `*.skill.yaml` (skipping `node_modules`, hidden and symlinked directories). Absolute paths,
 * sorted, without duplicates; unreadable paths are SDL9001/SDL9002 diagnostics.
 */
export function expandSkillPaths(paths: readonly string[], cwd: string): { files: string[]; diagnostics: Diagnostic[] } {
  const files = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    try {
      if (!statSync(absolute).isDirectory()) {
        files.add(absolute);
        continue;
      }
      const found: string[] = [];
      findSkillFiles(absolute, found);
      if (found.length === 0) diagnostics.push(makeDiagnostic('SDL9002', given, AT_START, `no \`*${SKILL_FILE_SUFFIX}\` files found in directory \`${given}\``, 'skill files must be named `<name>.skill.yaml`'));
      for (const f of found) files.add(f);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
      diagnostics.push(makeDiagnostic('SDL9001', given, AT_START, `cannot read \`${given}\`: ${reason}`, code === 'ENOENT' ? 'check the path; directories are searched for `*.skill.yaml`' : undefined));
    }
  }
  return { files: [...files].sort(), diagnostics };
}
