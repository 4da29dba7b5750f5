import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ParsedSkill } from '../yaml/parse.js';
import { rangeOfPath } from '../yaml/ranges.js';
import { mapSchemaErrors } from './map-errors.js';
import { skillValidator } from './schema.js';

/**
 * Validates a parsed skill against schemas/sdl.schema.json (ajv, compiled once per process) and
 * returns one located diagnostic per root cause. A file whose parse failed gets none.
 */
export function validateSkill(parsed: ParsedSkill): Diagnostic[] {
  if (!parsed.ok) return [];
  const validate = skillValidator();
  if (validate(parsed.value)) return [];
  return mapSchemaErrors(validate.errors ?? [], parsed.value, parsed.source.path, (path, target) => rangeOfPath(parsed, path, target),
    (range) => parsed.source.text.slice(parsed.source.offsetAt(range.start), parsed.source.offsetAt(range.end)),
  );
}
