/**
 * `skillc fmt`: rewrites skill files in the canonical layout (`formatSkill` from the compiler),
 * keeping comments and block scalars. `--check` only lists the files that would change.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkFiles, decodeSkillBytes, formatSkill, type Diagnostic, type SourceFile } from '@sdl/compiler';
import { type Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE } from '../io.js';
import { formatHumanReport } from '../report/human.js';

const usage = `Usage: skillc fmt [--check] [files|dirs...]

Format skill files canonically: top-level keys in the order of the language reference, steps and
tests with their keys in a fixed order, 2-space indentation, strings quoted only when needed,
flow lists as [a, b] and flow mappings as { a: b }. Comments, blank lines inside sections and
block scalars (| and >) are kept. Directories are searched for *.skill.yaml (default: .).

Options:
  --check     write nothing; list the files that would change and exit 1 if there are any
  -h, --help  show this help

Exit codes: 0 formatted (or already canonical), 1 files would change (--check) or have YAML
errors, 2 usage or I/O error.
`;

/** Writes through a temporary file in the same directory and renames it into place. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const { mode } = await stat(file);
    await writeFile(temp, text, { encoding: 'utf8', mode });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** `skillc fmt`: formats files in place, or reports what would change with `--check`. */
export const command: Command = {
  name: 'fmt',
  summary: 'Format skill files canonically',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { check: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const found = await checkFiles(positionals.length > 0 ? positionals : ['.'], { cwd: io.cwd });
    const problems: Diagnostic[] = found.diagnostics.filter((d) => d.code.startsWith('SDL9'));
    const sources = new Map<string, SourceFile>();
    const changed: string[] = [];
    let ioFailed = problems.some((d) => d.severity === 'error');

    for (const file of found.files) {
      let text: string;
      try {
        const read = decodeSkillBytes(await readFile(file.path), file.file);
        if (read.source === undefined) {
          problems.push(...read.diagnostics);
          continue;
        }
        text = read.source.text;
        sources.set(file.file, read.source);
      } catch (error) {
        io.stderr.write(`skillc fmt: cannot read ${file.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
        ioFailed = true;
        continue;
      }
      const result = formatSkill(text, file.file);
      if (result.diagnostics.some((d) => d.severity === 'error')) {
        problems.push(...result.diagnostics);
        continue;
      }
      // Line endings and a byte order mark count as changes too: the canonical file is LF, no BOM.
      const original = await readFile(file.path, 'utf8');
      if (result.text === original) continue;
      changed.push(file.file);
      if (values.check) continue;
      try {
        await writeAtomically(file.path, result.text);
      } catch (error) {
        io.stderr.write(`skillc fmt: cannot write ${file.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
        ioFailed = true;
      }
    }

    if (problems.length > 0) {
      io.stderr.write(formatHumanReport(problems, found.files.length, { sources, color: Boolean(io.stderr.isTTY) && io.env.NO_COLOR === undefined }));
    }
    if (values.check) {
      for (const file of changed) io.stdout.write(`would reformat ${file}\n`);
      io.stdout.write(
        changed.length === 0
          ? `${found.files.length} file${found.files.length === 1 ? '' : 's'} already formatted\n`
          : `${changed.length} of ${found.files.length} file${found.files.length === 1 ? '' : 's'} would be reformatted (run \`skillc fmt\` to fix)\n`,
      );
    } else {
      for (const file of changed) io.stdout.write(`formatted ${file}\n`);
      io.stdout.write(`${changed.length} of ${found.files.length} file${found.files.length === 1 ? '' : 's'} reformatted\n`);
    }
    if (ioFailed) return EXIT_USAGE;
    if (problems.some((d) => d.severity === 'error')) return EXIT_INPUT_ERRORS;
    return values.check && changed.length > 0 ? EXIT_INPUT_ERRORS : EXIT_OK;
  },
};
