import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkBytes, checkFiles, compileExpression, DIAGNOSTIC_CODES, type Diagnostic, EvalError, evaluate, ExprCode, fromJson, identityOffsetMap, parseExpression,
  resolveProject, SourceFile, toDiagnostics,
} from '@sdl/compiler';
import { CASES } from './frontend/code-cases.js';
import { replaceLine, withLines } from './frontend/helpers.js';

// One row per diagnostic code in spec/diagnostics.md: an input and the exact range (start AND end,
// line:column) of the diagnostic it must give. SDL1xxx-SDL3xxx rows are the front end's table
// (frontend/code-cases.ts, also run by codes.test.ts); the rest are here. The first test fails when
// a documented or registered code has no row.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SPEC = readFileSync(path.join(ROOT, 'spec/diagnostics.md'), 'utf8');
const SPEC_CODES = [...SPEC.matchAll(/^### (SDL\d{4})\b/gm)].map((m) => m[1]!);
const REGISTRY = [...Object.keys(DIAGNOSTIC_CODES), ...Object.values(ExprCode)];
const FIXTURES = fileURLToPath(new URL('./deps/fixtures/', import.meta.url));

type Span = [number, number, number, number];
interface Row {
  code: string;
  why: string;
  diagnostics: () => Diagnostic[] | Promise<Diagnostic[]>;
  /** The checked text, when it is not a file on disk (to check what the range covers). */
  source?: string;
  /** Picks one of several diagnostics with the code (a fixture with two of them). */
  pick?: (d: Diagnostic) => boolean;
  /** The file the diagnostic must name (its base name), when not the checked skill itself. */
  file?: string;
  range: Span;
  /** The text the range covers on its line, as a second check on the columns. */
  covers?: string;
}

const enc = (s: string) => new TextEncoder().encode(s);
const skill = (text: string) => ({ diagnostics: () => checkBytes(enc(text), 'demo.skill.yaml').diagnostics, source: text });
const template = (tpl: string) => skill(replaceLine(8, `      user: '${tpl}'`));
const typed = (tpl: string) =>
  skill(replaceLine(8, `      user: '${tpl}'`, withLines('inputs:', '  type: object', '  properties:', '    question: { type: string }', '    tags: { type: array, items: { type: string } }', '    count: { type: integer }')));
const SEARCH = ['tools:', '  search:', '    description: Search.', '    parameters: { type: object, required: [query], properties: { query: { type: string } } }'];
const toolStep = (withLine: string) => skill(replaceLine(6, '  - id: look', withLines(...SEARCH).replace('    prompt:\n      user: "{{ inputs.question }}"', `    tool: search\n${withLine}`)));

/** `skillc eval`'s path: parse, compile and evaluate one expression; an evaluation error as a diagnostic on the expression. */
function evaluation(text: string, vars: Record<string, unknown> = {}) {
  return { source: text, diagnostics: () => {
    const parsed = parseExpression(text);
    if (!parsed.ast) return toDiagnostics(parsed.diagnostics, identityOffsetMap, new SourceFile('<expression>', text));
    try {
      evaluate(compileExpression(parsed.ast), Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, fromJson(v)])));
      return [];
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      return toDiagnostics([error.toDiagnostic()], identityOffsetMap, new SourceFile('<expression>', text));
    }
  } };
}

const project = (entry: string) => () => resolveProject([path.join(FIXTURES, entry)]).diagnostics;
const LIST = Array.from({ length: 60_000 }, (_, i) => i);

