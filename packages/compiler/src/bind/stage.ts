import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ParsedSkill } from '../yaml/parse.js';
import { bindSkill } from './bind-skill.js';

/**
 * The expression stage of the front end (one file, no dependency resolution): every expression
 * and template parsed and type-checked, the step graph checked. Steps that `use:` another skill
 * are typed dyn here; `skillc compile` re-binds with the dependencies' schemas (`buildProject`).
 */
export function checkExpressions(parsed: ParsedSkill): Diagnostic[] {
  if (!parsed.ok) return [];
  // Without a list of steps the schema stage has reported the real problem; every step
  // reference would only echo it.
  const value = parsed.value as { steps?: unknown } | null;
  if (value === null || typeof value !== 'object' || !Array.isArray(value.steps)) return [];
  return bindSkill(parsed).diagnostics;
}
