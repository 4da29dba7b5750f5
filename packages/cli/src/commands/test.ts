/**
 * `skillc test`: runs the `tests:` of skill files through the real runtime (`createRuntime` +
 * `loadSkillSource`), on the scripted engine by default (replies from each test's `replies:`), or on
 * an engine of `sdl.config.yaml` with `--engine`. Checks every `expect:` assertion and reports like a
 * test runner, ending with the line `N passed, N failed`.
 *
 * Tools a skill declares are host code; tests supply stand-ins in `<name>.tools.mjs` beside the skill
 * (`export default { tool_name: { execute(args) { … } } }`). A tool without one answers with the first
 * entry of its `returns.examples`, or fails the test with a message saying how to add a stand-in.
 */
import { configuredEngineNames, unknownEngineDiagnostics } from '../run/config-engines.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runTraceOf, writeRunTrace } from '../trace/write-trace.js';
import {
  checkFiles,
  replySegmentRange,
  type ReplyPathLevel,
  walkReplyPath,
  hasErrors,
  LinearRegex,
  rangeOfPath,
  type FileResult,
  type ValuePath,
} from '@sdl/compiler';
import {
  createEngines,
  loadConfig,
  ScriptedAdapter,
  type EngineAdapter,
  type JsonSchema,
  type JsonValue,
  type ModelDescriptor,
  type ScriptedReply,
} from '@sdl/adapters';
import {
  CHUNK_TEXT_TOOL,
  classifyBatchError,
  compileValidator,
  createRuntime,
  loadSkillSource,
  runChunkTextTool,
  type EngineBinding,
  type HostTool,
  type LoadedSkill,
  type RunResult,
} from '@sdl/runtime';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';
import { writeReport } from '../report/options.js';

const usage = `Usage: skillc test [files|dirs...] [--engine <name>] [--config <file>] [--format human|json] [--trace <dir>]

Run the tests: of skill files (directories are searched for *.skill.yaml; default: .).
By default every test runs offline on the scripted engine: prompt steps answer with the test's
replies: (by step id, or a dotted path through use: steps such as triage.classify; a list
gives one reply per call, for for_each items and tool loops).
A reply that is a JSON object {"tool_calls": [{"name": "...", "arguments": {...}}]} makes the
model call tools. Host tools come from <name>.tools.mjs beside the skill, or from the first
entry of the tool's returns.examples. The .tools.mjs modules are code and run in this process:
like any test suite, run skillc test only on skills you trust.
expect: checks paths of the result (output..., steps.<id>.output, tool_calls) with equals,
contains, matches, type, schema, length, tool_called or not; expect: { error: <code> } passes
only when the run fails with that error code (see spec/sdl-1.md, tests).

Options:
  --name <test>          run only the test(s) with this name (repeatable)
  --engine <name>        run on this engine of the config instead (replies: are ignored)
  --config <file>        the engine configuration (default: sdl.config.yaml)
  --format <human|json>  human (default): one line per test; json: { "results": [...], ... }
  --json                 same as --format json
  --trace <dir>          write each test's run trace to <dir>/<skill>/<n>-<test>.trace.json (a
                         failing test prints the path; open it with \`skillc trace view <file>\`)
  -h, --help             show this help

Exit codes: 0 every test passed, 1 a test failed or a skill has errors, 2 usage or I/O error.
`;

/** One failed assertion or a run that did not complete. */
interface TestFailure {
  /** The `expect:` path, or undefined when the run itself failed. */
  path?: string;
  message: string;
  line: number;
  column: number;
}

interface TestOutcome {
  file: string;
  skill: string;
  test: string;
  line: number;
  column: number;
  passed: boolean;
  failures: TestFailure[];
  /** The run trace file of this test (`--trace`), relative to the working directory. */
  trace?: string;
}