const ROWS: Row[] = [
  // SDL40xx: expression and template syntax, at the offending token inside the skill file.
  { code: 'SDL4001', why: 'a stray character', ...template('{{ inputs.question # 2 }}'), range: [8, 33, 8, 34], covers: '#' },
  { code: 'SDL4002', why: 'nothing after a dot', ...template('{{ inputs.question. }}'), range: [8, 34, 8, 34] },
  { code: 'SDL4003', why: '120 nested parentheses', ...template(`{{ ${'('.repeat(120)}1${')'.repeat(120)} }}`), range: [8, 117, 8, 118], covers: '(' },
  { code: 'SDL4004', why: 'an int literal past int64', ...template('{{ 9223372036854775808 }}'), range: [8, 17, 8, 36], covers: '9223372036854775808' },
  { code: 'SDL4005', why: 'a reserved word', ...template('{{ while + 1 }}'), range: [8, 17, 8, 22], covers: 'while' },
  { code: 'SDL4006', why: 'has() without a field', ...template('{{ has(inputs) }}'), range: [8, 17, 8, 28], covers: 'has(inputs)' },
  { code: 'SDL4010', why: 'an unclosed tag', ...template('Hello {{ inputs.question'), range: [8, 20, 8, 22], covers: '{{' },
  { code: 'SDL4011', why: 'a closing block with no opening', ...template('{{/if}}'), range: [8, 14, 8, 21], covers: '{{/if}}' },
  { code: 'SDL4012', why: 'an unclosed block', ...template('{{#if true}}Be brief.'), range: [8, 14, 8, 19], covers: '{{#if' },
  { code: 'SDL4013', why: '{{#each}} without as', ...template('{{#each inputs.question}}x{{/each}}'), range: [8, 14, 8, 39], covers: '{{#each inputs.question}}' },
  // SDL41xx: types and names.
  { code: 'SDL4101', why: 'an unknown variable', ...template('{{ input.question }}'), range: [8, 17, 8, 22], covers: 'input' },
  { code: 'SDL4102', why: 'an undeclared field', ...typed('{{ inputs.questio }}'), range: [8, 24, 8, 31], covers: 'questio' },
  { code: 'SDL4103', why: 'int + string', ...typed('{{ inputs.count + "a" }}'), range: [8, 30, 8, 31], covers: '+' },
  { code: 'SDL4104', why: 'a misspelled method', ...template('{{ inputs.question.startWith("a") }}'), range: [8, 33, 8, 42], covers: 'startWith' },
  { code: 'SDL4105', why: 'a list as an #if condition', ...typed('{{#if inputs.tags}}x{{/if}}'), range: [8, 20, 8, 31], covers: 'inputs.tags' },
  { code: 'SDL4106', why: 'an unclosed regex group', ...template('{{ "a".matches("(a") }}'), range: [8, 29, 8, 33], covers: '"(a"' },
  { code: 'SDL4107', why: 'a misspelled step', ...template('{{ steps.answr.output }}'), range: [8, 23, 8, 28], covers: 'answr' },
  { code: 'SDL4108', why: 'a step reading its own output', ...template('{{ steps.answer.output }}'), range: [8, 23, 8, 29], covers: 'answer' },
  { code: 'SDL4109', why: 'an argument the tool does not declare', ...toolStep('    with: { query: inputs.question, qery: inputs.question }'), range: [8, 37, 8, 41], covers: 'qery' },
  { code: 'SDL4110', why: 'a required argument not given', ...toolStep('    with: { query_text: x }'), range: [8, 5, 8, 9], covers: 'with' },
  // SDL42xx: evaluation errors, on the expression as `skillc eval` shows them (file `<expression>`).
  { code: 'SDL4201', why: 'a missing map key', ...evaluation('m.nick', { m: { name: 'a' } }), file: '<expression>', range: [1, 3, 1, 7] },
  { code: 'SDL4202', why: 'int64 overflow', ...evaluation('9223372036854775807 + 1'), file: '<expression>', range: [1, 21, 1, 22] },
  { code: 'SDL4203', why: 'division by zero', ...evaluation('10 / (x - x)', { x: 3 }), file: '<expression>', range: [1, 4, 1, 5] },
  { code: 'SDL4204', why: 'int + dyn(string)', ...evaluation('1 + dyn(x)', { x: 'a' }), file: '<expression>', range: [1, 3, 1, 4] },
  { code: 'SDL4205', why: 'int("abc")', ...evaluation('int(x)', { x: 'abc' }), file: '<expression>', range: [1, 1, 1, 7] },
  { code: 'SDL4210', why: 'a list over 100,000 elements', ...evaluation('x + x', { x: LIST }), file: '<expression>', range: [1, 3, 1, 4] },
  // SDL5xxx: dependencies, at the `uses:` entry's value or key (fixtures in deps/fixtures).
  { code: 'SDL5001', why: 'a missing file', diagnostics: project('errors/app.skill.yaml'), file: 'app.skill.yaml', range: [6, 21, 6, 40], covers: './chunkk.skill.yaml' },
  { code: 'SDL5002', why: 'an npm package not installed', diagnostics: project('errors/app.skill.yaml'), file: 'app.skill.yaml', range: [12, 19, 12, 42], covers: 'not-installed/summarize' },
  { code: 'SDL5004', why: 'a path out of the project', diagnostics: project('errors/app.skill.yaml'), pick: (d) => d.range.start.line === 10, file: 'app.skill.yaml', range: [10, 20, 10, 53], covers: '../../../../etc/passwd.skill.yaml' },
  { code: 'SDL5005', why: 'an invalid semver range', diagnostics: project('errors/app.skill.yaml'), file: 'app.skill.yaml', range: [8, 50, 8, 63], covers: '"not a range"' },
  { code: 'SDL5006', why: 'a range the dependency does not satisfy', diagnostics: project('errors/app.skill.yaml'), file: 'app.skill.yaml', range: [7, 46, 7, 54], covers: '"^2.0.0"' },
  { code: 'SDL5007', why: 'two incompatible ranges for one skill', diagnostics: project('conflict/app.skill.yaml'), file: 'x.skill.yaml', range: [6, 46, 6, 54], covers: '"^1.0.0"' },
  { code: 'SDL5008', why: 'a dependency cycle', diagnostics: project('cycle/a.skill.yaml'), file: 'c.skill.yaml', range: [6, 3, 6, 12], covers: 'back_to_a' },
  { code: 'SDL5009', why: 'a dependency without a version', diagnostics: project('errors/app.skill.yaml'), file: 'app.skill.yaml', range: [13, 23, 13, 47], covers: './unversioned.skill.yaml' },
  { code: 'SDL5012', why: 'a bare file name', diagnostics: project('errors/app.skill.yaml'), file: 'app.skill.yaml', range: [9, 18, 9, 34], covers: 'chunk.skill.yaml' },
  // SDL9xxx: paths the CLI cannot use; there is no source, so the range is the empty one at 1:1.
  { code: 'SDL9001', why: 'a missing file', diagnostics: async () => (await checkFiles(['nope.skill.yaml'], { cwd: ROOT })).diagnostics, file: 'nope.skill.yaml', range: [1, 1, 1, 1] },
  { code: 'SDL9002', why: 'a directory without skills', diagnostics: async () => (await checkFiles(['spec'], { cwd: ROOT })).diagnostics, file: 'spec', range: [1, 1, 1, 1] },
];

