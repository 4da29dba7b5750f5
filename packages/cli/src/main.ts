import { readFileSync } from 'node:fs';
import { type CliIO, type Command, EXIT_USAGE, UsageError } from './io.js';

/** Every subcommand, loaded lazily so `skillc check` does not pay for the runtime or the SDKs. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  check: { summary: 'Check skill files and report diagnostics', load: () => loadCommand('check') },
  compile: { summary: 'Compile skill files to IR', load: () => loadCommand('compile') },
  graph: { summary: 'Print the dependency graph of skills', load: () => loadCommand('graph') },
  eval: { summary: 'Evaluate an SDL expression', load: () => loadCommand('eval') },
  render: { summary: 'Render an SDL template', load: () => loadCommand('render') },
  test: { summary: "Run skills' tests offline", load: () => loadCommand('test') },
  run: { summary: 'Run a skill on an engine', load: () => loadCommand('run') },
  batch: { summary: 'Run a skill over a JSON Lines file on a queue', load: () => loadCommand('batch') },
  runs: { summary: 'List, show and resume durable runs', load: () => loadCommand('runs') },
  worker: { summary: 'Take batch jobs from the queue and run them', load: () => loadCommand('worker') },
  serve: { summary: 'Serve skills over HTTP (JSON, SSE, OpenAPI, metrics)', load: () => loadCommand('serve') },
  emulate: { summary: 'Start a local provider emulator', load: () => loadCommand('emulate') },
  init: { summary: 'Scaffold a new skill file', load: () => loadCommand('init') },
  fmt: { summary: 'Format skill files canonically', load: () => loadCommand('fmt') },
  trace: { summary: 'View a run trace in the browser (skillc trace view trace.json)', load: () => loadCommand('trace') },
  lsp: { summary: 'Start the language server (stdio)', load: () => loadCommand('lsp') },
  mcp: { summary: 'Serve skills as MCP tools (stdio or Streamable HTTP)', load: () => loadCommand('mcp') },
};

// A template path keeps each command module independent: it is found at run time, so a command
// lands by adding its file under commands/.
function loadCommand(name: string): Promise<{ command: Command }> {
  // @vite-ignore: under vitest the commands are .ts files, which vite's `*.js` glob for a variable import misses.
  return import(/* @vite-ignore */ `./commands/${name}.js`) as Promise<{ command: Command }>;
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'skillc — the SDL (Skill Description Language) compiler and toolbox',
    '',
    'Usage: skillc <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `skillc <command> --help` for the options of one command.',
    'Exit codes: 0 success, 1 errors in your input, 2 usage or I/O error.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`skillc ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`skillc: unknown command \`${name}\`. Run \`skillc --help\` to list the commands.\n`);
    return EXIT_USAGE;
  }
  let command: Command;
  try {
    ({ command } = await entry.load());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      io.stderr.write(`skillc: \`${name}\` is not available in this build.\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`skillc ${name}: ${(err as Error).message}\n\n${command.usage.trimEnd()}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