type TestCase = {
  name: string;
  input: { [key: string]: JsonValue };
  replies?: { [step: string]: string | string[] };
  /** Assertions by path; the key `error` holds an error code instead (the run must fail with it). */
  expect?: { [path: string]: Assertion | string };
};
type ToolCalled = string | { name: string; arguments?: { [key: string]: JsonValue } };
type Assertion = {
  equals?: JsonValue;
  contains?: string;
  matches?: string;
  type?: string;
  not?: Assertion;
  schema?: JsonSchema;
  length?: { min?: number; max?: number };
  tool_called?: ToolCalled;
};
/** One host-tool call of a run, in call order, as the `tool_calls` path shows it. */
type RecordedCall = { name: string; arguments: { [key: string]: JsonValue } };

/** The scripted test engine meets any `requires:`: its replies are whatever the test says. */
const SCRIPTED_DESCRIPTOR: ModelDescriptor = {
  provider: 'scripted',
  id: 'scripted',
  contextWindow: 10_000_000,
  maxOutputTokens: 1_000_000,
  features: ['tools', 'json_schema', 'streaming', 'vision', 'pdf', 'reasoning'],
  pricing: { inputPerMTok: 0, outputPerMTok: 0 },
};

/** `{"tool_calls": [...]}` replies become tool calls; anything else is the reply text. */
function toScriptedReply(reply: string): ScriptedReply {
  const trimmed = reply.trim();
  if (!trimmed.startsWith('{') || !trimmed.includes('"tool_calls"')) return reply;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return reply;
    const keys = Object.keys(parsed);
    const calls = (parsed as { tool_calls?: unknown }).tool_calls;
    if (keys.length !== 1 || !Array.isArray(calls)) return reply;
    return {
      toolCalls: calls.map((c: { name?: unknown; arguments?: unknown }) => ({
        name: String(c.name),
        arguments: (c.arguments ?? {}) as { [key: string]: JsonValue },
      })),
    };
  } catch {
    return reply;
  }
}

function scriptedReplies(replies: TestCase['replies']): Record<string, ScriptedReply | ScriptedReply[]> {
  const out: Record<string, ScriptedReply | ScriptedReply[]> = {};
  for (const [step, reply] of Object.entries(replies ?? {})) {
    out[step] = Array.isArray(reply) ? reply.map(toScriptedReply) : toScriptedReply(reply);
  }
  return out;
}

/** Every skill in the `uses:` tree, the root first, each once. */
function skillTree(root: LoadedSkill): LoadedSkill[] {
  const seen = new Set<LoadedSkill>();
  const visit = (skill: LoadedSkill) => {
    if (seen.has(skill)) return;
    seen.add(skill);
    for (const dep of Object.values(skill.dependencies)) visit(dep.skill);
  };
  visit(root);
  return [...seen];
}

/** Host-tool stand-ins from `<name>.tools.mjs` beside each skill file of the tree. */
async function loadToolDoubles(skills: LoadedSkill[], cwd: string): Promise<Record<string, HostTool>> {
  const tools: Record<string, HostTool> = {};
  for (const skill of skills) {
    // LoadedSkill.file is shown relative to the process directory.
    const file = path.resolve(skill.file);
    const module = file.replace(/\.skill\.yaml$/, '.tools.mjs');
    if (module === file || !existsSync(module)) continue;
    const loaded = (await import(/* @vite-ignore */ pathToFileURL(module).href)) as { default?: unknown; tools?: unknown };
    const exported = (loaded.default ?? loaded.tools) as Record<string, Partial<HostTool>> | undefined;
    if (exported === undefined || typeof exported !== 'object') {
      throw new TestSetupError(`${path.relative(cwd, module)} must \`export default { <tool>: { execute(args) { ... } } }\``);
    }
    for (const [name, tool] of Object.entries(exported)) {
      if (typeof tool?.execute !== 'function') {
        throw new TestSetupError(`${path.relative(cwd, module)}: tool \`${name}\` has no execute(args) function`);
      }
      const declared = skill.tools[name];
      tools[name] = {
        parameters: tool.parameters ?? declared?.parameters ?? { type: 'object' },
        ...(tool.returns ?? declared?.returns ? { returns: (tool.returns ?? declared?.returns)! } : {}),
        execute: tool.execute,
      };
    }
  }
  return tools;
}

