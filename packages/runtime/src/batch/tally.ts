/**
 * What `runtime.batch` and `runtime.providerBatch` share: the tally of a batch (summary, progress,
 * delivery of outcomes to the caller) and the intake of items (skipping completed ones, refusing
 * invalid inputs, one entry per distinct input).
 */
import type { PreparedSkill } from '../load/prepare.js';
import { itemKey } from './keys.js';
import type { BatchItem, BatchOutcome, BatchProgress, BatchSummary } from './types.js';

/** The caller's side of a batch, as both kinds of batch take it. */
export interface TallyOptions {
  engine?: string;
  completed?(line: number, key: string): boolean;
  onOutcome?(outcome: BatchOutcome): void | Promise<void>;
  onProgress?(progress: BatchProgress): void;
}

/** Counts outcomes as they are delivered and reports progress. */
export function createTally(options: TallyOptions) {
  const startedAt = Date.now();
  const summary: BatchSummary = { total: 0, done: 0, skipped: 0, succeeded: 0, failed: 0, cost: 0, rate: 0, elapsedMs: 0, usage: { inputTokens: 0, outputTokens: 0 } };
  const deliver = async (outcome: BatchOutcome) => {
    summary.done++;
    if (outcome.ok) {
      summary.succeeded++;
      summary.cost += outcome.cost;
      summary.usage.inputTokens += outcome.usage.inputTokens;
      summary.usage.outputTokens += outcome.usage.outputTokens;
    } else {
      summary.failed++;
    }
    await options.onOutcome?.(outcome);
  };
  const progress = (): BatchProgress => {
    const elapsedMs = Date.now() - startedAt;
    const thisRun = summary.done - summary.skipped;
    const rate = elapsedMs > 0 ? (thisRun * 1000) / elapsedMs : 0;
    const left = summary.total - summary.done;
    return {
      total: summary.total, done: summary.done, skipped: summary.skipped, succeeded: summary.succeeded, failed: summary.failed,
      cost: summary.cost, rate, elapsedMs, ...(rate > 0 ? { etaSeconds: left / rate } : left === 0 ? { etaSeconds: 0 } : {}),
    };
  };
  const finish = (): BatchSummary => {
    const last = progress();
    options.onProgress?.(last);
    return { ...summary, ...last, usage: summary.usage };
  };

  /**
   * Reads the items: completed ones are counted as skipped, invalid inputs delivered as failures
   * (`input_invalid`), the rest grouped by key (lines with an equal input share one run).
   */
  const intake = async (prepared: PreparedSkill, items: Iterable<BatchItem> | AsyncIterable<BatchItem>): Promise<Map<string, BatchItem[]>> => {
    const pending = new Map<string, BatchItem[]>();
    for await (const item of items) {
      summary.total++;
      const key = itemKey(prepared.skill.hash, item.input, options.engine);
      if (options.completed?.(item.line, key)) {
        summary.skipped++;
        summary.done++;
        continue;
      }
      const checked = prepared.inputValidator.validate(item.input ?? {});
      if (!checked.ok) {
        const problems = checked.problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('; ');
        await deliver({
          ok: false,
          line: item.line,
          ...(item.id !== undefined ? { id: item.id } : {}),
          key,
          error: { code: 'input_invalid', message: `invalid input for skill \`${prepared.skill.name}\`: ${problems}` },
          attempts: 0,
        });
        continue;
      }
      const lines = pending.get(key);
      if (lines === undefined) pending.set(key, [item]);
      else lines.push(item);
    }
    return pending;
  };
  return { summary, deliver, progress, finish, intake };
}
