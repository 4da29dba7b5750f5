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
  return bindSkill(parsed).diagnostics;
}
