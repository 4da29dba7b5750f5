/**
 * A shallow copy of `source` with `key` set to `value`. Made with `Object.assign` and an
 * assignment, not a literal like `{ ...source, key: value }`: V8 takes a slow path for a spread
 * followed by another property (several times the cost of the copy itself), and the run path
 * copies a request this way several times per call (a turn's, a routed hop's, the timeout stage's).
 */
export function copyWith<T extends object, K extends keyof T>(source: T, key: K, value: T[K]): T {
  const copy = Object.assign({}, source);
  copy[key] = value;
  return copy;
}
