/**
 * `skillc batch`: runs a skill over every line of a JSON Lines file on a BullMQ queue in Redis.
 * Results go to --out, failures (after the retry policy) to --failures, one line per input line,
 * each with the input's line number and id. Running the same command again resumes: lines
 * already in either file (under the same skill and input) are not run again.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SdlConfig } from '@sdl/adapters';
import { DEFAULT_BATCH_PREFIX, itemKey, loadSkillFile, ProviderBatchUnsupportedError, type BatchOutcome, type BatchProgress, type LoadedSkill } from '@sdl/runtime';
import { readBatchInput } from '../batch/input-file.js';
import { OutcomeFileError, OutcomeWriter, readOutcomeFile, rewriteOutcomeFile, type OutcomeRecord } from '../batch/outcome-file.js';
import { createBatchProgress } from '../batch/progress.js';
import { batchRedisUrl, createSharedRuntime } from '../batch/shared-runtime.js';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';
import { redisUrlUnreachable } from '../run/engines.js';
import { HostToolsError, loadHostTools } from '../run/host-tools.js';
import { describeRunError } from '../run/report-error.js';
import { createSecretScrubber } from '../run/scrub.js';
import { loadCommandConfig } from '../run/command-config.js';

const usage = `Usage: skillc batch <skill.yaml|skill.json> --input data.jsonl --out results.jsonl
                    [--failures file] [--workers N] [--concurrency N] [--attempts N] [--backoff-ms N]
                    [--config sdl.config.yaml] [--engine name] [--timeout ms]
                    [--redis url] [--prefix name] [--retry-failed]
                    [--provider-batch [--poll-ms N]]

Runs the skill once per line of the input file (JSON Lines: each line the input object, or
{"id": ..., "input": {...}}), one job per line on a BullMQ queue in Redis. Workers in this process
(--workers) and \`skillc worker\` processes on any machine that shares the Redis and the config
take the jobs; rate limits and circuit breakers are shared through Redis.

Each result line is {"line", "id", "output", "usage", "cost", "engines", "attempts", "key"};
each failure line {"line", "id", "error": {"code", "message"}, "attempts", "key"}. Transient
failures (rate limits, overload, server and network errors) are retried (--attempts), others
fail at once. Run the same command again to resume: lines already in --out or --failures are
not run again (unless the skill or the line changed); jobs still queued are picked up, not
queued twice. On a terminal stderr shows a progress bar; otherwise one JSON progress line a second.

Options:
  --input <file>       the inputs, JSON Lines (required)
  --out <file>         results, appended (required)
  --failures <file>    failures, appended (default: <out without .jsonl>.failures.jsonl)
  --workers <n>        workers in this process (default 1; 0: only \`skillc worker\` processes)
  --concurrency <n>    jobs each worker runs at once (default 8)
  --attempts <n>       attempts per line for transient failures (default 3)
  --backoff-ms <n>     delay before the first retry of a line, doubling per attempt (default 1000)
  --config <file>      the engine configuration (default ./sdl.config.yaml)
  --engine <name>      start every line on this engine
  --timeout <ms>       deadline per line
  --redis <url>        the Redis (default: $SDL_REDIS_URL, a redis state.url of the config, or
                       redis://127.0.0.1:6379)
  --prefix <name>      key prefix of queue, limits and breakers in Redis (default ${DEFAULT_BATCH_PREFIX})
  --retry-failed       run the lines of the failures file again
  --provider-batch     use the provider's batch API (anthropic and openai engines)
  --poll-ms <n>        with --provider-batch: first wait between polls, doubling up to 60 s (default 5000)

Exit codes: 0 every line succeeded, 1 some lines failed (see the failures file) or the skill or
config has errors, 2 usage or file errors, 130 interrupted (rerun to resume).
`;

function positiveInt(flag: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min) throw new UsageError(`--${flag} must be an integer of at least ${min}, not \`${text}\``);
  return n;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i' },
      out: { type: 'string', short: 'o' },
      failures: { type: 'string' },
      workers: { type: 'string' },
      concurrency: { type: 'string' },
      attempts: { type: 'string' },
      'backoff-ms': { type: 'string' },
      config: { type: 'string', short: 'c' },
      engine: { type: 'string', short: 'e' },
      timeout: { type: 'string' },
      redis: { type: 'string' },
      prefix: { type: 'string' },
      'retry-failed': { type: 'boolean', default: false },
      'provider-batch': { type: 'boolean', default: false },
      'poll-ms': { type: 'string' },
      // For tests and drills: how fast a killed worker's jobs are taken over.
      'lock-ms': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the skill: skillc batch <skill.yaml|skill.json> --input data.jsonl --out results.jsonl' : `batch takes one skill file, got ${positionals.length}`);
  if (values.input === undefined) throw new UsageError('--input <data.jsonl> is required');
  if (values.out === undefined) throw new UsageError('--out <results.jsonl> is required');
  const workers = positiveInt('workers', values.workers, 0) ?? 1;
  const concurrency = positiveInt('concurrency', values.concurrency) ?? 8;
  const attempts = positiveInt('attempts', values.attempts) ?? 3;
  const backoffMs = positiveInt('backoff-ms', values['backoff-ms'], 0) ?? 1000;
  const deadlineMs = positiveInt('timeout', values.timeout);
  const lockMs = positiveInt('lock-ms', values['lock-ms'], 100);
  const pollMs = positiveInt('poll-ms', values['poll-ms'], 1);
  if (pollMs !== undefined && !values['provider-batch']) throw new UsageError('--poll-ms goes with --provider-batch');
  const prefix = values.prefix ?? DEFAULT_BATCH_PREFIX;
  if (!/^[\w.-]+$/.test(prefix)) throw new UsageError(`--prefix may hold letters, digits, _ . and - only, not \`${prefix}\``);

  const shown = (file: string) => path.relative(io.cwd, file) || file;
  const skillFile = path.resolve(io.cwd, positionals[0]!);
  const inputFile = path.resolve(io.cwd, values.input);
  const outFile = path.resolve(io.cwd, values.out);
  const failuresFile = path.resolve(io.cwd, values.failures ?? `${values.out.replace(/\.jsonl?$/i, '')}.failures.jsonl`);
  for (const [file, what] of [[skillFile, 'skill'], [inputFile, '--input']] as const) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      io.stderr.write(`skillc batch: ${what} ${shown(file)} ${existsSync(file) ? 'is not a file' : 'does not exist'}\n`);
      return EXIT_USAGE;
    }
  }
  if (outFile === failuresFile) throw new UsageError('--out and --failures must be different files');

  const color = io.stderr.isTTY === true && io.env.NO_COLOR === undefined;
  const loaded = await loadCommandConfig(io, { command: 'skillc batch', flag: values.config, missingHint: 'write one naming your engines (see spec/config.md) or pass --config' });
  if (typeof loaded === 'number') return loaded;
  const config: SdlConfig = loaded.config;
  if (values.engine !== undefined && config.engines[values.engine] === undefined) {
    throw new UsageError(`--engine \`${values.engine}\` is not configured in ${shown(config.file)} (engines: ${Object.keys(config.engines).join(', ')})`);
  }
  const scrub = createSecretScrubber(config);
  const stderr = (text: string) => io.stderr.write(scrub(text));

  let skill: LoadedSkill;
  let tools;
  try {
    skill = await loadSkillFile(skillFile);
    tools = await loadHostTools(skill, skillFile, io.cwd);
  } catch (error) {
    if (error instanceof HostToolsError) {
      stderr(`skillc batch: ${error.message}\n`);
      return EXIT_INPUT_ERRORS;
    }
    const described = describeRunError(error, { engineOf: () => undefined, color, cwd: io.cwd });
    if (described === undefined) throw error;
    stderr(described.text.endsWith('\n') ? described.text : `${described.text}\n`);
    return described.exitCode;
  }

  const redisUrl = batchRedisUrl(values.redis, config, io.env);
  const unreachable = await redisUrlUnreachable(redisUrl, 'the batch queue Redis');
  if (unreachable !== undefined) {
    stderr(`skillc batch: ${unreachable}; start Redis, or point --redis (or SDL_REDIS_URL) at it\n`);
    return EXIT_INPUT_ERRORS;
  }

  // What is done already: records whose key is the line's current key. Stale records are dropped.
  const input = readBatchInput(inputFile, shown(inputFile));
  const keyOfLine = new Map<number, string>();
  for (const item of input.items) keyOfLine.set(item.line, itemKey(skill.hash, item.input, values.engine));
  for (const problem of input.problems) keyOfLine.set(problem.line, `input-line-${problem.line}`);
  const done = new Set<number>();
  let earlierFailures = 0;
  try {
    for (const [file, retry] of [[outFile, false], [failuresFile, values['retry-failed']]] as const) {
      const { records, cutShort } = readOutcomeFile(file, shown(file));
      const kept: OutcomeRecord[] = [];
      for (const record of records) {
        if (retry || keyOfLine.get(record.line) !== record.key || done.has(record.line)) continue;
        done.add(record.line);
        kept.push(record);
        if (file === failuresFile) earlierFailures++;
      }
      if (cutShort || kept.length !== records.length) rewriteOutcomeFile(file, kept);
    }
  } catch (error) {
    if (!(error instanceof OutcomeFileError)) throw error;
    stderr(`skillc batch: ${error.message}\n`);
    return EXIT_USAGE;
  }

  const results = new OutcomeWriter(outFile, scrub);
  const failures = new OutcomeWriter(failuresFile, scrub);
  let failedLines = 0;
  for (const problem of input.problems) {
    if (done.has(problem.line)) continue;
    failures.append({ line: problem.line, error: { code: problem.code, message: problem.message }, attempts: 0, key: `input-line-${problem.line}` });
    failedLines++;
  }
  const write = (outcome: BatchOutcome) => {
    const head = { line: outcome.line, ...(outcome.id !== undefined ? { id: outcome.id } : {}) };
    if (outcome.ok) {
      results.append({
        ...head,
        output: outcome.output,
        usage: { input_tokens: outcome.usage.inputTokens, output_tokens: outcome.usage.outputTokens },
        cost: outcome.cost,
        engines: outcome.engines,
        attempts: outcome.attempts,
        key: outcome.key,
      });
    } else {
      failures.append({ ...head, error: outcome.error, attempts: outcome.attempts, key: outcome.key });
    }
  };

  const shared = createSharedRuntime(config, redisUrl, prefix, tools);
  const progress = createBatchProgress({ write: stderr, isTTY: io.stderr.isTTY === true });
  try {
    const onProgress = (p: BatchProgress) => progress.update({ ...p, total: p.total + input.problems.length, done: p.done + input.problems.length, failed: p.failed + input.problems.length });
    const summary = values['provider-batch']
      ? await shared.runtime.providerBatch(skill, input.items, {
          redis: redisUrl,
          prefix,
          name: outFile,
          attempts,
          ...(values.engine !== undefined ? { engine: values.engine } : {}),
          ...(pollMs !== undefined ? { pollMs } : {}),
          completed: (line) => done.has(line),
          onOutcome: write,
          onProgress,
          onProviderBatch: (b) => stderr(`skillc batch: provider batch ${b.id} (${b.lines} requests) ${b.resumed ? 'resumed' : 'submitted'}\n`),
          ...(io.signal !== undefined ? { signal: io.signal } : {}),
        })
      : await shared.runtime.batch(skill, input.items, {
      redis: redisUrl,
      prefix,
      name: outFile,
      skillRef: path.relative(path.dirname(config.file), skillFile).split(path.sep).join('/'),
      workers,
      concurrency,
      attempts,
      backoffMs,
      ...(values.engine !== undefined ? { engine: values.engine } : {}),
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      ...(lockMs !== undefined ? { worker: { lockDurationMs: lockMs, stalledIntervalMs: Math.max(50, Math.floor(lockMs / 2)) } } : {}),
      completed: (line) => done.has(line),
      onOutcome: write,
      onProgress,
      ...(io.signal !== undefined ? { signal: io.signal } : {}),
    });
    progress.end();
    failedLines += summary.failed;
    const total = summary.total + input.problems.length;
    const finished = summary.done + input.problems.length;
    if (finished < total) {
      io.stdout.write(`interrupted: ${finished}/${total} lines done; run the same command again to resume\n`);
      return 130;
    }
    const failedAll = failedLines + earlierFailures;
    io.stdout.write(
      `${total} lines: ${summary.succeeded} succeeded this run, ${failedLines} failed this run, ${summary.skipped + input.problems.filter((p) => done.has(p.line)).length} already done` +
        `${failedAll > 0 ? ` (${failedAll} in ${shown(failuresFile)})` : ''}; ` +
        `$${summary.cost.toFixed(4)}, ${(summary.elapsedMs / 1000).toFixed(1)} s\n`,
    );
    return failedAll > 0 ? EXIT_INPUT_ERRORS : EXIT_OK;
  } catch (error) {
    if (!(error instanceof ProviderBatchUnsupportedError)) throw error;
    progress.end();
    stderr(`skillc batch: ${error.message}\n`);
    return EXIT_INPUT_ERRORS;
  } finally {
    results.close();
    failures.close();
    await shared.close();
  }
}

/** `skillc batch`: run a skill over a JSON Lines file on the BullMQ queue. */
export const command: Command = { name: 'batch', summary: 'Run a skill over a JSON Lines file on a queue', usage, run };