// Codes that have no exact-range row yet, each with why; the test below keeps this list honest
// (a code here must not also have a row, and every code must be in one of the two).
const WITHOUT_ROW: Record<string, string> = {
  SDL2099: 'fallback for schema keywords without a message; reached only through mapSchemaErrors (codes.test.ts checks its range)',
  SDL3021: 'cross-file (two skills with one name): checked by the builder tests',
  SDL3050: "needs the host's sdl.config.yaml: its exact ranges are in packages/cli/test/config-engines.test.ts",
  SDL3051: 'needs an MCP server and sdl.lock pins: its exact ranges are in packages/cli/test/mcp-pins.test.ts',
  SDL5003: 'needs an installed npm package that is not a skill',
  SDL5010: 'needs an unreadable dependency (resolve.test.ts checks the start)',
  SDL5011: 'needs a package without a skill file (resolve.test.ts checks the start)',
  SDL5101: 'lockfile: file-level at sdl.lock:1:1 (lockfile.test.ts)',
  SDL5102: 'lockfile drift (lockfile.test.ts checks the start)',
  SDL5103: 'lockfile hash drift (lockfile.test.ts checks the start)',
  SDL5104: 'malformed lockfile (lockfile.test.ts checks the file)',
  SDL6001: 'IR loading errors are thrown by @sdl/runtime with the file name, not a range in the JSON',
  SDL6002: 'IR loading: file-level',
  SDL6003: 'IR loading: file-level',
  SDL6004: 'IR loading: file-level',
  SDL6005: 'IR loading: file-level',
  SDL6006: 'IR loading: names the skill file line:col of the expression (ir-loader.test.ts)',
  SDL9003: 'an unwritable output directory (compile.test.ts)',
};

const rowCodes = [...CASES.map((c) => c.code), ...ROWS.map((r) => r.code)];

describe('an exact range for every diagnostic code', () => {
  it('has a row (or a stated reason) for every code in spec/diagnostics.md and in the registry', () => {
    const covered = new Set([...rowCodes, ...Object.keys(WITHOUT_ROW)]);
    expect(SPEC_CODES.filter((c) => !covered.has(c))).toEqual([]);
    expect(REGISTRY.filter((c) => !covered.has(c))).toEqual([]);
    expect(Object.keys(WITHOUT_ROW).filter((c) => rowCodes.includes(c))).toEqual([]);
    expect([...new Set(rowCodes)].filter((c) => !SPEC_CODES.includes(c) || !REGISTRY.includes(c))).toEqual([]);
    expect(new Set(SPEC_CODES)).toEqual(new Set(REGISTRY));
  });

  it.each(ROWS)('$code: $why', async ({ code, diagnostics, source, pick, file, range, covers }) => {
    const all = await diagnostics();
    const found = all.filter((d) => d.code === code && (file === undefined || path.basename(d.file) === file) && (!pick || pick(d)));
    expect(found, JSON.stringify(all.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.column}`))).toHaveLength(1);
    const d = found[0]!;
    expect([d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column]).toEqual(range);
    expect(d.severity).toBe(code in DIAGNOSTIC_CODES ? DIAGNOSTIC_CODES[code as keyof typeof DIAGNOSTIC_CODES].severity : 'error');
    if (covers !== undefined) {
      const text = source ?? readFileSync(path.isAbsolute(d.file) ? d.file : path.join(process.cwd(), d.file), 'utf8');
      const line = [...new SourceFile('x', text).lineText(range[0])];
      expect(line.slice(range[1] - 1, range[3] - 1).join('')).toBe(covers);
    }
  });
});
