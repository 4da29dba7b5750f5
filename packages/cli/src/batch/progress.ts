/**
 * Batch progress on stderr: a bar redrawn in place on a terminal (done/total, rate, ETA, cost,
 * failures), or one JSON object per line when stderr is a pipe or a file, for log collectors.
 */
import type { BatchProgress } from '@sdl/runtime';

function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The terminal line for `p`, `width` columns for the bar. */
export function progressBar(p: BatchProgress, width = 24): string {
  const share = p.total === 0 ? 1 : p.done / p.total;
  const filled = Math.round(share * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const failed = p.failed > 0 ? ` · ${p.failed} failed` : '';
  return `${bar} ${p.done}/${p.total} ${Math.floor(share * 100)}% · ${p.rate.toFixed(1)}/s · ETA ${duration(p.etaSeconds)} · $${p.cost.toFixed(4)}${failed}`;
}

/** One progress line for a pipe (snake_case, like the other wire formats). */
export function progressJson(p: BatchProgress): string {
  return JSON.stringify({
    type: 'progress',
    done: p.done,
    total: p.total,
    succeeded: p.succeeded,
    failed: p.failed,
    skipped: p.skipped,
    rate_per_s: Number(p.rate.toFixed(2)),
    ...(p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) ? { eta_s: Math.round(p.etaSeconds) } : {}),
    cost_usd: Number(p.cost.toFixed(6)),
    elapsed_ms: p.elapsedMs,
  });
}

/** A progress sink for `stderr`: the bar on a terminal, JSON lines otherwise. `end()` finishes the bar's line. */
export function createBatchProgress(stderr: { write(text: string): unknown; isTTY?: boolean }): { update(p: BatchProgress): void; end(): void } {
  if (stderr.isTTY === true) {
    let drawn = false;
    return {
      update(p) {
        stderr.write(`\r\u001b[2K${progressBar(p)}`);
        drawn = true;
      },
      end() {
        if (drawn) stderr.write('\n');
      },
    };
  }
  return { update: (p) => stderr.write(`${progressJson(p)}\n`), end() {} };
}
