/**
 * A batch worker: takes jobs from the BullMQ queue, runs each on the runtime (whose router and
 * limiter the host configured, so rate limits are shared through Redis), and appends the outcome
 * to the batch's outcome list. Outcomes are written before the job is acknowledged, so a worker
 * killed in between leaves a job that runs again and an outcome the coordinator reads once.
 */
import { contextFromTraceParent } from '../observability/trace-parent.js';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { LoadedSkill } from '../load/loaded-skill.js';
import type { PreparedSkill } from '../load/prepare.js';
import type { Runtime } from '../runtime.js';
import { classifyBatchError } from './classify.js';
import { BATCH_QUEUE, DEFAULT_BATCH_PREFIX, OUTCOME_TTL_SECONDS, outcomeListKey } from './keys.js';
import type { BatchJobData, ReportedOutcome } from './types.js';

/** Options of {@link startBatchWorker}. */
export interface BatchWorkerOptions {
  /** The runtime jobs run on; its router's limiter should be the Redis one for limits shared by every worker. */
  runtime: Runtime;
  /** Redis URL (or a client, which the worker duplicates; it is left open). */
  redis: string | Redis;
  /** Key prefix of the queue and the outcome lists (default `sdl`); coordinator and workers must agree. */
  prefix?: string;
  /** Finds the skill a job names (by content hash and project-relative path); throw when it is not available here. */
  resolveSkill(skill: BatchJobData['skill']): Promise<LoadedSkill | PreparedSkill> | LoadedSkill | PreparedSkill;
  /** Jobs this worker runs at once (default 8). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal; a killed worker's jobs run again after it (default 30 s). */
  lockDurationMs?: number;
  /** How often stalled jobs (of killed workers) are looked for (default 30 s, BullMQ's). */
  stalledIntervalMs?: number;
  /** Times a job may stall before it counts as failed (default 3). */
  maxStalledCount?: number;
  /** Structured log sink for the worker's own problems (never prompt text or keys). */
  onError?(error: Error): void;
}

/** A running worker; `close()` lets jobs in flight finish and takes no new ones. */
export interface BatchWorker {
  /** Resolves when the worker is connected and taking jobs. */
  ready(): Promise<void>;
  /** Stops taking jobs and waits for the ones in flight (`force` abandons them to be run again elsewhere). */
  close(force?: boolean): Promise<void>;
}

/** Starts a batch worker; see {@link BatchWorkerOptions}. */
export function startBatchWorkerNow(options: BatchWorkerOptions): BatchWorker {
  const prefix = options.prefix ?? DEFAULT_BATCH_PREFIX;
  // BullMQ needs maxRetriesPerRequest: null on its connections (blocking commands).
  const connection =
    typeof options.redis === 'string'
      ? new Redis(options.redis, { maxRetriesPerRequest: null, lazyConnect: false })
      : options.redis.duplicate({ maxRetriesPerRequest: null });
  const report = async (data: BatchJobData, outcome: ReportedOutcome) => {
    const list = outcomeListKey(prefix, data.batch);
    await connection.multi().rpush(list, JSON.stringify(outcome)).expire(list, OUTCOME_TTL_SECONDS).exec();
  };

  const process = async (job: Job<BatchJobData>) => {
    const data = job.data;
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    let skill: LoadedSkill | PreparedSkill;
    try {
      skill = await options.resolveSkill(data.skill);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await report(data, { key: data.key, ok: false, error: { code: 'batch_skill_unavailable', message }, attempts: attempt });
      throw new UnrecoverableError(message);
    }
    let result;
    const traceContext = contextFromTraceParent(data.traceparent);
    try {
      result = await options.runtime.run(skill, data.input, {
        ...(data.engine !== undefined ? { engine: data.engine } : {}),
        ...(data.deadlineMs !== undefined ? { deadlineMs: data.deadlineMs } : {}),
        ...(traceContext !== undefined ? { traceContext } : {}),
      });
    } catch (error) {
      const failure = classifyBatchError(error);
      if (!failure.retryable || attempt >= maxAttempts) {
        await report(data, { key: data.key, ok: false, error: { code: failure.code, message: failure.message }, attempts: attempt });
        throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
      }
      throw new Error(`${failure.code}: ${failure.message}`);
    }
    await report(data, {
      key: data.key,
      ok: true,
      output: result.output,
      usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
      cost: result.cost,
      engines: result.engines,
      attempts: attempt,
    });
  };

  const worker = new Worker<BatchJobData>(BATCH_QUEUE, process, {
    connection,
    prefix,
    concurrency: options.concurrency ?? 8,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 3,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  });
  worker.on('error', (error) => options.onError?.(error));
  // A job that stalled more often than allowed is failed by BullMQ without running our processor:
  // report it, or its line would never reach the results or the failures.
  worker.on('failed', (job, error) => {
    if (job === undefined || error instanceof UnrecoverableError || !/stalled/i.test(error.message)) return;
    void report(job.data, {
      key: job.data.key,
      ok: false,
      error: { code: 'batch_stalled', message: `the job stalled more than ${options.maxStalledCount ?? 3} times (its workers stopped while running it)` },
      attempts: job.attemptsMade,
    }).catch((e: unknown) => options.onError?.(e as Error));
  });

  return {
    ready: async () => {
      await worker.waitUntilReady();
    },
    async close(force = false) {
      await worker.close(force);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
