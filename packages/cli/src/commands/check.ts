import { parseArgs } from 'node:util';
import { checkFiles } from '@sdl/compiler';
import { type Command, UsageError } from '../io.js';
import { exitCodeFor, reportFormat, writeReport } from '../report/options.js';

const usage = `Usage: skillc check <files|dirs...> [--format human|json]

Check skill files and report every problem with its file, line and column.
Directories are searched recursively for *.skill.yaml.

Options:
  --format <human|json>  human (default): compiler-style report; json: { "diagnostics": [...] }
  --json                 same as --format json
  -h, --help             show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error.
`;

/** `skillc check`: runs the front end on files and directories and reports diagnostics. */
export const command: Command = {
  name: 'check',
  summary: 'Check skill files and report diagnostics',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { format: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const format = reportFormat(values.format, values.json);
    if (positionals.length === 0) throw new UsageError('give at least one skill file or directory');
    const result = await checkFiles(positionals, { cwd: io.cwd });
    writeReport(io, result, format);
    return exitCodeFor(result);
  },
};