/** Declared tools with no stand-in: answer with `returns.examples[0]`, or fail saying how to add one. */
function fallbackTools(skills: LoadedSkill[], have: Record<string, HostTool>): Record<string, HostTool> {
  const tools: Record<string, HostTool> = {};
  for (const skill of skills) {
    for (const [name, declared] of Object.entries(skill.tools)) {
      if (have[name] !== undefined || tools[name] !== undefined) continue;
      const examples = (declared.returns as { examples?: JsonValue[] } | undefined)?.examples;
      const module = path.basename(skill.file).replace(/\.skill\.yaml$/, '.tools.mjs');
      tools[name] = {
        parameters: declared.parameters,
        ...(declared.returns ? { returns: declared.returns } : {}),
        execute: () => {
          if (Array.isArray(examples) && examples.length > 0) return examples[0]!;
          throw new Error(
            `tool \`${name}\` has no test stand-in: add ${module} beside the skill exporting \`${name}: { execute(args) { ... } }\`, or give its \`returns\` an \`examples\` entry`,
          );
        },
      };
    }
  }
  return tools;
}

class TestSetupError extends Error {}

/** Reads a dotted path (`output.summary`, `output.items.0`, `steps.draft.output`) of the run. */
function readPath(root: { [key: string]: JsonValue }, dotted: string): { found: boolean; value?: JsonValue } {
  let current: JsonValue | undefined = root;
  for (const part of dotted.split('.')) {
    if (Array.isArray(current) && /^(0|[1-9][0-9]*)$/.test(part) && Number(part) < current.length) current = current[Number(part)];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, part)) current = current[part];
    else return { found: false };
  }
  return { found: true, value: current! };
}

function jsonType(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as Record<string, JsonValue>)[k]!, (b as Record<string, JsonValue>)[k]!))
  );
}

const show = (value: JsonValue | undefined): string => {
  const text = JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 200 ? `${text.slice(0, 197)}...` : text;
};

/** Bounds the regex work of `matches:` (test files are untrusted too). */
const MATCH_STEPS = 10_000_000;

/** `part` is contained in `whole`: equal, or for objects every key of `part` deeply contained. */
function containsSubset(whole: JsonValue, part: JsonValue): boolean {
  if (part === null || typeof part !== 'object' || Array.isArray(part)) return deepEqual(whole, part);
  if (whole === null || typeof whole !== 'object' || Array.isArray(whole)) return false;
  return Object.entries(part).every(([k, v]) => Object.hasOwn(whole, k) && containsSubset(whole[k]!, v));
}

const isRecordedCall = (v: JsonValue): v is RecordedCall =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.name === 'string' && v.arguments !== null && typeof v.arguments === 'object' && !Array.isArray(v.arguments);

/** What an assertion demands, for the message of a failed `not:`. */
const describeAssertion = (assertion: Assertion): string => {
  const [key, value] = Object.entries(assertion)[0] ?? ['(nothing)', undefined];
  return key === 'not' ? `not ${describeAssertion(value as Assertion)}` : `${key} ${show(value as JsonValue)}`;
};

/**
 * A check applied to a value it cannot judge (`contains` on a number, `tool_called` off `tool_calls`):
 * a failure that `not:` passes on rather than turning into a pass.
 */
class Misuse {
  constructor(readonly message: string) {}
}

/** Returns undefined when the assertion holds, else what went wrong. */
export function checkAssertion(assertion: Assertion, actual: { found: boolean; value?: JsonValue }): string | undefined {
  const problem = evaluateAssertion(assertion, actual);
  return problem instanceof Misuse ? problem.message : problem;
}

