import type { JsonValue } from '../types.js';

/** Parses tool-call arguments; an empty string is `{}`, anything that is not an object is wrapped. */
export function parseToolArguments(text: string | undefined | null): { [key: string]: JsonValue } {
  if (text == null || text.trim() === '') return {};
  const value = JSON.parse(text) as JsonValue;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  return { value };
}
