import { makeDiagnostic } from './codes.js';
import type { Diagnostic, Severity } from './diagnostic.js';

/** Most diagnostics reported for one file; the rest are counted in one final SDL1013. */
export const MAX_DIAGNOSTICS_PER_FILE = 200;

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * Keeps the first `max` of a file's sorted diagnostics and replaces the rest with one "and N more"
 * diagnostic (SDL1013) on the range of the first one left out, as severe as the worst of them. A mangled file can
 * yield tens of thousands of diagnostics; printing them all ran the CLI out of memory and helps no one.
 * An SDL1013 already among those left out (the YAML parser's "stopped here") is not counted; its
 * message is appended to the final one.
 */
export function capDiagnostics(sorted: Diagnostic[], file: string, max = MAX_DIAGNOSTICS_PER_FILE): Diagnostic[] {
  if (sorted.length <= max) return sorted;
  // An SDL1013 among those left out is the parser saying where it stopped: its words are kept.
  const stopped = sorted.slice(max).find((d) => d.code === 'SDL1013');
  const dropped = sorted.slice(max).filter((d) => d !== stopped);
  if (dropped.length === 0) return sorted;
  let severity: Severity = stopped?.severity ?? 'info';
  for (const d of dropped) if (RANK[d.severity] > RANK[severity]) severity = d.severity;
  const errors = dropped.filter((d) => d.severity === 'error').length;
  const kept = sorted.slice(0, max);
  kept.push(
    makeDiagnostic(
      'SDL1013',
      file,
      dropped[0]!.range,
      `and ${dropped.length} more diagnostics in this file (${errors} of them errors); only the first ${max} are shown${stopped ? `; ${stopped.message}` : ''}`,
      'fix the problems shown and check again; one early mistake (an unclosed quote or bracket) often causes many',
      severity,
    ),
  );
  return kept;
}