function evaluateAssertion(assertion: Assertion, actual: { found: boolean; value?: JsonValue }): string | Misuse | undefined {
  if (assertion.not !== undefined) {
    // A missing value satisfies no check, so `not` of anything holds for it.
    if (!actual.found) return undefined;
    const inner = evaluateAssertion(assertion.not, actual);
    if (inner instanceof Misuse) return inner;
    return inner === undefined ? `expected the value not to satisfy \`${describeAssertion(assertion.not)}\`\n  received ${show(actual.value)}` : undefined;
  }
  if (!actual.found) return 'no such value in the result';
  const value = actual.value!;
  if ('equals' in assertion) {
    const expected = assertion.equals as JsonValue;
    return deepEqual(value, expected) ? undefined : `expected ${show(expected)}\n  received ${show(value)}`;
  }
  if (assertion.contains !== undefined) {
    const needle = assertion.contains;
    if (typeof value === 'string') return value.includes(needle) ? undefined : `expected a string containing ${show(needle)}\n  received ${show(value)}`;
    if (Array.isArray(value)) return value.some((v) => deepEqual(v, needle)) ? undefined : `expected a list containing ${show(needle)}\n  received ${show(value)}`;
    return new Misuse(`\`contains\` needs a string or a list, received ${jsonType(value)} ${show(value)}`);
  }
  if (assertion.matches !== undefined) {
    if (typeof value !== 'string') return new Misuse(`\`matches\` needs a string, received ${jsonType(value)} ${show(value)}`);
    let regex: LinearRegex;
    try {
      regex = new LinearRegex(assertion.matches);
    } catch (error) {
      return new Misuse(`\`matches\` pattern is not a valid regular expression: ${(error as Error).message}`);
    }
    return regex.test(value, MATCH_STEPS) ? undefined : `expected a string matching /${assertion.matches}/\n  received ${show(value)}`;
  }
  if (assertion.type !== undefined) {
    const type = jsonType(value);
    const ok = type === assertion.type || (assertion.type === 'number' && type === 'integer');
    return ok ? undefined : `expected type ${assertion.type}, received ${type} ${show(value)}`;
  }
  if (assertion.schema !== undefined) {
    let result;
    try {
      result = compileValidator(assertion.schema).validate(value);
    } catch (error) {
      return new Misuse(`\`schema\` is not a JSON Schema that can be compiled: ${(error as Error).message}`);
    }
    if (result.ok) return undefined;
    const problems = result.problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('; ');
    return `expected a value matching the schema (${problems})\n  received ${show(value)}`;
  }
  if (assertion.length !== undefined) {
    // Strings count characters (code points), not UTF-16 units: `日本` has length 2.
    const size = typeof value === 'string' ? [...value].length : Array.isArray(value) ? value.length : undefined;
    if (size === undefined) return new Misuse(`\`length\` needs a string or a list, received ${jsonType(value)} ${show(value)}`);
    const { min, max } = assertion.length;
    if ((min === undefined || size >= min) && (max === undefined || size <= max)) return undefined;
    const bounds = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
    return `expected a length ${bounds}, received length ${size}: ${show(value)}`;
  }
  if (assertion.tool_called !== undefined) {
    const wanted = typeof assertion.tool_called === 'string' ? { name: assertion.tool_called } : assertion.tool_called;
    if (!Array.isArray(value) || !value.every(isRecordedCall)) return new Misuse(`\`tool_called\` reads the run's calls: put it under the path \`tool_calls\`, received ${jsonType(value)} ${show(value)}`);
    const named = value.filter((c) => c.name === wanted.name);
    const hit = named.some((c) => wanted.arguments === undefined || containsSubset(c.arguments, wanted.arguments));
    if (hit) return undefined;
    const made = value.length === 0 ? 'no tool was called' : `calls made: ${value.map((c) => `${c.name}(${show(c.arguments)})`).join(', ')}`;
    if (named.length === 0) return `expected a call of \`${wanted.name}\`; ${made}`;
    return `expected a call of \`${wanted.name}\` with arguments including ${show(wanted.arguments)}; ${made}`;
  }
  return new Misuse('the assertion has no check (give equals, contains, matches, type, schema, length, tool_called or not)');
}

