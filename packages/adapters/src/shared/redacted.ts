/**
 * Printing without secrets. Objects that hold an API key or a password, directly or through an SDK
 * or Redis client, print as their class name and harmless fields under `util.inspect` (what
 * `console.log` uses), `JSON.stringify` and string conversion, so a host logging its runtime never
 * logs a key. See {@link Secret} for the key values themselves.
 */
import { inspect } from 'node:util';

/**
 * Makes `target` print as `name { ...fields() }` (or `[name]` without fields) under `util.inspect`,
 * `JSON.stringify` and `String()`, by defining non-enumerable own properties. `fields` must
 * return only values that are safe to print. Returns `target`.
 */
export function printRedacted<T extends object>(target: T, name: string, fields?: () => Record<string, unknown>): T {
  const summary = () => fields?.() ?? {};
  const text = () => {
    const shown = summary();
    return Object.keys(shown).length === 0 ? `[${name}]` : `${name} ${inspect(shown, { breakLength: Infinity, depth: 3 })}`;
  };
  const define = (key: PropertyKey, value: () => unknown) =>
    Object.defineProperty(target, key, { value, enumerable: false, configurable: true, writable: true });
  define(inspect.custom, text);
  define('toJSON', () => ({ [name]: summary() }));
  define('toString', text);
  return target;
}
