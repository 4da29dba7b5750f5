/**
 * Batch runs on BullMQ. The queue code (and BullMQ itself) loads on first use, so importing
 * `@sdl/runtime` does not pay for it.
 */
import type { BatchWorker, BatchWorkerOptions } from './worker.js';

export type { BatchWorker, BatchWorkerOptions } from './worker.js';
export type { BatchOptions } from './run-batch.js';
export type { ProviderBatchOptions } from './provider-batch.js';
export type * from './types.js';
export { BATCH_QUEUE, DEFAULT_BATCH_PREFIX, batchId, itemKey, jobId, outcomeListKey } from './keys.js';
export { classifyBatchError } from './classify.js';
export { ProviderBatchLineError, ProviderBatchUnsupportedError } from './provider-errors.js';

/**
 * Starts a worker that takes batch jobs from the queue in Redis and runs them on `options.runtime`
 * (`skillc worker` is one). Several processes on several machines may run workers on one queue.
 */
export async function startBatchWorker(options: BatchWorkerOptions): Promise<BatchWorker> {
  const { startBatchWorkerNow } = await import('./worker.js');
  const worker = startBatchWorkerNow(options);
  await worker.ready();
  return worker;
}
