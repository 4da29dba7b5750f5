import { canonicalText } from '../deps/hash.js';

/**
 * The IR file text (spec/ir.md "Determinism"): the value's canonical JSON (keys sorted at every
 * level by UTF-16 code units, no whitespace) and a final newline. Arrays keep their order.
 */
export function serializeIr(value: unknown): string {
  return `${canonicalText(value)}\n`;
}
