import { parseArgs } from 'node:util';
import { formatGraph, hasErrors, resolveProject, type Diagnostic, type GraphFormat } from '@sdl/compiler';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, UsageError } from '../io.js';

const FORMATS: readonly GraphFormat[] = ['tree', 'dot', 'mermaid'];

const usage = `Usage: skillc graph <file.skill.yaml…> [--format tree|dot|mermaid] [--root <dir>]

Resolves the \`uses:\` dependencies of the given skills and prints the graph.

Options:
  --format <f>   tree (default, like \`npm ls\`), dot (Graphviz) or mermaid
  --root <dir>   the project root (default: nearest directory with sdl.lock or package.json)

Exit codes: 0 printed, 1 resolution errors (printed to stderr), 2 usage error.
`;

/** `file:line:col: error SDLxxxx: message` plus an indented hint, the compiler's human format. */
function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.range.start.line}:${d.range.start.column}: ${d.severity} ${d.code}: ${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}\n` : `${head}\n`;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'tree' }, root: { type: 'string' } },
  });
  const format = values.format as GraphFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`unknown --format \`${values.format}\`; use one of ${FORMATS.join(', ')}`);
  }
  if (positionals.length === 0) throw new UsageError('give at least one skill file');
  const project = resolveProject(positionals, { cwd: io.cwd, ...(values.root !== undefined ? { root: values.root } : {}) });
  for (const d of project.diagnostics) io.stderr.write(formatDiagnostic(d));
  if (hasErrors(project.diagnostics)) {
    const n = project.diagnostics.filter((d) => d.severity === 'error').length;
    io.stderr.write(`${n} error${n === 1 ? '' : 's'} in the dependency graph; nothing printed\n`);
    return EXIT_INPUT_ERRORS;
  }
  io.stdout.write(formatGraph(project, format));
  return EXIT_OK;
}

/** `skillc graph`: prints the resolved dependency graph as a tree, DOT or Mermaid. */
export const command: Command = { name: 'graph', summary: 'Print the dependency graph of skills', usage, run };
