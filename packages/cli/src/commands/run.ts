/**
 * `skillc run`: runs one skill on the engines of `sdl.config.yaml` through the runtime's router
 * and default middleware chain. Model text streams to stdout as it arrives; step progress goes to
 * stderr when stdout is a terminal; usage and cost per engine close the run (stderr). With `--json`
 * stdout carries exactly one JSON object and nothing else.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type SdlConfig } from '@sdl/adapters';
import { createRuntime, createStateStore, loadSkillFile, McpServers, type LoadedSkill, type Runtime, type RunEvent, type RunResult, type StateStore } from '@sdl/runtime';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';
import { enginesFromConfig, redisUnreachable, stateStoreFromConfig } from '../run/engines.js';
import { HostToolsError, loadHostTools } from '../run/host-tools.js';
import { readRunInput, RunInputError } from '../run/input.js';
import { createProgress, stepLabel } from '../run/progress.js';
import { describeRunError, formatDiagnostics, runErrorCode } from '../run/report-error.js';
import { createSecretScrubber } from '../run/scrub.js';
import { createTextOutput } from '../run/text-output.js';
import { formatUsageTable, UsageByEngine } from '../run/usage-table.js';
import { runTraceOf, writeRunTrace } from '../trace/write-trace.js';

const usage = `Usage: skillc run <skill.yaml|skill.json> [--input '<json>'|--input @file|--input -] [--config sdl.config.yaml]
                  [--engine name] [--session id] [--timeout ms] [--tools module.mjs] [--trace trace.json] [--json]

Runs a skill on the engines of sdl.config.yaml (engines, keys as "\${env:NAME}", state store).
On a terminal, model text streams to stdout as it arrives and step progress goes to stderr; on a
pipe, stdout gets the result once, at the end. The run ends with tokens and cost per engine (stderr).
Tools the skill declares come from a module \`export default { tool: { execute(args) { ... } } }\`,
looked up in this order: --tools <module>; <name>.tools.mjs beside the file run; for a compiled
skill (e.g. build/x.skill.json), <name>.tools.mjs beside the source file the IR names (relative to
the working directory). The module runs as code in this process.

Options:
  --input <json|@file|->  the input object: inline JSON, @path to a JSON file, or - for standard
                        input (default {}). One object: many inputs (JSON Lines) are refused.
  --tools <module>      the host tools module (see above)
  --config <file>       the engine configuration (default ./sdl.config.yaml)
  --engine <name>       start on this engine (the skill's engines.prefer follow as failover)
  --run-id <id>         make the run durable under <id>: each completed step is recorded in the
                        config's state store (file or redis); after a crash, run it again with the
                        same id (or \`skillc runs resume <id>\`) and the completed steps are not redone
  --session <id>        continue the conversation <id> (skills with memory.conversation: true;
                        use a file or redis state store to remember across invocations)
  --timeout <ms>        give up (and abort in-flight calls) after this many milliseconds
  --trace <file>        write the run trace (every step, model call with its prompt and reply,
                        redacted, retries, engine switches, tool calls, timings, tokens, cost) to
                        <file>, also when the run fails; open it with \`skillc trace view <file>\`
  --json                stdout gets exactly one JSON object, nothing else: {output, usage, cost,
                        engines} on success, {error: {code, message}} on failure (field names in
                        snake_case)

Exit codes: 0 success, 1 the input, skill, config or an engine failed, 2 usage or file errors,
130 cancelled (Ctrl-C).
`;

const CONFIG_EXAMPLE = `engines:
  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}" }
state: { store: file, path: .sdl/state }`;

interface RunFlags {
  skillFile: string;
  input: string | undefined;
  config: string | undefined;
  engine: string | undefined;
  session: string | undefined;
  runId: string | undefined;
  timeoutMs: number | undefined;
  tools: string | undefined;
  trace: string | undefined;
  json: boolean;
}

function parseFlags(argv: string[], cwd: string): RunFlags {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i' },
      config: { type: 'string', short: 'c' },
      engine: { type: 'string', short: 'e' },
      session: { type: 'string', short: 's' },
      'run-id': { type: 'string' },
      timeout: { type: 'string' },
      tools: { type: 'string' },
      trace: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError('name the skill to run: skillc run <skill.yaml|skill.json>');
  if (positionals.length > 1) throw new UsageError(`run takes one skill file, got ${positionals.length}: ${positionals.join(', ')}`);
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!/^\d+$/.test(values.timeout) || timeoutMs < 1) throw new UsageError(`--timeout must be a positive number of milliseconds, not \`${values.timeout}\``);
  }
  if (values.session === '') throw new UsageError('--session needs an id');
  if (values.trace === '') throw new UsageError('--trace needs a file name, e.g. --trace trace.json');
  if (values['run-id'] !== undefined && !/^[\w.-]{1,128}$/.test(values['run-id'])) throw new UsageError(`--run-id may hold letters, digits, _ . and - (at most 128), not \`${values['run-id']}\``);
  return {
    skillFile: path.resolve(cwd, positionals[0]!),
    input: values.input,
    config: values.config,
    engine: values.engine,
    session: values.session,
    runId: values['run-id'],
    timeoutMs,
    tools: values.tools === undefined ? undefined : path.resolve(cwd, values.tools),
    trace: values.trace === undefined ? undefined : path.resolve(cwd, values.trace),
    json: values.json ?? false,
  };
}

/** Why a run failed, for `--json`: a stable code and the message a person reads on stderr. */
interface Failure {
  code?: string;
  message?: string;
}

