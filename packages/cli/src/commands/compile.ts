import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type BuildResult,
  type BuiltOutput,
  type Diagnostic,
  makeDiagnostic,
  ProjectBuilder,
  sortDiagnostics,
  watchProject,
  readLockfile,
  writeLockfile,
  type Lockfile,
} from '@sdl/compiler';
import { configPath, configuredMcpServers, pinMcpTools } from '../mcp/pins.js';
import { type CliIO, type Command, EXIT_OK, UsageError } from '../io.js';
import { exitCodeFor, reportFormat, type ReportFormat } from '../report/options.js';
import { formatHumanReport, formatJsonReport } from '../report/human.js';

const usage = `Usage: skillc compile <files|dirs...> --out <dir> [--standalone] [--frozen-lockfile] [--verify-ir] [--watch] [--format human|json]

Check skill files, resolve their \`uses:\` dependencies and, when nothing has an error, write
<out>/<name>.skill.json for each skill given: the IR (spec/ir.md) of the skill and its whole
dependency closure. The skills are content-addressed: each is written once, as
<out>/objects/<sha256>.json, and the bundles refer to them by hash (the runtime follows and checks
the references; copy the whole directory). --standalone writes single-file bundles instead, each
holding its skills inline. Nothing is written when any file has an error (no partial output).
sdl.lock at the project root is written or updated unless --frozen-lockfile is given.

Options:
  -o, --out <dir>        output directory (created if missing)
  --standalone           one self-contained file per skill (every skill of its closure inline)
  --frozen-lockfile      fail (exit 1) when sdl.lock is missing or out of date; never write it (for CI)
  --verify-ir            also check every emitted skill and file against schemas/ir.schema.json before
                         writing (a check of the compiler itself; the runtime validates IR when it loads it)
  --root <dir>           the project root (default: nearest directory with sdl.lock or package.json)
  -w, --watch            keep running: recompile what a change affects, print diagnostics as they appear
  --format <human|json>  report format (default human)
  --json                 same as --format json
  -h, --help             show this help

Exit codes: 0 compiled (warnings allowed), 1 errors found, 2 usage or I/O error.
`;

const AT_START = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

interface Options {
  out: string;
  format: ReportFormat;
  frozen: boolean;
  /** Write single-file bundles instead of bundles referring to `objects/`. */
  standalone: boolean;
}

/** `skillc compile`: build, then write every output atomically (temp file + rename), or nothing. */
export const command: Command = {
  name: 'compile',
  summary: 'Compile skill files to IR',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', short: 'o' },
        format: { type: 'string' },
        json: { type: 'boolean' },
        'frozen-lockfile': { type: 'boolean' },
        'verify-ir': { type: 'boolean' },
        standalone: { type: 'boolean' },
        root: { type: 'string' },
        watch: { type: 'boolean', short: 'w' },
      },
      allowPositionals: true,
      strict: true,
    });
    const format = reportFormat(values.format, values.json);
    if (positionals.length === 0) throw new UsageError('give at least one skill file or directory');
    if (!values.out) throw new UsageError('--out <dir> is required');
    const options: Options = { out: values.out, format, frozen: values['frozen-lockfile'] === true, standalone: values.standalone === true };
    const builder = new ProjectBuilder(positionals, {
      cwd: io.cwd,
      frozenLockfile: options.frozen,
      verifyIr: values['verify-ir'] === true,
      watch: values.watch === true,
      ...(values.root !== undefined ? { root: values.root } : {}),
    });
    const first = builder.build();
    const code = await finish(first, options, io, first.outputs);
    if (!values.watch) return code;

    if (!io.signal) throw new UsageError('--watch needs an interactive session (no abort signal to stop it)');
    io.stdout.write('watching for changes (Ctrl-C to stop)\n');
    await watchProject(builder, positionals, first, {
      cwd: io.cwd,
      signal: io.signal,
      onBuild: async (result) => {
        const changed = result.outputs.filter((o) => o.changed);
        const started = `${changed.length} of ${result.outputs.length}`;
        await finish(result, options, io, changed, started);
      },
      onError: (error) => io.stderr.write(`skillc: internal error: ${(error as Error).message}\n`),
    });
    return EXIT_OK;
  },
};

/** Pins the schemas of the MCP tools the compiled skills bind to (spec/mcp.md), when sdl.config.yaml has `mcp:` servers. */
async function pinSchemas(result: BuildResult, before: Lockfile | undefined, io: CliIO): Promise<string | undefined> {
  const servers = await configuredMcpServers(io.cwd, io.env);
  if (Object.keys(servers).length === 0 || result.project === undefined) return undefined;
  const skills = [...result.project.skills.values()].flatMap((skill) => {
    const source = result.sources.get(skill.file);
    return source === undefined ? [] : [{ id: skill.id, source }];
  });
  return pinMcpTools(result.project.root, skills, servers, before);
}

