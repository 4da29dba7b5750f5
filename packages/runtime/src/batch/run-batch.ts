/**
 * The batch coordinator behind `runtime.batch`: one BullMQ job per distinct input, outcomes read
 * back from the batch's outcome list in Redis and handed to the caller line by line. Items the
 * caller already has (`completed`) are not queued again; jobs and outcomes left by an earlier,
 * interrupted run of the same batch are picked up instead of being run twice.
 */
import { activeTraceParent } from '../observability/trace-parent.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { LoadedSkill } from '../load/loaded-skill.js';
import type { PreparedSkill } from '../load/prepare.js';
import type { Runtime } from '../runtime.js';
import { batchId, BATCH_QUEUE, DEFAULT_BATCH_PREFIX, jobId, outcomeListKey } from './keys.js';
import { createTally } from './tally.js';
import type { BatchItem, BatchJobData, BatchOutcome, BatchProgress, BatchSummary, ReportedOutcome } from './types.js';
import { startBatchWorkerNow, type BatchWorker, type BatchWorkerOptions } from './worker.js';

/** Options of {@link Runtime.batch}. */
export interface BatchOptions {
  /** Redis URL (or a client, duplicated and left open) holding the queue, the outcomes and the shared limits. */
  redis: string | Redis;
  /** Key prefix of the queue and the outcome lists (default `sdl`); workers must use the same. */
  prefix?: string;
  /** What makes a rerun the same batch (with the skill's hash); the CLI uses the output file's path. Default: the skill's hash. */
  name?: string;
  /** The skill's path relative to the project, for workers in other processes (`skillc worker`). */
  skillRef?: string;
  /** Workers in this process (default 1; 0 when only `skillc worker` processes take the jobs). */
  workers?: number;
  /** Jobs each worker of this process runs at once (default 8). */
  concurrency?: number;
  /** Attempts per item before it counts as failed (default 3); only transient failures are retried. */
  attempts?: number;
  /** First retry delay in ms, doubling per attempt (default 1000). */
  backoffMs?: number;
  /** Engine every item starts on. */
  engine?: string;
  /** Per-item deadline in milliseconds. */
  deadlineMs?: number;
  /** True for items the caller already holds an outcome for (resuming); they are counted as skipped. */
  completed?(line: number, key: string): boolean;
  /** Each finished item, in completion order; awaited before the next (so a file can be appended in order). */
  onOutcome?(outcome: BatchOutcome): void | Promise<void>;
  /** About once per `progressIntervalMs` and once at the end. */
  onProgress?(progress: BatchProgress): void;
  /** Default 1000. */
  progressIntervalMs?: number;
  /** Stops waiting (jobs stay queued for a rerun); in-process workers finish the jobs they hold. */
  signal?: AbortSignal;
  /** Lock and stall settings of the in-process workers. */
  worker?: Pick<BatchWorkerOptions, 'lockDurationMs' | 'stalledIntervalMs' | 'maxStalledCount'>;
  /** How often the outcome list is read when nothing new arrived, in ms (default 20). */
  pollMs?: number;
}

function isPrepared(skill: LoadedSkill | PreparedSkill): skill is PreparedSkill {
  return 'skill' in skill && 'inputValidator' in skill;
}

const ADD_CHUNK = 500;
const READ_CHUNK = 1000;

