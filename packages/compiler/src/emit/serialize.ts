/**
 * The IR file text (spec/ir.md "Determinism"): keys sorted at every level (UTF-16 code unit order),
 * two-space indent, LF line ends, a final newline. Arrays keep their order.
 */
export function serializeIr(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) if (obj[key] !== undefined) out[key] = sortKeys(obj[key]);
  return out;
}
