
import { type CheckFilesResult, type SourceFile } from '@sdl/compiler';
import { type CliIO, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';
import { formatHumanReport, formatJsonReport } from './human.js';

export type ReportFormat = 'human' | 'json';

/** Parses `--format` (and `--json` as its shorthand), rejecting unknown values. */
export function reportFormat(value: string | undefined, json: boolean | undefined): ReportFormat {
  if (json) return 'json';
  if (value === undefined || value === 'human') return 'human';
  if (value === 'json') return 'json';
  throw new UsageError(`--format must be \`human\` or \`json\`, not \`${value}\``);
}

/** Exit code for a set of diagnostics: 2 when a file could not be read or written (SDL9xxx), 1 on other errors. */
export function exitCodeFor(result: Pick<CheckFilesResult, 'diagnostics'>): number {
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.some((d) => d.code.startsWith('SDL9'))) return EXIT_USAGE;
  return errors.length > 0 ? EXIT_INPUT_ERRORS : EXIT_OK;
}

/** Writes the report of a check in the chosen format. */
export function writeReport(io: CliIO, result: CheckFilesResult, format: ReportFormat, stream: 'stdout' | 'stderr' = 'stdout'): void {
  if (format === 'json') {
    io.stdout.write(formatJsonReport(result.diagnostics));
    return;
  }
  const sources = new Map<string, SourceFile>();
  for (const f of result.files) if (f.source) sources.set(f.file, f.source);
  const out = io[stream];
  const color = Boolean(out.isTTY) && io.env.NO_COLOR === undefined;
  out.write(formatHumanReport(result.diagnostics, result.files.length, { sources, color }));
}

