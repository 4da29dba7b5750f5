import { refusal } from './json.js';
import { DEFAULT_LIMITS, type EvalLimits } from './limits.js';
import { MAX_JSON_DEPTH, numberValue, propertySchema, subSchema, type Schema } from './json-mapping.js';
import { intValue, type MapKey, type Value } from './values.js';

/**
 * JSON brought into the sandbox on access instead of all at once: `fromJsonLazy` wraps an object
 * in a {@link JsonMap} whose fields are converted (by the same rules and limits as `fromJson`) when
 * an expression reads them, so an evaluation pays for the part of its input it touches. A run's
 * input and step outputs enter this way (a `when` reading one field of a large output converts one
 * field). Lists are converted when reached, one level: their objects stay wrapped.
 */

/** Where a wrapped value sits, for messages: made into a path string only when a value is refused. */
interface PathLink {
  readonly up: PathLink | undefined;
  /** A key, an index, or (at the root, `up` undefined) the root's path, e.g. `$`. */
  readonly key: string | number;
}

function pathOf(up: PathLink | undefined, key: string | number): string {
  if (up === undefined) return String(key);
  const base = pathOf(up.up, up.key);
  return typeof key === 'number' ? `${base}[${key}]` : `${base}.${key}`;
}

/**
 * A JSON object as a CEL map, converting each field on first read. Containers reached are cached
 * (a second read gives the same value, whose own reads are cached in turn); strings, bools and null
 * are their own CEL values and numbers cost one conversion, so those are not. Iterating, comparing
 * or writing the map converts every field once, in the object's key order. The wrapped object must
 * not change while the map is in use (the runtime never mutates a run's values).
 *
 * It is a read-only `Map` (`instanceof Map`, `typeName` `map`: the evaluator needs no other case)
 * that implements every `Map` method itself, so a wrapper costs no hash table until a container
 * is reached or the map is iterated (see the prototype link below the class). @internal
 */
export class JsonMap implements ReadonlyMap<MapKey, Value>, PathLink {
  /** The containers reached so far, by key. */
  private reached: Map<MapKey, Value> | undefined;
  /** Every field converted, in key order: made when the map is first iterated. */
  private all: Map<MapKey, Value> | undefined;
  private keyList: string[] | undefined;

  constructor(
    private readonly json: Readonly<Record<string, unknown>>,
    private readonly schema: Schema,
    private readonly lim: EvalLimits,
    private readonly depth: number,
    readonly up: PathLink | undefined,
    readonly key: string | number,
  ) {}

  get(key: MapKey): Value | undefined {
    // JSON keys are strings, and only own properties are fields: no lookup reaches a prototype.
    if (typeof key !== 'string' || !Object.hasOwn(this.json, key)) return undefined;
    const raw = this.json[key];
    if (this.depth < MAX_JSON_DEPTH) {
      if (typeof raw === 'string') {
        if (raw.length <= this.lim.maxStringLength) return raw;
      } else if (typeof raw === 'number' && this.schema === undefined) return Number.isSafeInteger(raw) ? intValue(raw) : numberValue(raw, undefined);
      else if (typeof raw === 'boolean' || raw === null) return raw;
    }
    const cached = this.reached?.get(key);
    if (cached !== undefined) return cached;
    const value = this.convert(key, raw);
    if (typeof value === 'object' && value !== null) (this.reached ??= new Map()).set(key, value);
    return value;
  }

  has(key: MapKey): boolean {
    return typeof key === 'string' && Object.hasOwn(this.json, key);
  }

  get size(): number {
    return this.keys_().length;
  }

  keys(): MapIterator<MapKey> {
    return this.filled().keys();
  }
  values(): MapIterator<Value> {
    return this.filled().values();
  }
  entries(): MapIterator<[MapKey, Value]> {
    return this.filled().entries();
  }
  [Symbol.iterator](): MapIterator<[MapKey, Value]> {
    return this.filled().entries();
  }
  forEach(callback: (value: Value, key: MapKey, map: ReadonlyMap<MapKey, Value>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.filled()) callback.call(thisArg, v, k, this);
  }
  /** CEL values are immutable: the writing methods of `Map` refuse. */
  set(): never {
    throw new TypeError('a JSON input map is read-only');
  }
  delete(): never {
    throw new TypeError('a JSON input map is read-only');
  }
  clear(): never {
    throw new TypeError('a JSON input map is read-only');
  }
  private convert(key: string, raw: unknown): Value {
    return reach(raw, this.schema === undefined ? undefined : propertySchema(this.schema, key), this.lim, this.depth + 1, this, key);
  }

  /** The object's own keys, refused (like `fromJson`) past `maxListLength`. */
  private keys_(): string[] {
    if (this.keyList === undefined) {
      const keys = Object.keys(this.json);
      if (keys.length > this.lim.maxListLength) throw refusal.object(pathOf(this.up, this.key), keys.length, this.lim.maxListLength);
      this.keyList = keys;
    }
    return this.keyList;
  }

  /** Every field converted, in key order, keeping the containers already reached. */
  private filled(): Map<MapKey, Value> {
    if (this.all !== undefined) return this.all;
    const keys = this.keys_();
    const reached = this.reached;
    const all = new Map<MapKey, Value>();
    for (const key of keys) all.set(key, reached?.get(key) ?? this.convert(key, this.json[key]));
    // Reads after this find the containers here.
    this.reached = this.all = all;
    return all;
  }
}
// `instanceof Map` holds for a JsonMap without its constructor building a hash table: every method
// a caller can reach is JsonMap's own, so none of Map's runs on it.
Object.setPrototypeOf(JsonMap.prototype, Map.prototype);

/** Converts one JSON value as `fromJson` does, wrapping objects instead of walking them. */
function reach(json: unknown, schema: Schema, lim: EvalLimits, depth: number, up: PathLink | undefined, key: string | number): Value {
  if (depth > MAX_JSON_DEPTH) throw refusal.depth(pathOf(up, key));
  switch (typeof json) {
    case 'string':
      if (json.length > lim.maxStringLength) throw refusal.string(pathOf(up, key), json.length, lim.maxStringLength);
      return json;
    case 'boolean':
      return json;
    case 'number':
      return numberValue(json, schema);
    case 'object': {
      if (json === null) return null;
      if (!Array.isArray(json)) return new JsonMap(json as Record<string, unknown>, schema, lim, depth, up, key);
      if (json.length > lim.maxListLength) throw refusal.list(pathOf(up, key), json.length, lim.maxListLength);
      const items = schema === undefined ? undefined : subSchema(schema, 'items');
      const link: PathLink = { up, key };
      const list = new Array<Value>(json.length);
      for (let i = 0; i < json.length; i++) list[i] = reach(json[i], items, lim, depth + 1, link, i);
      return list;
    }
    default:
      throw refusal.notJson(pathOf(up, key), json);
  }
}

/**
 * `fromJson` on access: the same CEL values (numbers by the same schema rules) and the same
 * refusals with the same messages (a `JsonInputError`, which evaluation reports as SDL4210 at the
 * expression that reached the value), but only for the parts an evaluation reads. Objects are
 * wrapped, not copied, so `json` must not change while the value is in use. A result that still
 * holds wrapped parts converts them when it is written later (`toJson`, `stringifyJson`), which
 * can throw the `JsonInputError` itself: `evaluateJson` and `evaluateJsonText` write inside the
 * evaluation, so a refusal there is a located SDL4210.
 */
export function fromJsonLazy(json: unknown, schema?: Schema, limits?: Partial<EvalLimits>, path = '$'): Value {
  return reach(json, schema, limits === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...limits }, 0, undefined, path);
}
