/**
 * Names in Redis that the batch coordinator and its workers agree on: the BullMQ queue, the
 * per-batch outcome list, and the content hashes that make a job (and a resumed line) the same
 * job again.
 */
import { canonicalJson, sha256 } from '@sdl/compiler/core';

/** The BullMQ queue every batch uses (one per prefix); jobs say which batch they belong to. */
export const BATCH_QUEUE = 'sdl-batch';

/** The default key prefix of queues, outcome lists and (in the CLI) the shared rate limiter. */
export const DEFAULT_BATCH_PREFIX = 'sdl';

/** Hex digits of a `sha256:<hex>` hash (or of any text's sha256). */
function hex(hash: string): string {
  return hash.startsWith('sha256:') ? hash.slice(7) : sha256(hash);
}

/**
 * The key of one item: the skill's content hash, the engine it must start on and the canonical
 * JSON of the input. Two lines with equal inputs share it (and one job); an edited skill changes it.
 */
export function itemKey(skillHash: string, input: unknown, engine?: string): string {
  return sha256(`${hex(skillHash)}\n${engine ?? ''}\n${canonicalJson(input ?? null)}`).slice(0, 40);
}

/** A batch's id from the skill and a name the caller keeps stable across reruns (the CLI uses the output path). */
export function batchId(skillHash: string, name: string): string {
  return sha256(`${hex(skillHash)}\n${name}`).slice(0, 24);
}

/** BullMQ job ids may not contain `:`; batch and key are hex. */
export function jobId(batch: string, key: string): string {
  return `${batch}-${key}`;
}

/** The Redis list a batch's workers append outcomes to (read by the coordinator, never popped). */
export function outcomeListKey(prefix: string, batch: string): string {
  return `${prefix}:batch:${batch}:outcomes`;
}

/** Outcome lists outlive a crashed coordinator this long, so a rerun days later still resumes. */
export const OUTCOME_TTL_SECONDS = 7 * 24 * 3600;
