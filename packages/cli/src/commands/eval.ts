import { parseArgs } from 'node:util';
import {
  checkExpression, compileExpression, EvalError, evaluateJsonText, fromJson, identityOffsetMap, JsonInputError, parseExpression,
  SourceFile, toDiagnostics, typeOfValue, type Diagnostic, type ExprDiagnostic, type ExprType, type Value,
} from '@sdl/compiler';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, UsageError } from '../io.js';
import { formatDiagnostic, formatJsonReport } from '../report/human.js';
import { type ReportFormat, reportFormat } from '../report/options.js';

const usage = `Usage: skillc eval '<expression>' [--vars '<json object>'] [--format human|json]

Evaluate an SDL expression (CEL) and print its value as JSON on stdout.
The expression is parsed, type-checked against the variables and evaluated in the sandbox.

Options:
  --vars <json>          variables, as a JSON object: '{"inputs": {"text": "hi"}}'
                         (integral numbers are int, others double)
  --format <human|json>  how diagnostics are printed on stderr
  --json                 same as --format json
  -h, --help             show this help

Output: int, uint and double as JSON numbers (exact digits), bytes as base64 strings, maps as objects.
Exit codes: 0 printed the value, 1 parse, type or evaluation error, 2 usage error.
`;

/** `skillc eval`: parse, check and evaluate one expression. */
export const command: Command = {
  name: 'eval',
  summary: 'Evaluate an SDL expression',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { vars: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const format = reportFormat(values.format, values.json);
    if (positionals.length !== 1) throw new UsageError('give exactly one expression (quote it for the shell)');
    const text = positionals[0]!;
    const source = new SourceFile('<expression>', text);
    const fail = (diagnostics: ExprDiagnostic[]) => {
      writeExprDiagnostics(io, toDiagnostics(diagnostics, identityOffsetMap, source), source, format);
      return EXIT_INPUT_ERRORS;
    };
    const vars = parseVars(values.vars, io);
    if (vars === undefined) return EXIT_INPUT_ERRORS;
    const parsed = parseExpression(text);
    if (!parsed.ast) return fail(parsed.diagnostics);
    const checked = checkExpression(parsed.ast, scopeOf(vars));
    if (checked.diagnostics.length > 0) return fail(checked.diagnostics);
    try {
      io.stdout.write(`${evaluateJsonText(compileExpression(parsed.ast), vars)}\n`);
      return EXIT_OK;
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      return fail([e.toDiagnostic()]);
    }
  },
};

// Shared with `skillc render`.

/** Parses `--vars` (a JSON object) into sandbox values; undefined after reporting a too-large value. */
export function parseVars(text: string | undefined, io: CliIO): Record<string, Value> | undefined {
  if (text === undefined) return Object.create(null) as Record<string, Value>;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--vars is not valid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new UsageError('--vars must be a JSON object of variables, like \'{"inputs": {"text": "hi"}}\'');
  const vars = Object.create(null) as Record<string, Value>;
  try {
    for (const key of Object.keys(json)) vars[key] = fromJson((json as Record<string, unknown>)[key], undefined, undefined, key);
  } catch (e) {
    if (!(e instanceof JsonInputError)) throw e;
    io.stderr.write(`--vars: error ${e.code}: ${e.message}\n`);
    return undefined;
  }
  return vars;
}

/** The checker scope of concrete variables: their types from their values. */
export function scopeOf(vars: Record<string, Value>): Map<string, ExprType> {
  return new Map(Object.keys(vars).map((k) => [k, typeOfValue(vars[k])]));
}

export function writeExprDiagnostics(io: CliIO, diagnostics: Diagnostic[], source: SourceFile, format: ReportFormat): void {
  if (format === 'json') {
    io.stderr.write(formatJsonReport(diagnostics));
    return;
  }
  const color = Boolean(io.stderr.isTTY) && io.env.NO_COLOR === undefined;
  const sources = new Map([[source.path, source]]);
  for (const d of diagnostics) io.stderr.write(formatDiagnostic(d, { sources, color }));
}
