import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliIO, main } from '@sdl/cli';
import { irContentHash, irDocumentHash, IrLoadError, loadIrFile } from '@sdl/runtime';
import {
  checkBytes, checkFiles, compileExpression, DIAGNOSTIC_CODES, type Diagnostic, EvalError, evaluate, ExprCode, fromJson, identityOffsetMap, parseExpression,
  checkLockfile, parseSkill, rangeOfPath, readLockfile, resolveProject, SourceFile, toDiagnostics, writeLockfile,
} from '@sdl/compiler';
import { mapSchemaErrors } from '../src/schema/map-errors.js';
import { type IrDocument, reseal } from '../../../test/support/ir-reseal.js';
import { startMcpHttpServer } from '../../../test/support/mcp-http-server.js';
import { makeProject, removeProject, skill as skillFile } from './deps/temp-project.js';
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

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));
/** A throw-away project (removed after the tests) holding `files`. */
const temp = (files: Record<string, string>) => {
  const root = makeProject(files);
  temps.push(root);
  return root;
};
/** Diagnostics with their files made absolute (under `root`), so the check can read what a range covers. */
const under = (root: string, diagnostics: Diagnostic[]) => diagnostics.map((d) => ({ ...d, file: path.resolve(root, d.file) }));
/** The project's resolution diagnostics, from `entry` in `files`. */
const resolved = (files: Record<string, string>, entry = 'app.skill.yaml') => () => {
  const root = temp(files);
  return under(root, resolveProject([entry], { cwd: root }).diagnostics);
};

/** Runs `skillc <argv>` in `root`; its standard output. */
async function skillc(root: string, argv: string[], env: Record<string, string> = {}): Promise<string> {
  let out = '';
  const io: CliIO = { stdout: { write: (s: string) => void (out += s) }, stderr: { write: () => undefined }, cwd: root, env };
  await main(argv, io);
  return out;
}

/** `skillc <argv> --json` in a throw-away project: the diagnostics it reports. */
function cli(files: Record<string, string>, argv: string[]) {
  return async () => {
    const root = temp(files);
    return under(root, (JSON.parse(await skillc(root, [...argv, '--json'])) as { diagnostics: Diagnostic[] }).diagnostics);
  };
}

/** SDL3051: compile pins an MCP tool's schema (the SDK test server over HTTP), the server renames an argument, check warns. */
async function mcpDrift(): Promise<Diagnostic[]> {
  const token = 'ranges-token-0123456789abcdef';
  const server = await startMcpHttpServer(token);
  try {
    const root = temp({
      'package.json': '{}',
      'sdl.config.yaml': `engines:\n  s: { provider: scripted, model: scripted }\nmcp:\n  remote:\n    url: ${server.url}\n    headers: { Authorization: "Bearer \${env:MCP_TOKEN}" }\n    tools: { add_numbers: get-sum }\n`,
      'adder.skill.yaml': MCP_SKILL,
    });
    server.setSumField('a');
    await skillc(root, ['compile', 'adder.skill.yaml', '--out', 'build'], { MCP_TOKEN: token });
    server.setSumField('first');
    return under(root, (JSON.parse(await skillc(root, ['check', 'adder.skill.yaml', '--json'], { MCP_TOKEN: token })) as { diagnostics: Diagnostic[] }).diagnostics);
  } finally {
    await server.close();
  }
}
const MCP_SKILL = ['sdl: "1.0"', 'name: adder', 'version: 1.0.0', 'description: Adds with a tool.', 'tools:', '  add_numbers:', '    description: Adds two numbers.',
  '    parameters: { type: object, required: [a, b], properties: { a: { type: number }, b: { type: number } } }', 'steps:', '  - id: answer', '    prompt: { user: "add" }', '    tools: [add_numbers]', ''].join('\n');

/** The lockfile check of a diamond project after `change` (SDL5101-SDL5104 at their ranges). */
function lockfile(change: (root: string) => void, write = true) {
  return () => {
    const root = temp({
      'package.json': '{}',
      'skills/app.skill.yaml': skillFile('app', '1.0.0', { left: { skill: './left.skill.yaml', version: '^1.0.0' }, right: { skill: './right.skill.yaml' } }),
      'skills/left.skill.yaml': skillFile('left', '1.0.0', { base: { skill: './base.skill.yaml', version: '^2.0.0' } }),
      'skills/right.skill.yaml': skillFile('right', '1.1.0', { base: { skill: './base.skill.yaml' } }),
      'skills/base.skill.yaml': skillFile('base', '2.0.0'),
    });
    const resolve = () => resolveProject(['skills/app.skill.yaml'], { cwd: root });
    if (write) writeLockfile(resolve());
    change(root);
    const read = readLockfile(root, root);
    return under(root, read.lock === undefined && read.diagnostics.length > 0 ? read.diagnostics : checkLockfile(resolve(), read.lock, root));
  };
}

