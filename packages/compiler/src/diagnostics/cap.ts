import { makeDiagnostic } from './codes.js';
import type { Diagnostic, Severity } from './diagnostic.js';

/** Most diagnostics reported for one file; the rest are counted in one final SDL1013. */
export const MAX_DIAGNOSTICS_PER_FILE = 200;

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * Keeps the first `max` of a file's sorted diagnostics and replaces the rest with one "and N more"
 * diagnostic (SDL1013) on the range of the first one left out, as severe as the worst of them. A mangled file can
 * yield tens of thousands of diagnostics; printing them all ran the CLI out of memory and helps no one.
 */
export function capDiagnostics(sorted: Diagnostic[], file: string, max = MAX_DIAGNOSTICS_PER_FILE): Diagnostic[] {
  if (sorted.length <= max) return sorted;
  const dropped = sorted.slice(max);
  let severity: Severity = 'info';
  for (const d of dropped) if (RANK[d.severity] > RANK[severity]) severity = d.severity;
  const errors = dropped.filter((d) => d.severity === 'error').length;
  const kept = sorted.slice(0, max);
  kept.push(
    makeDiagnostic(
      'SDL1013',
      file,
      dropped[0]!.range,
      `and ${dropped.length} more diagnostics in this file (${errors} of them errors); only the first ${max} are shown`,
      'fix the problems shown and check again; one early mistake (an unclosed quote or bracket) often causes many',
      severity,
    ),
  );
  return kept;
}