/** Runs `items` through the queue; see {@link BatchOptions}. Resolves when every item has an outcome or `signal` fired. */
export async function runBatch(
  runtime: Runtime,
  skill: LoadedSkill | PreparedSkill,
  items: Iterable<BatchItem> | AsyncIterable<BatchItem>,
  options: BatchOptions,
): Promise<BatchSummary> {
  const prepared = isPrepared(skill) ? skill : runtime.load(skill);
  const skillHash = prepared.skill.hash;
  const prefix = options.prefix ?? DEFAULT_BATCH_PREFIX;
  const batch = batchId(skillHash, options.name ?? skillHash);
  const { deliver, progress, finish, intake } = createTally(options);
  const pending = await intake(prepared, items);
  if (pending.size === 0) return finish();

  const client =
    typeof options.redis === 'string'
      ? new Redis(options.redis, { maxRetriesPerRequest: null })
      : options.redis.duplicate({ maxRetriesPerRequest: null });
  const queue = new Queue<BatchJobData>(BATCH_QUEUE, { connection: client, prefix });
  const workers: BatchWorker[] = [];
  const list = outcomeListKey(prefix, batch);
  let cursor = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const workerCount = options.workers ?? 1;
    for (let i = 0; i < workerCount; i++) {
      workers.push(
        startBatchWorkerNow({
          runtime,
          redis: client,
          prefix,
          concurrency: options.concurrency ?? 8,
          ...options.worker,
          resolveSkill: (ref) => {
            if (ref.hash === skillHash) return prepared;
            throw new Error(`this process runs skill ${prepared.skill.name} (${skillHash}), not ${ref.ref ?? ref.hash}`);
          },
        }),
      );
    }

    /** Reads outcomes appended since the last read; true when there were any. */
    const drain = async (): Promise<boolean> => {
      let any = false;
      for (;;) {
        const raw = await client.lrange(list, cursor, cursor + READ_CHUNK - 1);
        if (raw.length === 0) return any;
        any = true;
        cursor += raw.length;
        for (const text of raw) {
          const reported = JSON.parse(text) as ReportedOutcome;
          const lines = pending.get(reported.key);
          if (lines === undefined) continue; // already delivered (a job that ran twice) or not ours this time
          pending.delete(reported.key);
          for (const item of lines) {
            const base = { line: item.line, ...(item.id !== undefined ? { id: item.id } : {}), key: reported.key };
            await deliver(
              reported.ok
                ? { ok: true, ...base, output: reported.output, usage: reported.usage, cost: reported.cost, engines: reported.engines, attempts: reported.attempts }
                : { ok: false, ...base, error: reported.error, attempts: reported.attempts },
            );
          }
        }
        if (raw.length < READ_CHUNK) return any;
      }
    };

    // Outcomes an interrupted run left behind come first; then the rest is queued (ids make a job
    // that is still queued or running from that run the same job, not a second one).
    await drain();
    const toAdd = [...pending.keys()];
    // Jobs carry the submitter's trace context, so every run's span joins the batch's trace.
    const traceparent = activeTraceParent();
    for (let i = 0; i < toAdd.length; i += ADD_CHUNK) {
      await queue.addBulk(
        toAdd.slice(i, i + ADD_CHUNK).map((key) => {
          const data: BatchJobData = {
            batch,
            key,
            skill: { hash: skillHash, ...(options.skillRef !== undefined ? { ref: options.skillRef } : {}) },
            input: pending.get(key)![0]!.input,
            ...(options.engine !== undefined ? { engine: options.engine } : {}),
            ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
            ...(traceparent !== undefined ? { traceparent } : {}),
          };
          return {
            name: prepared.skill.name,
            data,
            opts: {
              jobId: jobId(batch, key),
              attempts: options.attempts ?? 3,
              backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
              removeOnComplete: true,
              removeOnFail: true,
            },
          };
        }),
      );
    }

    if (options.onProgress !== undefined) timer = setInterval(() => options.onProgress!(progress()), options.progressIntervalMs ?? 1000);
    const pollMs = options.pollMs ?? 20;
    while (pending.size > 0 && options.signal?.aborted !== true) {
      if (await drain()) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, pollMs);
        function done() {
          clearTimeout(t);
          options.signal?.removeEventListener('abort', done);
          resolve();
        }
        options.signal?.addEventListener('abort', done, { once: true });
      });
    }
    // Every outcome is with the caller: the list has served its purpose.
    if (pending.size === 0) await client.del(list);
    return finish();
  } finally {
    if (timer !== undefined) clearInterval(timer);
    await Promise.all(workers.map((w) => w.close()));
    await queue.close();
    await client.quit().catch(() => client.disconnect());
  }
}
