/**
 * `skillc worker`: takes `skillc batch` jobs from the BullMQ queue in Redis and runs them on the
 * engines of sdl.config.yaml, with rate limits and circuit breakers shared through Redis. Run as
 * many as you like, on any machine with the project checkout, the config and the Redis. Ctrl-C
 * or SIGTERM stops taking jobs and lets the ones in flight finish.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_PREFIX, loadSkillFile, startBatchWorker, type LoadedSkill, type PreparedSkill } from '@sdl/runtime';
import { batchRedisUrl, createSharedRuntime } from '../batch/shared-runtime.js';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, UsageError } from '../io.js';
import { redisUrlUnreachable } from '../run/engines.js';
import { loadHostTools } from '../run/host-tools.js';
import { createSecretScrubber } from '../run/scrub.js';
import { loadCommandConfig } from '../run/command-config.js';

const usage = `Usage: skillc worker [--config sdl.config.yaml] [--concurrency N] [--redis url] [--prefix name]

Takes the jobs of \`skillc batch\` from the queue in Redis and runs them on the engines of the
config. A job names its skill by a path relative to the config file's directory and its content
hash: the worker loads that file (and its tools module) from its own checkout and refuses a job
whose skill differs from its copy (code batch_skill_unavailable), so deploy the same project to
every machine. Rate limits and circuit breakers are shared with every other worker through Redis.
Stops on Ctrl-C or SIGTERM after the jobs in flight finish.

Options:
  --config <file>      the engine configuration (default ./sdl.config.yaml)
  --concurrency <n>    jobs run at once (default 8)
  --redis <url>        the Redis (default: $SDL_REDIS_URL, a redis state.url of the config, or
                       redis://127.0.0.1:6379)
  --prefix <name>      key prefix in Redis, as given to skillc batch (default ${DEFAULT_BATCH_PREFIX})
  --lock-ms <ms>       how long a job is locked without renewal; a killed worker's jobs are taken
                       over after about this long (default 30000)

Exit codes: 0 stopped cleanly, 1 the config has errors or Redis is unreachable, 2 usage errors.
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      config: { type: 'string', short: 'c' },
      concurrency: { type: 'string' },
      redis: { type: 'string' },
      prefix: { type: 'string' },
      'lock-ms': { type: 'string' },
    },
  });
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a positive integer, not \`${values.concurrency}\``);
  const lockMs = values['lock-ms'] === undefined ? undefined : Number(values['lock-ms']);
  if (lockMs !== undefined && (!Number.isInteger(lockMs) || lockMs < 100)) throw new UsageError(`--lock-ms must be an integer of at least 100, not \`${values['lock-ms']}\``);
  const prefix = values.prefix ?? DEFAULT_BATCH_PREFIX;
  if (!/^[\w.-]+$/.test(prefix)) throw new UsageError(`--prefix may hold letters, digits, _ . and - only, not \`${prefix}\``);

  const loaded = await loadCommandConfig(io, { command: 'skillc worker', flag: values.config, missingHint: 'pass --config' });
  if (typeof loaded === 'number') return loaded;
  const config = loaded.config;
  const scrub = createSecretScrubber(config);
  const redisUrl = batchRedisUrl(values.redis, config, io.env);
  const unreachable = await redisUrlUnreachable(redisUrl, 'the batch queue Redis');
  if (unreachable !== undefined) {
    io.stderr.write(scrub(`skillc worker: ${unreachable}; start Redis, or point --redis (or SDL_REDIS_URL) at it\n`));
    return EXIT_INPUT_ERRORS;
  }

  const projectDir = path.dirname(config.file);
  const shared = createSharedRuntime(config, redisUrl, prefix);
  // Skills by content hash; a failed load is remembered so every job of that batch fails the same way, quickly.
  const skills = new Map<string, Promise<PreparedSkill>>();
  const resolveSkill = (ref: { hash: string; ref?: string }): Promise<PreparedSkill> => {
    let found = skills.get(ref.hash);
    if (found === undefined) {
      found = (async () => {
        if (ref.ref === undefined) throw new Error(`the job names skill ${ref.hash} without a path; start the batch with skillc batch`);
        const file = path.resolve(projectDir, ref.ref);
        if (!file.startsWith(projectDir + path.sep)) throw new Error(`the job's skill path ${ref.ref} is outside the project`);
        let skill: LoadedSkill;
        try {
          skill = await loadSkillFile(file);
        } catch (error) {
          throw new Error(`cannot load ${ref.ref} here: ${(error as Error).message.split('\n')[0]}`);
        }
        if (skill.hash !== ref.hash) throw new Error(`${ref.ref} here is not the skill the batch runs (hash ${skill.hash}, the batch's ${ref.hash}); deploy the same version to every worker`);
        const tools = await loadHostTools(skill, file, projectDir);
        for (const [name, tool] of Object.entries(tools)) shared.runtime.tools.register(name, tool);
        return shared.runtime.load(skill);
      })();
      skills.set(ref.hash, found);
    }
    return found;
  };

  const worker = await startBatchWorker({
    runtime: shared.runtime,
    redis: redisUrl,
    prefix,
    concurrency,
    resolveSkill,
    ...(lockMs !== undefined ? { lockDurationMs: lockMs, stalledIntervalMs: Math.max(50, Math.floor(lockMs / 2)) } : {}),
    onError: (error) => io.stderr.write(scrub(`skillc worker: ${error.message}\n`)),
  });
  io.stderr.write(`skillc worker: taking jobs (concurrency ${concurrency}, prefix ${prefix}); Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    if (io.signal === undefined) return;
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.stderr.write('skillc worker: stopping after the jobs in flight\n');
  await worker.close();
  await shared.close();
  return EXIT_OK;
}

/** `skillc worker`: a batch worker process. */
export const command: Command = { name: 'worker', summary: 'Take batch jobs from the queue and run them', usage, run };
