/**
 * Turns a model reply into a validated JSON value, and words the repair request when it is not one.
 */
import type { JsonSchema, JsonValue } from '@sdl/adapters';
import type { SchemaValidator } from '../load/validators.js';
import type { ValueProblem } from '../run/errors.js';
import { extractJson } from './extract-json.js';

/** A reply as a validated JSON value, or the problems (JSON Pointer path and message) that make it invalid. */
export type StructuredReply = { ok: true; value: JsonValue } | { ok: false; problems: ValueProblem[] };

/** Extracts JSON from the reply (whole, fenced or embedded in prose) and validates it. */
export function parseStructuredReply(reply: string, validator: SchemaValidator): StructuredReply {
  const extracted = extractJson(reply);
  if (!extracted.ok) return { ok: false, problems: [{ path: '', message: extracted.reason }] };
  const checked = validator.validate(extracted.value);
  return checked.ok ? { ok: true, value: checked.value } : { ok: false, problems: checked.problems };
}

/** The user turn sent back to the model after an invalid reply: exactly what was wrong, and the schema. */
export function repairRequest(problems: readonly ValueProblem[], schema: JsonSchema): string {
  const lines = problems.map((p) => `- ${p.path === '' ? '(the reply)' : p.path}: ${p.message}`);
  return [
    'Your previous reply could not be used because it is not a JSON value matching the required schema:',
    ...lines,
    '',
    'Reply again with only the corrected JSON value (no prose, no code fences). The schema is:',
    JSON.stringify(schema),
  ].join('\n');
}