/** Reads the config: a missing file is a usage problem (exit 2), an invalid one the user's input (exit 1). */
async function readConfig(flags: RunFlags, io: CliIO, color: boolean, failure: Failure): Promise<SdlConfig | number> {
  const file = path.resolve(io.cwd, flags.config ?? 'sdl.config.yaml');
  const shown = path.relative(io.cwd, file) || file;
  if (!existsSync(file)) {
    io.stderr.write(
      flags.config !== undefined
        ? `skillc run: the config file ${shown} does not exist; check --config\n`
        : `skillc run: no sdl.config.yaml in ${io.cwd}; write one naming your engines (see spec/config.md), e.g.\n\n${CONFIG_EXAMPLE}\n\n` +
            `or try a skill offline: start \`skillc emulate\` and point an engine's base_url at the URL it prints, ` +
            `or use \`{ provider: scripted, model: scripted }\`; pass another file with --config\n`,
    );
    failure.code = 'config_missing';
    return EXIT_USAGE;
  }
  const loaded = await loadConfig(file, { env: io.env });
  if (loaded.diagnostics.length > 0) io.stderr.write(`${formatDiagnostics(loaded.diagnostics, { color, cwd: io.cwd })}\n`);
  if (loaded.config === undefined) {
    failure.code = loaded.diagnostics.find((d) => d.severity === 'error')?.code ?? 'config_invalid';
    return EXIT_INPUT_ERRORS;
  }
  return loaded.config;
}

/** The run's JSON summary (`--json`): snake_case like the rest of the wire formats. */
function jsonSummary(result: RunResult): string {
  return `${JSON.stringify({
    output: result.output,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
    cost: result.cost,
    engines: result.engines,
  })}\n`;
}

/** After the streamed text: the output itself when the text did not already show it (structured output, `return:`). */
function finalOutput(result: RunResult, streamed: string): string {
  const output = result.output;
  const separator = streamed !== '' && !streamed.endsWith('\n') ? '\n' : '';
  if (typeof output === 'string') {
    if (streamed.trimEnd().endsWith(output.trimEnd())) return separator;
    return `${separator}${streamed === '' ? '' : '\n'}${output}${output.endsWith('\n') ? '' : '\n'}`;
  }
  return `${separator}${streamed === '' ? '' : '\n'}${JSON.stringify(output, null, 2)}\n`;
}

/** Without colour codes and the `skillc run: ` prefix: the message of a `--json` error object. */
const plainMessage = (text: string): string =>
  text
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/^skillc run: /gm, '')
    .trim();

/**
 * `--json` promises exactly one JSON object on stdout, whatever happens: the summary on success,
 * `{error: {code, message}}` on failure (the message is what stderr says, secrets already scrubbed).
 */
