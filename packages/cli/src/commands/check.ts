import { parseArgs } from 'node:util';
import { ProjectBuilder, sortDiagnostics } from '@sdl/compiler';
import { configuredEngineNames, unknownEngineDiagnostics } from '../run/config-engines.js';
import { configuredMcpServers, mcpDriftDiagnostics } from '../mcp/pins.js';
import { type Command, UsageError } from '../io.js';
import { formatHumanReport, formatJsonReport } from '../report/human.js';
import { exitCodeFor, reportFormat } from '../report/options.js';

const usage = `Usage: skillc check <files|dirs...> [--format human|json]

Check skill files and report every problem with its file, line and column.
Directories are searched recursively for *.skill.yaml. \`uses:\` dependencies are resolved and
checked exactly as \`skillc compile\` does (missing skills, cycles, version ranges, \`with:\`
arguments), with the same codes and positions; nothing is written. With a sdl.config.yaml in the
working directory (or --config), engines the skills name that it does not define are warned about
(SDL3050, with a did-you-mean), and when it has \`mcp:\` servers, MCP tools whose schema changed
since sdl.lock pinned it are warned about (SDL3051; only servers that can be reached are asked).

Options:
  --root <dir>           the project root (default: found from the first skill)
  --config <file>        the host config whose engines the skills must name (default: ./sdl.config.yaml if present)
  --format <human|json>  human (default): compiler-style report; json: { "diagnostics": [...] }
  --json                 same as --format json
  -h, --help             show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error.
`;

/** `skillc check`: builds the given skills and their `uses:` closure as `compile` does, and reports diagnostics. */
export const command: Command = {
  name: 'check',
  summary: 'Check skill files and report diagnostics',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { format: { type: 'string' }, json: { type: 'boolean' }, root: { type: 'string' }, config: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const format = reportFormat(values.format, values.json);
    if (positionals.length === 0) throw new UsageError('give at least one skill file or directory');
    // The compiler's own build, without output (no IR emitted: it adds no diagnostic): check and compile cannot disagree.
    const result = new ProjectBuilder(positionals, { cwd: io.cwd, emit: false, ...(values.root !== undefined ? { root: values.root } : {}) }).build();
    const engines = configuredEngineNames(io.cwd, values.config);
    if (values.config !== undefined && engines === undefined) throw new UsageError(`--config ${values.config} does not exist or is not a valid config`);
    if (engines !== undefined) {
      result.diagnostics.push(...unknownEngineDiagnostics(result.sources.values(), engines, values.config ?? 'sdl.config.yaml'));
    }
    // SDL3051: MCP tool schemas that changed since sdl.lock pinned them (reachable servers only).
    const servers = engines === undefined ? {} : await configuredMcpServers(io.cwd, io.env, values.config);
    if (Object.keys(servers).length > 0 && result.project !== undefined) {
      const skills = [...result.project.skills.values()].flatMap((skill) => {
        const source = result.sources.get(skill.file);
        return source === undefined ? [] : [{ id: skill.id, source }];
      });
      result.diagnostics.push(...(await mcpDriftDiagnostics(result.project.root, skills, servers)));
    }
    sortDiagnostics(result.diagnostics);
    if (format === 'json') io.stdout.write(formatJsonReport(result.diagnostics));
    else {
      const color = Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
      io.stdout.write(formatHumanReport(result.diagnostics, result.fileCount, { sources: result.sources, color }));
    }
    return exitCodeFor({ diagnostics: result.diagnostics });
  },
};
