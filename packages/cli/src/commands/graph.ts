import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SKILL_FILE_SUFFIX, formatGraph, makeDiagnostic, resolveProject, type Diagnostic, type GraphFormat } from '@sdl/compiler';
import { type CliIO, type Command, EXIT_OK, UsageError } from '../io.js';
import { exitCodeFor } from '../report/options.js';
import { formatHumanReport } from '../report/human.js';

const FORMATS: readonly GraphFormat[] = ['tree', 'dot', 'mermaid'];

const usage = `Usage: skillc graph <files|dirs...> [--format tree|dot|mermaid] [--root <dir>]

Resolve the \`uses:\` dependencies of skills and print the graph.
Directories are searched recursively for *.skill.yaml (node_modules and hidden directories skipped).

Options:
  --format <f>   tree (default, like \`npm ls\`), dot (Graphviz) or mermaid
  --root <dir>   the project root (default: nearest directory with sdl.lock or package.json)
  -h, --help     show this help

Exit codes: 0 printed, 1 resolution errors (reported on stderr, nothing printed), 2 usage or I/O error.
`;

const AT_START = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

/** Every `*.skill.yaml` below `dir`, sorted; skips node_modules, hidden and symlinked directories. */
function findSkillFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...findSkillFiles(full));
    else if (entry.isFile() && entry.name.endsWith(SKILL_FILE_SUFFIX)) found.push(full);
  }
  return found.sort();
}

/** Expands the arguments to skill files; unreadable paths become SDL9xxx diagnostics. */
function expand(positionals: string[], cwd: string): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const given of positionals) {
    const absolute = path.resolve(cwd, given);
    try {
      if (!statSync(absolute).isDirectory()) files.push(absolute);
      else {
        const found = findSkillFiles(absolute);
        if (found.length === 0) {
          diagnostics.push(makeDiagnostic('SDL9002', given, AT_START, `no \`*${SKILL_FILE_SUFFIX}\` files found in directory \`${given}\``, 'skill files must be named `<name>.skill.yaml`'));
        }
        files.push(...found);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
      diagnostics.push(makeDiagnostic('SDL9001', given, AT_START, `cannot read \`${given}\`: ${reason}`, 'check the path'));
    }
  }
  return { files: [...new Set(files)], diagnostics };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { format: { type: 'string', default: 'tree' }, root: { type: 'string' } },
  });
  const format = values.format as GraphFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`unknown --format \`${values.format}\`; use one of ${FORMATS.join(', ')}`);
  }
  if (positionals.length === 0) throw new UsageError('give at least one skill file or directory');
  const { files, diagnostics: ioDiagnostics } = expand(positionals, io.cwd);
  const project = resolveProject(files, { cwd: io.cwd, ...(values.root !== undefined ? { root: values.root } : {}) });
  const diagnostics = [...ioDiagnostics, ...project.diagnostics];
  const exit = exitCodeFor({ diagnostics });
  if (diagnostics.length > 0) {
    const color = Boolean(io.stderr.isTTY) && io.env.NO_COLOR === undefined;
    io.stderr.write(formatHumanReport(diagnostics, project.sources.size, { sources: project.sources, color }));
  }
  if (exit !== EXIT_OK) return exit;
  io.stdout.write(formatGraph(project, format));
  return EXIT_OK;
}

/** `skillc graph`: prints the resolved dependency graph as a tree, DOT or Mermaid. */
export const command: Command = { name: 'graph', summary: 'Print the dependency graph of skills', usage, run };
