/**
 * Identifier rules shared by every store. Session ids, snapshot ids, namespaces and keys come from
 * host code and often from end users, so they are checked before they reach a file name or a Redis
 * key: one rule for all stores means a skill behaves the same whichever store the host picks.
 */
import { InvalidStateKeyError } from './errors.js';

const IDENTIFIER = /^[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,127}$/;

/** Throws {@link InvalidStateKeyError} unless `value` is a safe identifier (see `spec/state.md`). */
export function assertIdentifier(kind: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new InvalidStateKeyError(kind, String(value), 'it must be a string');
  if (value.length === 0) throw new InvalidStateKeyError(kind, value, 'it is empty');
  if (value.length > 128) throw new InvalidStateKeyError(kind, value, 'it is longer than 128 characters');
  if (!IDENTIFIER.test(value)) {
    const bad = [...value].find((ch, i) => !(i === 0 ? /[A-Za-z0-9_]/ : /[A-Za-z0-9_.:@+=-]/).test(ch));
    const why =
      value.includes('/') || value.includes('\\') || value.startsWith('.')
        ? 'it looks like a path (path separators and a leading dot are refused)'
        : `it contains ${JSON.stringify(bad)}`;
    throw new InvalidStateKeyError(kind, value, why);
  }
}

/**
 * A file-name-safe, case-insensitive-file-system-safe spelling of an identifier: characters other
 * than a-z 0-9 _ . - are written as `%XX`, so `User` and `user` never share a file.
 */
export function fileNameFor(identifier: string): string {
  let out = '';
  for (const ch of identifier) {
    out += /[a-z0-9_.-]/.test(ch) ? ch : '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
