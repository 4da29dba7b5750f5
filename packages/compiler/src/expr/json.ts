import { charge, type Budget } from './budget.js';
import { EvalError } from './eval-error.js';
import { ExprCode } from './expr-diagnostic.js';
import { DEFAULT_LIMITS, type EvalLimits } from './limits.js';
import { MAX_JSON_DEPTH, numberValue, propertySchema, subSchema, type Schema } from './json-mapping.js';
import { CelType, CelUint, formatDouble, type MapKey, type Value } from './values.js';

/** A JSON value that cannot be brought into the sandbox (too large, or not JSON). */
export class JsonInputError extends Error {
  override readonly name = 'JsonInputError';
  readonly code = ExprCode.LimitExceeded;
  constructor(message: string, readonly path: string) {
    super(message);
  }
}

/** Why a JSON value is refused, worded once for the eager and the lazy conversion. @internal */
export const refusal = {
  depth: (path: string) => new JsonInputError(`value nests more than ${MAX_JSON_DEPTH} levels deep at ${path}`, path),
  string: (path: string, length: number, limit: number) => new JsonInputError(`string at ${path} is ${length} characters long; the limit is ${limit}`, path),
  list: (path: string, length: number, limit: number) => new JsonInputError(`list at ${path} has ${length} elements; the limit is ${limit}`, path),
  object: (path: string, keys: number, limit: number) => new JsonInputError(`object at ${path} has ${keys} keys; the limit is ${limit}`, path),
  notJson: (path: string, value: unknown) => new JsonInputError(`value at ${path} is not JSON (${typeof value})`, path),
};

/**
 * Brings parsed JSON into the sandbox. Numbers: with a schema, `type: integer` gives int and
 * `type: number` gives double; without one, an integral number within int64 gives int and any other
 * number gives double (so `--vars '{"n": 3}'` makes `n` an int, and `3.5` a double). Objects become
 * Maps (own keys only), so no lookup can reach a JavaScript prototype. Strings and lists larger than
 * the limits are refused here, before any evaluation.
 */
export function fromJson(json: unknown, schema?: Schema, limits: Partial<EvalLimits> = {}, path = '$'): Value {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  // Fast path (every run converts its input): no path strings. On any refusal, the located walk
  // below runs again and throws the exact message.
  const converted = quickConvert(json, schema, lim, 0);
  return converted === REFUSED ? convert(json, schema, lim, path, 0) : converted;
}

/** What quickConvert returns when the located walk must say what is wrong (never a Value). */
const REFUSED: unique symbol = Symbol('refused');

/** `convert` without building a path for each value; REFUSED wherever `convert` would throw. */
function quickConvert(json: unknown, schema: Schema, lim: EvalLimits, depth: number): Value | typeof REFUSED {
  if (depth > MAX_JSON_DEPTH) return REFUSED;
  switch (typeof json) {
    case 'string':
      return json.length > lim.maxStringLength ? REFUSED : json;
    case 'boolean':
      return json;
    case 'number':
      return numberValue(json, schema);
    case 'object': {
      if (json === null) return null;
      if (Array.isArray(json)) {
        if (json.length > lim.maxListLength) return REFUSED;
        const items = schema === undefined ? undefined : subSchema(schema, 'items');
        const list: Value[] = new Array(json.length);
        for (let i = 0; i < json.length; i++) {
          const item = quickConvert(json[i], items, lim, depth + 1);
          if (item === REFUSED) return REFUSED;
          list[i] = item;
        }
        return list;
      }
      const map = new Map<MapKey, Value>();
      for (const key of Object.keys(json)) {
        const value = quickConvert((json as Record<string, unknown>)[key], schema === undefined ? undefined : propertySchema(schema, key), lim, depth + 1);
        if (value === REFUSED) return REFUSED;
        map.set(key, value);
      }
      return map.size > lim.maxListLength ? REFUSED : map;
    }
    default:
      return REFUSED;
  }
}

function convert(json: unknown, schema: Schema, lim: EvalLimits, path: string, depth: number): Value {
  if (depth > MAX_JSON_DEPTH) throw refusal.depth(path);
  switch (typeof json) {
    case 'string':
      if (json.length > lim.maxStringLength) throw refusal.string(path, json.length, lim.maxStringLength);
      return json;
    case 'boolean':
      return json;
    case 'number':
      return numberValue(json, schema);
    case 'object': {
      if (json === null) return null;
      if (Array.isArray(json)) {
        if (json.length > lim.maxListLength) throw refusal.list(path, json.length, lim.maxListLength);
        const items = subSchema(schema, 'items');
        return json.map((x, i) => convert(x, items, lim, `${path}[${i}]`, depth + 1));
      }
      const map = new Map<MapKey, Value>();
      for (const key of Object.keys(json)) {
        map.set(key, convert((json as Record<string, unknown>)[key], propertySchema(schema, key), lim, `${path}.${key}`, depth + 1));
      }
      if (map.size > lim.maxListLength) throw refusal.object(path, map.size, lim.maxListLength);
      return map;
    }
    default:
      throw refusal.notJson(path, json);
  }
}

/** Converts each top-level variable of a JSON object with `fromJson` (schemas by variable name). */
export function varsFromJson(json: Record<string, unknown>, schemas: Record<string, Schema> = {}, limits?: Partial<EvalLimits>): Record<string, Value> {
  const vars: Record<string, Value> = Object.create(null) as Record<string, Value>;
  for (const key of Object.keys(json)) vars[key] = fromJson(json[key], schemas[key], limits, key);
  return vars;
}

