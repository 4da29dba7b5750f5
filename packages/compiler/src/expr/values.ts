import { charge, scanCost, type Budget } from './budget.js';

/**
 * Runtime values of the expression language. JavaScript primitives where CEL and JS agree, and
 * small classes where they do not:
 *
 * | CEL | JS |
 * | --- | --- |
 * | null | `null` |
 * | bool | `boolean` |
 * | int (int64) | `bigint` |
 * | uint (uint64) | {@link CelUint} |
 * | double | `number` |
 * | string | `string` |
 * | bytes | `Uint8Array` |
 * | list | `readonly Value[]` |
 * | map | `ReadonlyMap<MapKey, Value>` (numeric keys are stored by value; see {@link mapKeys}) |
 * | type | {@link CelType} |
 *
 * Maps are real `Map`s, never plain objects, so no lookup can reach a JavaScript prototype.
 */
export type Value = null | boolean | bigint | CelUint | number | string | Uint8Array | readonly Value[] | CelMap | CelType;
/** A CEL map key: a string, an integer (int and uint keys are stored by value) or a bool. */
export type MapKey = string | bigint | boolean;
/** A CEL map; always a real `Map`, so no key can reach a JavaScript prototype. */
export type CelMap = ReadonlyMap<MapKey, Value>;

/** An unsigned 64-bit integer (CEL `uint`). */
export class CelUint {
  constructor(readonly value: bigint) {}
}

/** A CEL type value, the result of `type(x)` and the value of names like `int` or `string`. */
export class CelType {
  private constructor(readonly name: string) {}
  static readonly types = new Map<string, CelType>(
    ['null_type', 'bool', 'int', 'uint', 'double', 'string', 'bytes', 'list', 'map', 'type'].map((n) => [n, new CelType(n)]),
  );
  /** The type value named `name` (`int`, `string`, `list`, ...); one shared instance per name. */
  static of(name: string): CelType {
    return CelType.types.get(name)!;
  }
}

export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;
export const UINT64_MAX = (1n << 64n) - 1n;

// The ints seen most (sizes, counts, indexes, small JSON numbers) as shared bigints, so making
// one allocates nothing: -128..1023.
const SMALL_INTS: readonly bigint[] = Array.from({ length: 1152 }, (_, i) => BigInt(i - 128));

/** A safe integer as a CEL int. */
export function intValue(n: number): bigint {
  return n >= -128 && n < 1024 ? SMALL_INTS[n + 128]! : BigInt(n);
}

/** The CEL type name of a value. */
export function typeName(v: Value): string {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    default:
      if (v === null) return 'null_type';
      if (v instanceof CelUint) return 'uint';
      if (v instanceof Uint8Array) return 'bytes';
      if (Array.isArray(v)) return 'list';
      if (v instanceof Map) return 'map';
      if (v instanceof CelType) return 'type';
      // Not a sandbox value (e.g. a plain object passed without fromJson).
      return 'unknown';
  }
}

export function isMap(v: Value): v is CelMap {
  return v instanceof Map;
}

/**
 * The key a value is stored under in a map: numbers of equal value share a key (`1`, `1u`, `1.0`),
 * as CEL's heterogeneous equality requires. Returns undefined for values that cannot be keys.
 */
export function mapKeyOf(v: Value): MapKey | undefined {
  switch (typeof v) {
    case 'string':
    case 'bigint':
    case 'boolean':
      return v;
    case 'number':
      return Number.isInteger(v) ? BigInt(v) : undefined;
    default:
      return v instanceof CelUint ? v.value : undefined;
  }
}

// Maps store numeric keys by value (so `m[1]`, `m[1u]` and `m[1.0]` find the same entry); the keys
// that were written as uint are remembered here, so iterating the map gives them back as uint.
const uintKeys = new WeakMap<CelMap, Set<bigint>>();

/** Records that `key` of `map` is a uint (for map literals with uint keys). */
export function markUintKey(map: CelMap, key: bigint): void {
  let set = uintKeys.get(map);
  if (!set) uintKeys.set(map, (set = new Set()));
  set.add(key);
}

