/* The cheap text tests of `checkSecrets`, shared with the parser (which runs them while it builds a file's value). */

/** Field names that only ever hold credentials. */
export const SECRET_FIELD = /^(?:api[_-]?key|apikey|secret(?:[_-]?key)?|client[_-]?secret|password|passwd|access[_-]?token|auth[_-]?token|bearer[_-]?token|private[_-]?key)$/i;

/**
 * A cheap test every `SECRET_FIELD` name passes: 6 to 13 characters, starting with a, b, c, p or s
 * (either case). Most keys fail it and skip the regex.
 */
export function maybeSecretField(name: string): boolean {
  if (name.length < 6 || name.length > 13) return false;
  const first = name.charCodeAt(0) | 0x20;
  return first === 97 || first === 98 || first === 99 || first === 112 || first === 115;
}

/**
 * Every match of `KEY_PATTERNS` and `TOKEN` (secrets.ts) is a run of at least this many characters of `TOKEN`'s
 * class (the shortest is a Slack token: `xoxb-` and 10 more), so text without such a run has none.
 */
export const MIN_MATCH_LENGTH = 15;

/** Whether `text` has `length` consecutive characters of `[A-Za-z0-9+/=_-]` (`TOKEN`'s class). */
export function hasTokenRun(text: string, length: number): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 47 && c <= 57) || c === 43 || c === 45 || c === 61 || c === 95) {
      if (++run >= length) return true;
    } else run = 0;
  }
  return false;
}

/**
 * False when `text` can neither be a secret-named key nor hold a credential: what `checkSecrets`
 * looks for in keys and string values. True means only that the check must look closer.
 */
export function maySecretText(text: string): boolean {
  return (maybeSecretField(text) && SECRET_FIELD.test(text)) || hasTokenRun(text, MIN_MATCH_LENGTH);
}

/** Documents whose keys and string values all fail `maySecretText` (recorded by the parser). */
const secretFree = new WeakSet<object>();

/** Records that no key or string value of `document` can be a secret (`maySecretText` is false for all). */
export function markSecretFree(document: object): void {
  secretFree.add(document);
}

/** Whether the parser found that `checkSecrets` has nothing to report in `document`. */
export function isSecretFree(document: object): boolean {
  return secretFree.has(document);
}