// IR files (SDL6xxx): the compiled spec example of the runtime's tests, edited, written pretty-printed
// (so positions span lines) and loaded with loadIrFile; the error's range is in the JSON file.
const IR_FIXTURE = fileURLToPath(new URL('../../runtime/test/load/fixtures/summarize.skill.json', import.meta.url));
const SUMMARIZE = 'skills/summarize.skill.yaml';
function ir(edit: (doc: IrDocument) => IrDocument | void, text?: (json: string) => string) {
  const doc = JSON.parse(readFileSync(IR_FIXTURE, 'utf8')) as IrDocument;
  const json = JSON.stringify(edit(doc) ?? doc, null, 2);
  const source = text ? text(json) : json;
  return {
    source,
    diagnostics: async (): Promise<Diagnostic[]> => {
      const file = path.join(temp({}), 'summarize.skill.json');
      writeFileSync(file, source);
      try {
        await loadIrFile(file);
      } catch (error) {
        if (!(error instanceof IrLoadError) || error.range === undefined) throw error;
        return [{ code: error.code, severity: 'error', file: error.file, range: error.range, message: error.detail }];
      }
      return [];
    },
  };
}
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
  // SDL5003, SDL5010, SDL5011: resolution in a throw-away project (a package is not a fixture: node_modules is not in git).
  { code: 'SDL5003', why: 'a package that does not list the skill', diagnostics: resolved({ 'package.json': '{}', 'app.skill.yaml': skillFile('app', '1.0.0', { dep: { skill: 'text-tools/sumarize' } }), 'node_modules/text-tools/package.json': JSON.stringify({ name: 'text-tools', version: '1.0.0', sdl: { skills: { summarize: './s.skill.yaml' } } }), 'node_modules/text-tools/s.skill.yaml': skillFile('summarize', '1.0.0') }), file: 'app.skill.yaml', range: [6, 17, 6, 38], covers: '"text-tools/sumarize"' },
  { code: 'SDL5010', why: 'a dependency whose YAML cannot be read', diagnostics: resolved({ 'package.json': '{}', 'app.skill.yaml': skillFile('app', '1.0.0', { dep: { skill: './broken.skill.yaml' } }), 'broken.skill.yaml': 'name: broken\nversion: 1.0.0\ndescription: a: b\n' }), file: 'broken.skill.yaml', range: [3, 14, 3, 15], covers: 'a' },
  { code: 'SDL5011', why: 'a uses entry without skill', diagnostics: resolved({ 'package.json': '{}', 'app.skill.yaml': skillFile('app', '1.0.0').replace('steps:', 'uses:\n  x: { version: "^1.0.0" }\nsteps:') }), file: 'app.skill.yaml', range: [6, 3, 6, 27], covers: 'x: { version: "^1.0.0" }' },
  // SDL51xx: sdl.lock under --frozen-lockfile; file-level problems are at sdl.lock:1:1.
  { code: 'SDL5101', why: 'no lockfile', diagnostics: lockfile(() => undefined, false), file: 'sdl.lock', range: [1, 1, 1, 1] },
  { code: 'SDL5102', why: 'a version bump not in the lock', diagnostics: lockfile((root) => writeFileSync(path.join(root, 'skills/base.skill.yaml'), skillFile('base', '2.1.0'))), file: 'left.skill.yaml', range: [6, 3, 6, 7], covers: 'base' },
  { code: 'SDL5103', why: 'a dependency edited since it was locked', diagnostics: lockfile((root) => writeFileSync(path.join(root, 'skills/base.skill.yaml'), skillFile('base', '2.0.0').replace('The base skill.', 'Edited.'))), file: 'left.skill.yaml', range: [6, 3, 6, 7], covers: 'base' },
  { code: 'SDL5104', why: 'a lockfile that is not JSON', diagnostics: lockfile((root) => writeFileSync(path.join(root, 'sdl.lock'), '{ nope')), file: 'sdl.lock', range: [1, 1, 1, 1] },
  // SDL2099: the schema mapper's fallback (every keyword of the SDL schema has its own code, so no skill file reaches it).
  { code: 'SDL2099', why: 'a schema keyword without a dedicated message', diagnostics: () => {
    const parsed = parseSkill(new SourceFile('demo.skill.yaml', withLines('engines:', '  params: { max_tokens: 10 }')));
    const error = { instancePath: '/engines/params/max_tokens', schemaPath: '#/x/multipleOf', keyword: 'multipleOf', params: { multipleOf: 3 }, message: 'must be multiple of 3' };
    return mapSchemaErrors([error], parsed.value, 'demo.skill.yaml', (p, target) => rangeOfPath(parsed, p, target));
  }, source: withLines('engines:', '  params: { max_tokens: 10 }'), range: [10, 25, 10, 27], covers: '10' },
  // Codes only the CLI reports (they need several files or the host's sdl.config.yaml), through `skillc ... --json`.
  { code: 'SDL3021', why: 'two skills with the same name', diagnostics: cli({ 'a.skill.yaml': skillFile('same', '1.0.0'), 'b.skill.yaml': skillFile('same', '1.0.0') }, ['compile', '.', '--out', 'out']), file: 'b.skill.yaml', range: [2, 7, 2, 11], covers: 'same' },
  { code: 'SDL3050', why: 'an engine the host config does not define', diagnostics: cli({ 'package.json': '{}', 'sdl.config.yaml': 'engines:\n  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "${env:ANTHROPIC_API_KEY}" }\n', 'a.skill.yaml': skillFile('a', '1.0.0').replace('steps:', 'engines:\n  prefer: [claud]\nsteps:') }, ['check', 'a.skill.yaml']), file: 'a.skill.yaml', range: [6, 12, 6, 17], covers: 'claud' },
  { code: 'SDL3051', why: 'an MCP tool whose schema changed since sdl.lock pinned it', diagnostics: mcpDrift, file: 'adder.skill.yaml', range: [6, 3, 6, 14], covers: 'add_numbers' },
  { code: 'SDL9003', why: 'an output directory that cannot be created', diagnostics: cli({ 'a.skill.yaml': skillFile('a', '1.0.0'), blocker: 'a file' }, ['compile', 'a.skill.yaml', '--out', 'blocker/out']), file: 'out', range: [1, 1, 1, 1] },
  // SDL6xxx: IR files, at the offending value in the JSON (a position-tracking scan runs once an error is found).
  { code: 'SDL6001', why: 'an IR file that is not JSON', ...ir(() => undefined, (json) => json.replace('"ir_version": "1.0",', '"ir_version": "1.0",,')), file: 'summarize.skill.json', range: [16, 23, 16, 24], covers: ',' },
  { code: 'SDL6002', why: 'an IR version this runtime does not read', ...ir((doc) => void (doc.ir_version = '9.0')), file: 'summarize.skill.json', range: [16, 17, 16, 22], covers: '"9.0"' },
  { code: 'SDL6003', why: 'an IR document against its schema', ...ir((doc) => void (doc.skills[SUMMARIZE].version = 12)), file: 'summarize.skill.json', range: [887, 18, 887, 20], covers: '12' },
  { code: 'SDL6004', why: 'a skill edited after compilation', ...ir((doc) => void (doc.skills[SUMMARIZE].description = 'edited by hand')), file: 'summarize.skill.json', range: [306, 15, 306, 88], covers: '"sha256:0b88b2e908d10eafc8df286f38b54ad9c319e1f4aed24d382c0c375d13ad077a"' },
  { code: 'SDL6005', why: 'a dependency pin that does not match', ...ir((doc) => {
    const summarize = doc.skills[SUMMARIZE];
    summarize.uses.chunk.hash = `sha256:${'0'.repeat(64)}`;
    summarize.hash = irContentHash(summarize);
    doc.hash = irDocumentHash(doc);
  }), file: 'summarize.skill.json', range: [881, 19, 881, 92], covers: `"sha256:${'0'.repeat(64)}"` },
  { code: 'SDL6006', why: 'an expression AST of an unknown kind', ...ir((doc) => reseal(((doc.skills[SUMMARIZE].steps[1].for_each.over.ast = { kind: 'no-such-node' }), doc))), file: 'summarize.skill.json', range: [648, 22, 650, 16] },
  // SDL9xxx: paths the CLI cannot use; there is no source, so the range is the empty one at 1:1.
  { code: 'SDL9001', why: 'a missing file', diagnostics: async () => (await checkFiles(['nope.skill.yaml'], { cwd: ROOT })).diagnostics, file: 'nope.skill.yaml', range: [1, 1, 1, 1] },
  { code: 'SDL9002', why: 'a directory without skills', diagnostics: async () => (await checkFiles(['spec'], { cwd: ROOT })).diagnostics, file: 'spec', range: [1, 1, 1, 1] },
];

const rowCodes = [...CASES.map((c) => c.code), ...ROWS.map((r) => r.code)];

describe('an exact range for every diagnostic code', () => {
  it('has a row for every code in spec/diagnostics.md and in the registry', () => {
    const covered = new Set(rowCodes);
    expect(SPEC_CODES.filter((c) => !covered.has(c))).toEqual([]);
    expect(REGISTRY.filter((c) => !covered.has(c))).toEqual([]);
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
