import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkFiles, type Diagnostic, type FileResult, makeDiagnostic, rangeOfPath, sortDiagnostics } from '@sdl/compiler';
import { type Command, UsageError } from '../io.js';
import { exitCodeFor, reportFormat, writeReport } from '../report/options.js';

const usage = `Usage: skillc compile <files|dirs...> --out <dir> [--format human|json]

Check skill files and, when none has an error, write <out>/<name>.skill.json for each.
Nothing is written when any file has an error (no partial output).

Options:
  -o, --out <dir>        output directory (created if missing)
  --format <human|json>  report format (default human)
  --json                 same as --format json
  -h, --help             show this help

Exit codes: 0 compiled (warnings allowed), 1 errors found, 2 usage or I/O error.
`;

/** Deterministic JSON: object keys sorted, two-space indent, trailing newline. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** What compile writes for one skill until the IR emitter lands: the validated, normalized document. */
function outputOf(file: FileResult): { name: string; text: string } {
  const skill = file.skill!;
  return { name: String(skill.name), text: canonicalJson(skill) };
}

/** Two skills with the same `name` would overwrite each other's output. */
function duplicateNames(files: FileResult[]): Diagnostic[] {
  const seen = new Map<string, FileResult>();
  const out: Diagnostic[] = [];
  for (const f of files) {
    if (!f.skill || !f.parsed) continue;
    const name = String(f.skill.name);
    const first = seen.get(name);
    if (first) out.push(makeDiagnostic('SDL3021', f.file, rangeOfPath(f.parsed, ['name']), `skill name \`${name}\` is also used by \`${first.file}\`; both would compile to \`${name}.skill.json\``, 'give each skill a unique name'));
    else seen.set(name, f);
  }
  return out;
}

/** `skillc compile`: check, then write every output atomically (temp file + rename), or nothing. */
export const command: Command = {
  name: 'compile',
  summary: 'Compile skill files to IR',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { out: { type: 'string', short: 'o' }, format: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const format = reportFormat(values.format, values.json);
    if (positionals.length === 0) throw new UsageError('give at least one skill file or directory');
    if (!values.out) throw new UsageError('--out <dir> is required');
    const result = await checkFiles(positionals, { cwd: io.cwd });
    result.diagnostics = sortDiagnostics([...result.diagnostics, ...duplicateNames(result.files)]);
    let code = exitCodeFor(result);
    if (code === 0) {
      const outDir = resolve(io.cwd, values.out);
      const written = await writeAll(outDir, result.files.map(outputOf));
      if (written.error) {
        result.diagnostics.push(makeDiagnostic('SDL9003', values.out, { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, `cannot write to \`${values.out}\`: ${written.error}`));
        code = exitCodeFor(result);
      } else if (format === 'human') {
        io.stdout.write(`compiled ${written.count} skill${written.count === 1 ? '' : 's'} to ${values.out}\n`);
      }
    }
    if (format === 'json' || result.diagnostics.length > 0) writeReport(io, result, format, format === 'json' ? 'stdout' : 'stderr');
    return code;
  },
};

/** Writes every output to a temp file first, then renames them into place; on failure removes the temps. */
async function writeAll(outDir: string, outputs: { name: string; text: string }[]): Promise<{ count: number; error?: string }> {
  const temps: { temp: string; target: string }[] = [];
  try {
    await mkdir(outDir, { recursive: true });
    for (const { name, text } of outputs) {
      const target = join(outDir, `${name}.skill.json`);
      const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
      temps.push({ temp, target });
      await writeFile(temp, text, { flag: 'wx' });
    }
  } catch (error) {
    await Promise.all(temps.map(({ temp }) => rm(temp, { force: true })));
    return { count: 0, error: reasonOf(error) };
  }
  for (const { temp, target } of temps) await rename(temp, target);
  return { count: temps.length };
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way of the output directory';
  if (code === 'ENOSPC') return 'no space left on the device';
  return (error as Error).message ?? String(error);
}
