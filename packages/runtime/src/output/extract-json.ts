/**
 * Finds the JSON value in a model's reply. Models wrap JSON in fenced code blocks or surround it
 * with prose ("Here is the result: {...}. Let me know..."), so we try, in order: the whole reply,
 * each fenced block (```json first), then each balanced `{...}` / `[...]` region in the text.
 * Objects and arrays win over a reply that is as a whole a JSON scalar (`"see {...}"`).
 */
import type { JsonValue } from '@sdl/adapters';

/** The JSON found in a reply and where it was (`whole`, `fence` or `embedded`), or why none was found. */
export type ExtractedJson =
  | { ok: true; value: JsonValue; from: 'whole' | 'fence' | 'embedded' }
  | { ok: false; reason: string };

/** How many embedded `{`/`[` start positions we try before giving up (bounds the work on long replies). */
const MAX_EMBEDDED_CANDIDATES = 64;
/** Deeper nesting than this is not a model's JSON reply; the candidate is skipped. */
const MAX_DEPTH = 512;
/** Characters scanned over all candidates before giving up. */
const MAX_SCANNED = 2_000_000;

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;

function tryParse(text: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * Returns the end index (exclusive) of the balanced bracket region starting at `start`, or -1.
 * `budget.left` is decreased by the characters scanned; scanning stops when it runs out.
 */
function balancedEnd(text: string, start: number, budget: { left: number }): number {
  const stack: string[] = [];
  let inString = false;
  const stop = Math.min(text.length, start + budget.left);
  let i = start;
  try {
    for (; i < stop; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') {
        if (stack.push(ch === '{' ? '}' : ']') > MAX_DEPTH) return -1;
      } else if (ch === '}' || ch === ']') {
        if (stack.pop() !== ch) return -1;
        if (stack.length === 0) return i + 1;
      }
    }
    return -1;
  } finally {
    budget.left -= i - start + 1;
  }
}

/** Extracts the first JSON value from a model reply; see the module comment for the search order. */
export function extractJson(reply: string): ExtractedJson {
  const trimmed = reply.trim();
  if (trimmed === '') return { ok: false, reason: 'the reply is empty' };
  const whole = tryParse(trimmed);
  const isContainer = (v: JsonValue) => v !== null && typeof v === 'object';
  if (whole.ok && isContainer(whole.value)) return { ok: true, value: whole.value, from: 'whole' };

  const fences = [...trimmed.matchAll(FENCE)].map((m) => ({ lang: (m[1] ?? '').toLowerCase(), body: m[2] ?? '' }));
  fences.sort((a, b) => Number(b.lang === 'json') - Number(a.lang === 'json'));
  let fenceError: string | undefined;
  for (const fence of fences) {
    const parsed = tryParse(fence.body.trim());
    if (parsed.ok) return { ok: true, value: parsed.value, from: 'fence' };
    fenceError ??= parsed.error;
  }

  let tried = 0;
  const budget = { left: MAX_SCANNED };
  for (let i = 0; i < trimmed.length && tried < MAX_EMBEDDED_CANDIDATES && budget.left > 0; i++) {
    const ch = trimmed[i];
    if (ch !== '{' && ch !== '[') continue;
    tried++;
    const end = balancedEnd(trimmed, i, budget);
    if (end < 0) continue;
    const parsed = tryParse(trimmed.slice(i, end));
    if (parsed.ok) return { ok: true, value: parsed.value, from: 'embedded' };
  }

  // A bare scalar (`42`, `"text"`) is used only when no object or array was found anywhere.
  if (whole.ok) return { ok: true, value: whole.value, from: 'whole' };
  return {
    ok: false,
    reason:
      fenceError !== undefined
        ? `the fenced code block is not valid JSON (${fenceError})`
        : 'no JSON value found in the reply (expected a JSON object or array)',
  };
}