/**
 * Reports a build and, when it has no error, writes `outputs` and the lockfile. `rebuilt` (watch
 * mode) says how many roots were recompiled out of how many.
 */
async function finish(result: BuildResult, options: Options, io: CliIO, outputs: BuiltOutput[], rebuilt?: string): Promise<number> {
  const diagnostics = result.diagnostics;
  let code = exitCodeFor({ diagnostics });
  if (code === EXIT_OK) {
    const written = await writeAll(resolve(io.cwd, options.out), outputs, options.standalone);
    let failure = written.error;
    if (!failure && !options.frozen && result.project) {
      try {
        // The lock as it was matters only for pinning MCP tools, which needs a config: else not read
        // (a cold read and check of a 1,000-skill sdl.lock is ~10 ms; writeLockfile reads it anyway).
        const before = existsSync(configPath(io.cwd)) ? readLockfile(result.project.root).lock : undefined;
        writeLockfile(result.project);
        const note = await pinSchemas(result, before, io);
        if (note !== undefined) io.stderr.write(`skillc compile: note: ${note}\n`);
      } catch (error) {
        failure = `cannot write sdl.lock: ${(error as Error).message}`;
      }
    }
    if (failure) {
      diagnostics.push(makeDiagnostic('SDL9003', options.out, AT_START, `cannot write to \`${options.out}\`: ${failure}`));
      sortDiagnostics(diagnostics);
      code = exitCodeFor({ diagnostics });
    } else if (options.format === 'human') {
      const n = written.count;
      io.stdout.write(rebuilt === undefined
        ? `compiled ${n} skill${n === 1 ? '' : 's'} to ${options.out}\n`
        : `recompiled ${rebuilt} skill${result.outputs.length === 1 ? '' : 's'}${outputs.length > 0 ? `: ${outputs.map((o) => `${o.name}.skill.json`).join(', ')}` : ' (no output changed)'}\n`);
    }
  }
  report(io, diagnostics, result, options.format);
  return code;
}

function report(io: CliIO, diagnostics: Diagnostic[], result: BuildResult, format: ReportFormat): void {
  if (format === 'json') {
    io.stdout.write(formatJsonReport(diagnostics));
    return;
  }
  if (diagnostics.length === 0) return;
  const color = Boolean(io.stderr.isTTY) && io.env.NO_COLOR === undefined;
  io.stderr.write(formatHumanReport(diagnostics, result.fileCount, { sources: result.sources, color }));
}

/**
 * Writes every output to a temp file first, then renames them into place; on failure removes the
 * temps. Content-addressed (the default): the skill objects go first (each once; one already in
 * `objects/` is the same bytes, its name being their hash), so a bundle never refers to a missing
 * one. A bundle already holding the same bytes is only touched (its mtime set, as a rewrite would):
 * creating a temp file and renaming it over the old one costs the file system ~0.5 ms a file, reading
 * and comparing ~0.02 ms. Synchronous: a thousand small files go out twice as fast without a
 * thread-pool round trip per open, write and close, and nothing else runs meanwhile.
 */
async function writeAll(outDir: string, outputs: BuiltOutput[], standalone: boolean): Promise<{ count: number; error?: string }> {
  const temps: { temp: string; target: string }[] = [];
  const stage = (target: string, text: string) => {
    const temp = `${target}.${process.pid}.${temps.length}.tmp`;
    temps.push({ temp, target });
    writeFileSync(temp, text, { flag: 'w' });
  };
  try {
    mkdirSync(outDir, { recursive: true });
    if (!standalone) {
      const objectsDir = join(outDir, 'objects');
      mkdirSync(objectsDir, { recursive: true });
      const seen = new Set<string>();
      for (const { objects } of outputs) {
        for (const { hash, text } of objects) {
          if (seen.has(hash)) continue;
          seen.add(hash);
          const target = join(objectsDir, `${hash.slice('sha256:'.length)}.json`);
          if (!existsSync(target)) stage(target, `${text}\n`);
        }
      }
    }
    const now = new Date();
    for (const { name, text, referencingText } of outputs) {
      const target = join(outDir, `${name}.skill.json`);
      const bytes = standalone ? text : referencingText;
      if (!sameBytes(target, bytes, now)) stage(target, bytes);
    }
  } catch (error) {
    for (const { temp } of temps) rmSync(temp, { force: true });
    return { count: 0, error: reasonOf(error) };
  }
  for (const { temp, target } of temps) renameSync(temp, target);
  return { count: outputs.length };
}

/** Whether `target` already holds `text`; if so, its times are set to `now`. Any failure: false (rewrite it). */
function sameBytes(target: string, text: string, now: Date): boolean {
  try {
    if (readFileSync(target, 'utf8') !== text) return false;
    utimesSync(target, now, now);
    return true;
  } catch {
    return false;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way of the output directory';
  if (code === 'ENOSPC') return 'no space left on the device';
  return (error as Error).message ?? String(error);
}