type Span = { start: number; end: number };
const NOWHERE: Span = { start: 0, end: 0 };

const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/**
 * A value as plain JSON data: int and uint become numbers (exact up to 2^53; beyond, the nearest
 * double: use `stringifyJson` for exact digits), double a number (NaN and ±Infinity become the
 * strings "NaN", "Infinity", "-Infinity"), bytes a base64 string, maps objects (keys as strings),
 * types their name.
 */
export function toJson(v: Value): unknown {
  return convertOut(v, undefined, NOWHERE);
}

/**
 * `toJson` charging 1 step per list element and map entry to `budget`: a value that shares
 * structure (a list holding the same big list twice, many levels deep) cannot expand into more
 * JSON than the evaluation's step limit allows. @internal
 */
export function toJsonCharged(v: Value, budget: Budget, at: Span): unknown {
  return convertOut(v, budget, at);
}

function convertOut(v: Value, budget: Budget | undefined, at: Span): unknown {
  switch (typeof v) {
    case 'bigint':
      return Number(v);
    case 'number':
      return Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    case 'string':
    case 'boolean':
      return v;
    default:
      if (v === null) return null;
      if (v instanceof CelUint) return Number(v.value);
      if (v instanceof Uint8Array) return base64(v);
      if (Array.isArray(v)) {
        if (budget !== undefined) charge(budget, v.length, at);
        return v.map((x: Value) => convertOut(x, budget, at));
      }
      if (v instanceof Map) {
        if (budget !== undefined) charge(budget, v.size, at);
        const out: Record<string, unknown> = {};
        for (const [k, x] of v) Object.defineProperty(out, String(k), { value: convertOut(x, budget, at), enumerable: true, writable: true, configurable: true });
        return out;
      }
      return (v as CelType).name;
  }
}

/** JSON text of a value, like `JSON.stringify(toJson(v), null, indent)` but with exact int/uint digits. */
export function stringifyJson(v: Value, indent = 0): string {
  const w = new JsonWriter(indent, Infinity, undefined, NOWHERE);
  w.value(v, '');
  return w.text();
}

/**
 * `stringifyJson` that stops with SDL4210 as soon as the text would pass `maxLength` characters,
 * before building it, and charges 1 step per list element or map entry to `budget`. @internal
 */
export function stringifyJsonBounded(v: Value, maxLength: number, budget: Budget, at: Span, tooLong: string): string {
  const w = new JsonWriter(0, maxLength, budget, at, tooLong);
  w.value(v, '');
  return w.text();
}

/** Writes JSON text in parts, keeping count of its length so a limit is checked as it grows. */
class JsonWriter {
  private readonly parts: string[] = [];
  private length = 0;
  constructor(
    private readonly indent: number,
    private readonly maxLength: number,
    private readonly budget: Budget | undefined,
    private readonly at: Span,
    private readonly tooLong = `the JSON text exceeds the limit of ${maxLength} characters`,
  ) {}

  text(): string {
    return this.parts.join('');
  }

  /** Fails when `n` more characters would pass the limit. */
  private ensure(n: number): void {
    if (this.length + n > this.maxLength)
      throw new EvalError(ExprCode.LimitExceeded, this.tooLong, this.at.start, this.at.end, 'insert smaller values');
  }

  private push(s: string): void {
    this.ensure(s.length);
    this.length += s.length;
    this.parts.push(s);
  }

  value(v: Value, pad: string): void {
    switch (typeof v) {
      case 'bigint':
        return this.push(v.toString());
      case 'number':
        return this.push(Number.isFinite(v) ? (Object.is(v, -0) ? '-0' : JSON.stringify(v)) : JSON.stringify(toJson(v)));
      case 'string':
        // Quoted, a string is at least 2 characters longer: refuse before quoting a string that cannot fit.
        this.ensure(v.length + 2);
        return this.push(JSON.stringify(v));
      case 'boolean':
        return this.push(v ? 'true' : 'false');
      default: {
        if (v === null) return this.push('null');
        if (v instanceof CelUint) return this.push(v.value.toString());
        if (v instanceof Uint8Array) {
          this.ensure(Math.ceil(v.length / 3) * 4 + 2);
          return this.push(JSON.stringify(base64(v)));
        }
        if (v instanceof CelType) return this.push(JSON.stringify(v.name));
        const indent = this.indent;
        const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
        const nl = indent > 0 ? '\n' : '';
        const close = `${nl}${indent > 0 ? pad : ''}`;
        if (Array.isArray(v)) {
          if (v.length === 0) return this.push('[]');
          if (this.budget !== undefined) charge(this.budget, v.length, this.at);
          this.push('[');
          for (let i = 0; i < v.length; i++) {
            this.push(i === 0 ? `${nl}${inner}` : `,${nl}${inner}`);
            this.value(v[i] as Value, inner);
          }
          return this.push(`${close}]`);
        }
        const map = v as ReadonlyMap<MapKey, Value>;
        if (map.size === 0) return this.push('{}');
        if (this.budget !== undefined) charge(this.budget, map.size, this.at);
        const sep = indent > 0 ? ': ' : ':';
        this.push('{');
        let first = true;
        for (const [k, x] of map) {
          this.push(`${first ? '' : ','}${nl}${inner}`);
          first = false;
          this.value(typeof k === 'string' ? k : String(k), inner);
          this.push(sep);
          this.value(x, inner);
        }
        return this.push(`${close}}`);
      }
    }
  }
}

export { formatDouble };