/** The keys of a map as CEL values (uint keys as {@link CelUint}). */
export function mapKeys(map: CelMap): Value[] {
  const set = uintKeys.get(map);
  if (!set) return [...map.keys()];
  return [...map.keys()].map((k) => (typeof k === 'bigint' && set.has(k) ? new CelUint(k) : k));
}

/** The entries of a map with keys as CEL values (uint keys as {@link CelUint}). */
export function mapEntries(map: CelMap): [Value, Value][] {
  const keys = mapKeys(map);
  const values = [...map.values()];
  return keys.map((k, i) => [k, values[i]!]);
}

/**
 * Cross-type numeric comparison. int and uint compare exactly; against a double, the integer is
 * converted to double first, as CEL does (so `9223372036854775807 < 9223372036854775808.0` is
 * false: the int rounds to 2^63).
 */
function numericCompare(a: Value, b: Value): number | undefined {
  let x = typeof a === 'bigint' ? a : a instanceof CelUint ? a.value : typeof a === 'number' ? a : undefined;
  let y = typeof b === 'bigint' ? b : b instanceof CelUint ? b.value : typeof b === 'number' ? b : undefined;
  if (x === undefined || y === undefined) return undefined;
  if (typeof x === 'number') {
    if (Number.isNaN(x)) return NaN;
    if (typeof y === 'bigint') y = Number(y);
  }
  if (typeof y === 'number') {
    if (Number.isNaN(y)) return NaN;
    if (typeof x === 'bigint') x = Number(x);
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

const NOWHERE = { start: 0, end: 0 };

/**
 * CEL heterogeneous equality: numbers compare by value across int/uint/double; other kinds never
 * equal. With a `budget`, the work is charged to it (1 step per list element or map entry visited,
 * 1 per KiB of string or bytes compared), so comparing values that share structure (whose expanded
 * size can be exponential in the work that built them) stops at the evaluation's step limit.
 */
export function celEquals(a: Value, b: Value, budget?: Budget, at: { start: number; end: number } = NOWHERE): boolean {
  if (budget !== undefined && typeof a === 'string' && typeof b === 'string' && a.length >= 256 && a.length === b.length) charge(budget, scanCost(a.length), at);
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  const ta = typeof a;
  if (ta === typeof b && ta !== 'object') return false;
  const n = numericCompare(a, b);
  if (n !== undefined) return n === 0;
  if (a === null || b === null) return false;
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    if (budget !== undefined) charge(budget, scanCost(a.length), at);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    if (budget !== undefined) charge(budget, a.length, at);
    for (let i = 0; i < a.length; i++) if (!celEquals(a[i] as Value, b[i] as Value, budget, at)) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    if (budget !== undefined) charge(budget, a.size, at);
    for (const [k, v] of a) {
      if (!b.has(k)) return false;
      if (!celEquals(v, b.get(k) as Value, budget, at)) return false;
    }
    return true;
  }
  if (a instanceof CelType) return a === b;
  return false;
}

/** Ordering for `<`, `<=`, `>`, `>=`: -1/0/1, NaN when unordered, undefined when the types have no ordering. */
export function celCompare(a: Value, b: Value): number | undefined {
  const n = numericCompare(a, b);
  if (n !== undefined) return n;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const len = Math.min(a.length, b.length);
    for (let i = 0; i < len; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  return undefined;
}

/** Compares by Unicode code points (JS `<` compares UTF-16 units, which orders astral characters wrongly). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const len = Math.min(a.length, b.length);
  // Skip the common prefix a chunk at a time with native comparisons, then compare unit by unit.
  let from = 0;
  while (from + 4096 <= len && a.substring(from, from + 4096) === b.substring(from, from + 4096)) from += 4096;
  for (let i = from; i < len; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1; // a surrogate (astral) sorts after any BMP unit
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Number of Unicode code points in a string (CEL `size` of a string). */
export function codePointLength(s: string): number {
  // Most strings have no surrogates: a native scan answers for them without the loop below.
  if (!SURROGATE.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Formats a double the way CEL's `string()` does (Go's shortest `%g`-like form, but with JavaScript's
 * switch to exponent notation at 1e21 and 1e-7, which skill authors know from JSON).
 */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return '+Inf';
  if (d === -Infinity) return '-Inf';
  return String(d);
}
