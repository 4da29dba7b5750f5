import type { JsonValue } from '../types.js';

/**
 * Parses tool-call arguments. An empty string and JSON `null` (Cohere sends `"null"` for a tool that
 * takes no arguments) are `{}`; any other value that is not an object is wrapped as `{ value }`.
 */
export function parseToolArguments(text: string | undefined | null): { [key: string]: JsonValue } {
  if (text == null || text.trim() === '') return {};
  const value = JSON.parse(text) as JsonValue;
  if (value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value;
  return { value };
}
