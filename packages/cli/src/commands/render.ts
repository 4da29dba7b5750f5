import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkTemplate, compileTemplate, EvalError, identityOffsetMap, parseTemplate, render, SourceFile, toDiagnostics,
  type ExprDiagnostic,
} from '@sdl/compiler';
import { type Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';
import { reportFormat } from '../report/options.js';
import { parseVars, scopeOf, writeExprDiagnostics } from './eval.js';

const usage = `Usage: skillc render <template file> [--vars '<json object>'] [--format human|json]

Render an SDL template file ({{ expr }}, {{#if}}, {{#each}}, {{! comments }}) and print the text.
The template is parsed (all syntax errors reported at once), type-checked against the variables
and rendered in the sandbox.

Options:
  --vars <json>          variables, as a JSON object: '{"inputs": {"name": "Ann"}}'
  --format <human|json>  how diagnostics are printed on stderr
  --json                 same as --format json
  -h, --help             show this help

Exit codes: 0 printed the text, 1 parse, type or evaluation error, 2 usage or I/O error.
`;

/** `skillc render`: parse, check and render one template file. */
export const command: Command = {
  name: 'render',
  summary: 'Render an SDL template',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { vars: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const format = reportFormat(values.format, values.json);
    if (positionals.length !== 1) throw new UsageError('give exactly one template file');
    const path = resolve(io.cwd, positionals[0]!);
    const display = relative(io.cwd, path) || positionals[0]!;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      io.stderr.write(`skillc render: cannot read ${display}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return EXIT_USAGE;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const source = new SourceFile(display, text);
    const fail = (diagnostics: ExprDiagnostic[]) => {
      writeExprDiagnostics(io, toDiagnostics(diagnostics, identityOffsetMap, source), source, format);
      return EXIT_INPUT_ERRORS;
    };
    const vars = parseVars(values.vars, io);
    if (vars === undefined) return EXIT_INPUT_ERRORS;
    const parsed = parseTemplate(text);
    if (parsed.diagnostics.length > 0) return fail(parsed.diagnostics);
    const checked = checkTemplate(parsed.ast, scopeOf(vars));
    if (checked.diagnostics.length > 0) return fail(checked.diagnostics);
    try {
      io.stdout.write(render(compileTemplate(parsed.ast), vars));
      return EXIT_OK;
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      return fail([e.toDiagnostic()]);
    }
  },
};
