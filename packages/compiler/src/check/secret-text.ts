/* The cheap text tests of `checkSecrets`, shared with the parser (which runs them while it builds a file's value). */

import type { Pair, Scalar } from 'yaml';

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

/** Whether a mapping key is a secret field name (`checkSecrets` reports it when its value is a non-blank string). */
export function isSecretFieldName(name: string): boolean {
  return maybeSecretField(name) && SECRET_FIELD.test(name);
}

/** Whether a string could hold a credential: `findApiKey` finds nothing in text where this is false. */
export function mayHoldKey(text: string): boolean {
  return hasTokenRun(text, MIN_MATCH_LENGTH);
}

/** Per root node (a parsed skill's `contents`), the pairs and scalars the parser found `checkSecrets` must look at, in walk order. */
const candidatesByDocument = new WeakMap<object, readonly object[]>();

/**
 * Records the pairs with a secret field name and the string scalars (keys and values) that may hold
 * a key, in the order the node walk meets them: the only nodes where `checkSecrets` can find anything.
 */
export function recordSecretCandidates(root: object, candidates: readonly object[]): void {
  candidatesByDocument.set(root, candidates);
}

/** The candidates the parser recorded for the root node `root`; undefined when it did not (walk every node). */
export function secretCandidates(root: object): readonly (Pair<unknown, unknown> | Scalar)[] | undefined {
  return candidatesByDocument.get(root) as readonly (Pair<unknown, unknown> | Scalar)[] | undefined;
}