async function run(argv: string[], io: CliIO): Promise<number> {
  if (!argv.includes('--json')) return runSkill(argv, io, {});
  const failure: Failure = {};
  let said = '';
  const captured: CliIO = { ...io, stderr: { write: (s: string) => ((said += s), io.stderr.write(s)), ...(io.stderr.isTTY !== undefined ? { isTTY: io.stderr.isTTY } : {}) } };
  let exit: number;
  try {
    exit = await runSkill(argv, captured, failure);
  } catch (error) {
    const parseError = typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError || parseError) io.stdout.write(`${JSON.stringify({ error: { code: 'usage', message: (error as Error).message } })}\n`);
    throw error;
  }
  if (exit !== EXIT_OK) {
    const code = failure.code ?? (exit === EXIT_USAGE ? 'usage' : 'failed');
    io.stdout.write(`${JSON.stringify({ error: { code, message: plainMessage(failure.message ?? said) } })}\n`);
  }
  return exit;
}

async function runSkill(argv: string[], io: CliIO, failure: Failure): Promise<number> {
  const flags = parseFlags(argv, io.cwd);
  const color = io.stderr.isTTY === true && io.env.NO_COLOR === undefined && !flags.json;
  const shownSkill = path.relative(io.cwd, flags.skillFile) || flags.skillFile;
  if (!existsSync(flags.skillFile) || !statSync(flags.skillFile).isFile()) {
    io.stderr.write(`skillc run: ${shownSkill} ${existsSync(flags.skillFile) ? 'is not a file' : 'does not exist'}\n`);
    failure.code = 'skill_missing';
    return EXIT_USAGE;
  }
  const configured = await readConfig(flags, io, color, failure);
  if (typeof configured === 'number') return configured;
  const config = configured;
  const scrub = createSecretScrubber(config);
  const stdout = (text: string) => io.stdout.write(scrub(text));
  const stderr = (text: string) => io.stderr.write(scrub(text));
  if (flags.engine !== undefined && config.engines[flags.engine] === undefined) {
    throw new UsageError(`--engine \`${flags.engine}\` is not configured in ${path.relative(io.cwd, config.file) || config.file} (engines: ${Object.keys(config.engines).join(', ')})`);
  }

  let input: unknown;
  try {
    input = await readRunInput(flags.input, io.cwd, io.stdin);
  } catch (error) {
    if (!(error instanceof RunInputError)) throw error;
    stderr(`skillc run: ${error.message}\n`);
    failure.code = 'input';
    return error.exitCode;
  }

  const engines = enginesFromConfig(config);
  const report = (error: unknown): number => {
    const described = describeRunError(error, { engineOf: engines.engineOf, color, cwd: io.cwd });
    if (described === undefined) throw error;
    // Files inside the working directory are shown relative to it, as the user named them.
    const text = described.text.split(`${io.cwd}${path.sep}`).join('');
    stderr(text.endsWith('\n') ? text : `${text}\n`);
    failure.code = runErrorCode(error);
    failure.message = scrub(text);
    return described.exitCode;
  };

  let skill: LoadedSkill;
  let tools;
  try {
    skill = await loadSkillFile(flags.skillFile);
    // With MCP servers configured, declared tools may come from them: a missing module is no error.
    tools = await loadHostTools(skill, flags.skillFile, io.cwd, flags.tools, { moduleOptional: Object.keys(config.mcp).length > 0 });
  } catch (error) {
    if (error instanceof HostToolsError) {
      stderr(`skillc run: ${error.message}\n`);
      failure.code = 'tools';
      return EXIT_INPUT_ERRORS;
    }
    return report(error);
  }

  // The configured store matters only when this run reads and writes a conversation.
  const usesSession = (flags.session !== undefined && skill.memory?.conversation === true) || flags.runId !== undefined;
  if (flags.runId !== undefined && config.state.store === 'memory') {
    stderr(`skillc run: --run-id ${flags.runId} needs a state store that outlives the process; set \`state: { store: file }\` (or redis) in ${path.relative(io.cwd, config.file) || config.file}\n`);
    return EXIT_INPUT_ERRORS;
  }
  if (usesSession) {
    const problem = await redisUnreachable(config);
    if (problem !== undefined) {
      stderr(`skillc run: ${problem}; start Redis or fix \`state.url\` in ${path.relative(io.cwd, config.file) || config.file}\n`);
      failure.code = 'state';
      return EXIT_INPUT_ERRORS;
    }
  }

  let state: StateStore | undefined;
  let runtime: Runtime | undefined;
  try {
    state = usesSession ? stateStoreFromConfig(config) : createStateStore({ store: 'memory' });
    runtime = createRuntime({
      router: engines.router,
      describeModel: engines.describeModel,
      defaultEngine: config.defaultEngine,
      state,
      tools,
      mcp: new McpServers(config.mcp, { configFile: path.relative(io.cwd, config.file) || config.file }),
      // An engine the skill names but the config lacks is an error here (the runtime's default), never skipped.
    });
    // Binds the skill's tools to MCP servers (connecting to them) and resolves it, before any output.
    await runtime.prepare(skill);
    if (flags.session !== undefined && skill.memory?.conversation !== true) {
      stderr(`skillc run: note: skill \`${skill.name}\` has no \`memory: { conversation: true }\`; --session ${flags.session} is not remembered\n`);
    } else if (flags.session !== undefined && config.state.store === 'memory') {
      stderr('skillc run: note: the state store is `memory`, so this session ends with the process; set `state: { store: file }` (or redis) in sdl.config.yaml to continue it in a later run\n');
    }
    // Text streams only to a terminal; a pipe (or --json) gets the result once, at the end.
    const streaming = !flags.json && io.stdout.isTTY === true;
    const showProgress = streaming;
    const text = createTextOutput(streaming ? stdout : () => {});
    // On a terminal stdout and stderr share the screen: a progress line must not land mid-sentence.
    const progress = showProgress
      ? createProgress((line) => {
          text.breakLine();
          stderr(line);
        }, color)
      : undefined;
    const byEngine = new UsageByEngine();
    const keyOf = (event: { path: string[]; index?: number }) => stepLabel(event);

    let result: RunResult | undefined;
    let failure: unknown;
    const events = runtime.stream(skill, input, {
      ...(flags.session !== undefined ? { session: flags.session } : {}),
      ...(flags.runId !== undefined ? { durable: { runId: flags.runId } } : {}),
      ...(flags.engine !== undefined ? { engine: flags.engine } : {}),
      ...(io.signal !== undefined ? { signal: io.signal } : {}),
      ...(flags.timeoutMs !== undefined ? { deadlineMs: flags.timeoutMs } : {}),
      ...(flags.trace !== undefined ? { trace: true } : {}),
    });
    for await (const event of events as AsyncIterable<RunEvent>) {
      switch (event.type) {
        case 'text-delta':
          text.delta(keyOf(event), event.text);
          break;
        case 'step-end':
          text.stepEnded(keyOf(event), event.index === undefined);
          break;
        case 'usage':
          byEngine.add(event);
          break;
        case 'done':
          result = event.result;
          break;
        case 'error':
          failure = event.error;
          break;
      }
      // After the text: a step's held text is written before the line saying it ended.
      progress?.(event);
    }
    text.flush();
    const runTrace = runTraceOf(result ?? failure);
    if (flags.trace !== undefined && runTrace !== undefined) {
      writeRunTrace(flags.trace, runTrace, scrub);
      stderr(`skillc run: trace written to ${path.relative(io.cwd, flags.trace) || flags.trace}\n`);
    }
    if (result === undefined) {
      if (streaming && text.written !== '' && !text.written.endsWith('\n')) stdout('\n');
      return report(failure ?? new Error('the run ended without a result'));
    }
    if (flags.json) {
      stdout(jsonSummary(result));
      return EXIT_OK;
    }
    stdout(finalOutput(result, streaming ? text.written : ''));
    stderr(`\n${formatUsageTable(byEngine.list(), { ...result.usage, cost: result.cost })}`);
    return EXIT_OK;
  } catch (error) {
    return report(error);
  } finally {
    await runtime?.close().catch(() => {});
    await state?.close().catch(() => {});
  }
}

/** `skillc run`: run a skill on the configured engines. */
export const command: Command = { name: 'run', summary: 'Run a skill on an engine', usage, run };
