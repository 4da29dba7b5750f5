import { type DiagnosticCode, makeDiagnostic } from '../diagnostics/codes.js';
import type { Diagnostic, Range } from '../diagnostics/diagnostic.js';
import type { ParsedSkill } from '../yaml/parse.js';
import { type PathTarget, rangeOfPath, type ValuePath } from '../yaml/ranges.js';

/** What every semantic check gets: the parsed file, its value as a record, and a way to report. */
export interface CheckContext {
  parsed: ParsedSkill;
  skill: Record<string, unknown>;
  /**
   * Reports a diagnostic at a value of the skill file, found by its path (`['steps', 2, 'id']`).
   * @param target - whether to point at the key or the value at `path`
   * @param hint - how to fix it, e.g. a "did you mean" suggestion
   */
  report(code: DiagnosticCode, path: ValuePath, target: PathTarget, message: string, hint?: string): void;
  /** Reports a diagnostic at an explicit range of the skill file (for positions a path cannot name). */
  reportAt(code: DiagnosticCode, range: Range, message: string, hint?: string): void;
}

/** A semantic check: reads the context, reports through it. Checks must tolerate schema-invalid values. */
export type Check = (context: CheckContext) => void;

export function createCheckContext(parsed: ParsedSkill, out: Diagnostic[]): CheckContext {
  const skill = isRecord(parsed.value) ? parsed.value : {};
  const file = parsed.source.path;
  return {
    parsed,
    skill,
    report: (code, path, target, message, hint) => out.push(makeDiagnostic(code, file, rangeOfPath(parsed, path, target), message, hint)),
    reportAt: (code, range, message, hint) => out.push(makeDiagnostic(code, file, range, message, hint)),
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The steps of a skill with their index, skipping entries that are not mappings. */
export function stepsOf(skill: Record<string, unknown>): { step: Record<string, unknown>; index: number }[] {
  // A loop, not flatMap: several checks ask for it per skill, and flatMap's array per step showed.
  const steps = asArray(skill.steps);
  const out: { step: Record<string, unknown>; index: number }[] = [];
  for (let index = 0; index < steps.length; index++) {
    const step: unknown = steps[index];
    if (isRecord(step)) out.push({ step, index });
  }
  return out;
}