/** Top-level step outputs of a run, from its `step-end` events (`for_each` items collected in order). */
function collectStepOutputs(events: Array<{ step: string; path: string[]; index?: number; output: JsonValue }>): { [id: string]: JsonValue } {
  const whole: { [id: string]: JsonValue } = {};
  const items: { [id: string]: JsonValue[] } = {};
  for (const e of events) {
    if (e.path.length !== 1) continue;
    if (e.index === undefined) whole[e.step] = e.output;
    else (items[e.step] ??= [])[e.index] = e.output;
  }
  const steps: { [id: string]: JsonValue } = {};
  for (const [id, list] of Object.entries(items)) steps[id] = { output: list };
  for (const [id, output] of Object.entries(whole)) steps[id] = { output };
  return steps;
}

interface EngineChoice {
  /** Builds the engines for one test (a fresh scripted script per test). */
  engines(test: TestCase): Record<string, EngineBinding>;
  name: string;
}

async function chooseEngine(values: { engine?: string; config?: string }, io: CliIO): Promise<EngineChoice | string> {
  if (values.engine === undefined) {
    if (values.config !== undefined) throw new UsageError('--config needs --engine (without it tests run on the scripted engine)');
    return {
      name: 'scripted',
      engines: (test) => ({
        scripted: { adapter: new ScriptedAdapter({ replies: scriptedReplies(test.replies), fallback: 'error' }), model: 'scripted', descriptor: SCRIPTED_DESCRIPTOR },
      }),
    };
  }
  const file = path.resolve(io.cwd, values.config ?? 'sdl.config.yaml');
  const result = await loadConfig(file, { env: io.env });
  if (result.config === undefined) {
    return result.diagnostics.map((d) => `${d.file}:${d.range.start.line}:${d.range.start.column}: ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ''}`).join('\n');
  }
  const config = result.config;
  const engine = config.engines[values.engine];
  if (engine === undefined) {
    throw new UsageError(`engine \`${values.engine}\` is not in ${values.config ?? 'sdl.config.yaml'} (engines: ${Object.keys(config.engines).join(', ')})`);
  }
  const name = values.engine;
  return {
    name,
    engines: (test) => {
      const adapters: Record<string, EngineAdapter> = createEngines(
        { ...config, engines: { [name]: engine } },
        { scripted: { replies: scriptedReplies(test.replies), fallback: 'error' } },
      );
      return { [name]: { adapter: adapters[name]!, model: engine.model, descriptor: engine.descriptor } };
    },
  };
}

/** A loaded skill as a `replies:` key walks through it (steps by id, `use:` aliases to dependencies). */
function replyLevel(skill: LoadedSkill): ReplyPathLevel {
  const steps = new Map<string, Record<string, unknown>>();
  for (const step of skill.steps) {
    if (steps.has(step.id)) continue;
    steps.set(step.id, step.kind === 'prompt' ? { prompt: true } : step.kind === 'use' ? { use: step.use } : { tool: true });
  }
  return { name: skill.name, steps, dependency: (alias) => { const dep = skill.dependencies[alias]; return dep === undefined ? undefined : replyLevel(dep.skill); } };
}

