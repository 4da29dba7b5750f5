import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ParsedSkill } from '../yaml/parse.js';
import { checkContent } from './content.js';
import { type Check, createCheckContext } from './context.js';
import { checkEngines } from './engines.js';
import { checkMetadata } from './metadata.js';
import { checkPolicies } from './policies.js';
import { checkSchemas } from './schemas.js';
import { checkSecrets } from './secrets.js';
import { checkSteps } from './steps.js';
import { checkTests } from './tests.js';

/** The semantic checks that need no expression language, in the order they run. */
export const SEMANTIC_CHECKS: readonly Check[] = [checkMetadata, checkSteps, checkContent, checkEngines, checkPolicies, checkSchemas, checkTests, checkSecrets];

/**
 * Runs the semantic checks (SDL3xxx) on a parsed skill. They tolerate schema-invalid values, so a
 * file's schema and semantic errors are reported in one run. A file whose parse failed gets none.
 */
export function checkSkill(parsed: ParsedSkill): Diagnostic[] {
  if (!parsed.ok) return [];
  const out: Diagnostic[] = [];
  const context = createCheckContext(parsed, out);
  for (const check of SEMANTIC_CHECKS) check(context);
  return out;
}