async function runTest(
  file: FileResult,
  skill: LoadedSkill,
  test: TestCase,
  index: number,
  engine: EngineChoice,
  tools: Record<string, HostTool>,
  traces?: { dir: string; cwd: string },
): Promise<TestOutcome> {
  const at = (valuePath: ValuePath, target: 'key' | 'value' = 'value') =>
    rangeOfPath({ source: file.parsed!.source, document: file.parsed!.document }, valuePath, target).start;
  const where = at(['tests', index]);
  const outcome: TestOutcome = { file: file.file, skill: skill.name, test: test.name, line: where.line, column: where.column, passed: false, failures: [] };
  // Dotted `replies:` keys (`triage.classify`) must name a prompt step inside the used skills.
  for (const key of Object.keys(test.replies ?? {})) {
    const problem = walkReplyPath(key, replyLevel(skill));
    if (problem === undefined) continue;
    const { start } = replySegmentRange(file.parsed!, index, key, problem.segment);
    outcome.failures.push({ message: `${problem.message} (${problem.hint})`, line: start.line, column: start.column });
  }
  if (outcome.failures.length > 0) return outcome;
  // Every host-tool call (tool steps and model tool loops alike), for `tool_calls`.
  const calls: RecordedCall[] = [];
  const recording: Record<string, HostTool> = {};
  for (const [name, tool] of Object.entries(tools)) {
    recording[name] = { ...tool, execute: (args, context) => (calls.push({ name, arguments: args }), tool.execute(args, context)) };
  }
  const expectsError = Object.keys(test.expect ?? {}).some((key) => key === 'error' || key.startsWith('error.'));
  // Tests run on the scripted engine whatever the skill prefers; names the config lacks are warned about (SDL3050).
  const runtime = createRuntime({ engines: engine.engines(test), defaultEngine: engine.name, tools: recording, strictEngines: false });
  const ends: Array<{ step: string; path: string[]; index?: number; output: JsonValue }> = [];
  let result: RunResult | undefined;
  let failure: unknown;
  try {
    for await (const event of runtime.stream(skill, test.input, { engine: engine.name, session: `skillc-test:${skill.name}:${index}`, ...(traces ? { trace: true } : {}) })) {
      if (event.type === 'step-end') ends.push(event);
      else if (event.type === 'done') result = event.result;
      else if (event.type === 'error') throw event.error;
    }
  } catch (error) {
    failure = error;
  }
  const runTrace = traces === undefined ? undefined : runTraceOf(result ?? failure);
  if (traces !== undefined && runTrace !== undefined) {
    const file = path.join(traces.dir, slug(skill.name), `${index + 1}-${slug(test.name)}.trace.json`);
    writeRunTrace(file, runTrace);
    outcome.trace = path.relative(traces.cwd, file) || file;
  }
  const root: { [key: string]: JsonValue } = { steps: collectStepOutputs(ends), tool_calls: calls };
  if (failure === undefined) root.output = result?.output ?? null;
  else if (expectsError) {
    const { code, message } = classifyBatchError(failure);
    root.error = { code, message };
  } else {
    outcome.failures.push({ message: `the run failed: ${(failure as Error).message}`, line: where.line, column: where.column });
    return outcome;
  }
  for (const [dotted, assertion] of Object.entries(test.expect ?? {})) {
    const problem =
      dotted === 'error' && typeof assertion === 'string'
        ? expectedError(assertion, root.error)
        : failure === undefined && dotted.startsWith('error.')
          ? 'expected the run to fail, but it succeeded'
          : checkAssertion(assertion as Assertion, readPath(root, dotted));
    if (problem !== undefined) {
      const pos = at(['tests', index, 'expect', dotted], 'key');
      outcome.failures.push({ path: dotted, message: problem, line: pos.line, column: pos.column });
    }
  }
  outcome.passed = outcome.failures.length === 0;
  return outcome;
}

/** A file-name part from a skill or test name: lower case letters, digits and dashes only (never a path). */
function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'test';
}

/** `expect: { error: <code> }`: the run failed, with that code. */
function expectedError(code: string, error: JsonValue | undefined): string | undefined {
  if (error === undefined) return `expected the run to fail with \`${code}\`, but it succeeded`;
  const actual = error as { code: string; message: string };
  return actual.code === code ? undefined : `expected the run to fail with \`${code}\`\n  it failed with \`${actual.code}\`: ${actual.message}`;
}

function formatOutcome(outcome: TestOutcome, color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const title = `${outcome.skill} › ${outcome.test}`;
  if (outcome.passed) return `  ${paint(32, '✓')} ${title}\n`;
  const lines = [`  ${paint(31, '✗')} ${title}`];
  for (const f of outcome.failures) {
    lines.push(`      ${outcome.file}:${f.line}:${f.column}: ${f.path === undefined ? '' : `expect ${f.path}: `}${f.message.split('\n').join('\n      ')}`);
  }
  if (outcome.trace !== undefined) lines.push(`      trace: ${outcome.trace}`);
  return `${lines.join('\n')}\n`;
}

/** `skillc test`: checks the skills, runs their tests, prints one line per test and the totals. */
export const command: Command = {
  name: 'test',
  summary: "Run skills' tests offline",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { engine: { type: 'string' }, config: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' }, name: { type: 'string', multiple: true }, trace: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const format = values.json ? 'json' : (values.format ?? 'human');
    if (format !== 'human' && format !== 'json') throw new UsageError(`--format must be \`human\` or \`json\`, not \`${format}\``);
    if (values.trace === '') throw new UsageError('--trace needs a directory, e.g. --trace traces');
    const traces = values.trace === undefined ? undefined : { dir: path.resolve(io.cwd, values.trace), cwd: io.cwd };
    const engine = await chooseEngine(values, io);
    if (typeof engine === 'string') {
      io.stderr.write(`${engine}\n`);
      return EXIT_USAGE;
    }

    const checked = await checkFiles(positionals.length > 0 ? positionals : ['.'], { cwd: io.cwd });
    if (hasErrors(checked.diagnostics)) {
      if (format === 'json') writeReport(io, checked, 'json');
      else writeReport(io, checked, 'human', 'stderr');
      return checked.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('SDL9')) ? EXIT_USAGE : EXIT_INPUT_ERRORS;
    }

    // Warnings only: the scripted engine runs any skill, but the configured runtime would refuse these.
    const configured = configuredEngineNames(io.cwd, values.config);
    if (configured !== undefined) {
      const sources = checked.files.flatMap((f) => (f.source ? [f.source] : []));
      const warnings = unknownEngineDiagnostics(sources, configured, values.config ?? 'sdl.config.yaml');
      if (warnings.length > 0) writeReport(io, { files: checked.files, diagnostics: warnings }, 'human', 'stderr');
    }

    const outcomes: TestOutcome[] = [];
    const color = format === 'human' && Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
    for (const file of checked.files) {
      const tests = (file.skill?.tests ?? []) as TestCase[];
      // --name: only these tests; indexes stay those of the file (positions in reports).
      const selected = (test: TestCase) => values.name === undefined || values.name.includes(test.name);
      if (!tests.some(selected)) continue;
      if (format === 'human') io.stdout.write(`${file.file}\n`);
      let skill: LoadedSkill;
      let tools: Record<string, HostTool>;
      try {
        skill = await loadSkillSource(file.path);
        const tree = skillTree(skill);
        const doubles = await loadToolDoubles(tree, io.cwd);
        tools = { sdl_chunk_text: { parameters: CHUNK_TEXT_TOOL.parameters, execute: (args) => runChunkTextTool(args) }, ...doubles };
        tools = { ...tools, ...fallbackTools(tree, tools) };
      } catch (error) {
        // Every test of the file fails the same way: report each, so the totals stay honest.
        for (const [index, test] of tests.entries()) {
          if (!selected(test)) continue;
          const { line, column } = rangeOfPath({ source: file.parsed!.source, document: file.parsed!.document }, ['tests', index]).start;
          const outcome: TestOutcome = {
            file: file.file, skill: String(file.skill?.name), test: test.name, line, column, passed: false,
            failures: [{ message: `the skill could not be loaded: ${(error as Error).message}`, line, column }],
          };
          outcomes.push(outcome);
          if (format === 'human') io.stdout.write(formatOutcome(outcome, color));
        }
        continue;
      }
      for (const [index, test] of tests.entries()) {
        if (!selected(test)) continue;
        const outcome = await runTest(file, skill, test, index, engine, tools, traces);
        outcomes.push(outcome);
        if (format === 'human') io.stdout.write(formatOutcome(outcome, color));
      }
    }

    const passed = outcomes.filter((o) => o.passed).length;
    const failed = outcomes.length - passed;
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify({ engine: engine.name, passed, failed, results: outcomes }, null, 2)}\n`);
    } else {
      if (outcomes.length === 0) io.stdout.write('no tests found (add `tests:` to a skill)\n');
      io.stdout.write(`\n${passed} passed, ${failed} failed\n`);
    }
    return failed > 0 ? EXIT_INPUT_ERRORS : EXIT_OK;
  },
};
