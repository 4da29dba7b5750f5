/**
 * Static types of the checker. `dyn` is "unknown until run time" and is accepted everywhere.
 * `object` is a map with string keys whose fields are known from a JSON Schema; selecting a field
 * it does not declare is an error unless the schema allows other properties (`additional`).
 */
export type ExprType =
  | { kind: 'dyn' }
  | { kind: 'null' }
  | { kind: 'bool' }
  | { kind: 'int' }
  | { kind: 'uint' }
  | { kind: 'double' }
  | { kind: 'string' }
  | { kind: 'bytes' }
  | { kind: 'type' }
  | { kind: 'list'; elem: ExprType }
  | { kind: 'map'; key: ExprType; value: ExprType }
  | { kind: 'object'; fields: Readonly<Record<string, ExprType>>; required: readonly string[]; additional?: ExprType };

/** Constructors for the types, for building scopes by hand. */
export const Types = {
  dyn: { kind: 'dyn' } as ExprType,
  null: { kind: 'null' } as ExprType,
  bool: { kind: 'bool' } as ExprType,
  int: { kind: 'int' } as ExprType,
  uint: { kind: 'uint' } as ExprType,
  double: { kind: 'double' } as ExprType,
  string: { kind: 'string' } as ExprType,
  bytes: { kind: 'bytes' } as ExprType,
  type: { kind: 'type' } as ExprType,
  /** A list whose elements have type `elem`. */
  list: (elem: ExprType): ExprType => ({ kind: 'list', elem }),
  /** A map from `key` to `value`. */
  map: (key: ExprType, value: ExprType): ExprType => ({ kind: 'map', key, value }),
  /**
   * An object with known fields (from a JSON Schema `properties`), those in `required` always present;
   * `additional` types any other key.
   */
  object: (fields: Record<string, ExprType>, required: string[] = [], additional?: ExprType): ExprType => {
    const t: ExprType = { kind: 'object', fields: Object.assign(Object.create(null) as Record<string, ExprType>, fields), required };
    if (additional) t.additional = additional;
    return t;
  },
};

/** How a type is written in messages: `int`, `list(string)`, `map(string, dyn)`, `object {a, b}`. */
export function formatType(t: ExprType): string {
  switch (t.kind) {
    case 'list': return `list(${formatType(t.elem)})`;
    case 'map': return `map(${formatType(t.key)}, ${formatType(t.value)})`;
    case 'object': {
      const names = Object.keys(t.fields);
      return `object {${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}}`;
    }
    case 'null': return 'null_type';
    default: return t.kind;
  }
}

function sameType(a: ExprType, b: ExprType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'list') return sameType(a.elem, (b as typeof a).elem);
  if (a.kind === 'map') return sameType(a.key, (b as typeof a).key) && sameType(a.value, (b as typeof a).value);
  if (a.kind === 'object') return a === b || JSON.stringify(a) === JSON.stringify(b);
  return true;
}

/** The common type of several (list elements, ternary branches): the type if all agree, else dyn. */
export function joinTypes(types: ExprType[]): ExprType {
  const known = types.filter((t) => t.kind !== 'null');
  if (known.length === 0) return types.length > 0 ? Types.null : Types.dyn;
  const first = known[0]!;
  return known.every((t) => sameType(t, first)) ? first : Types.dyn;
}

type Schema = unknown;

function typeOfConst(v: unknown): ExprType {
  if (v === null) return Types.null;
  switch (typeof v) {
    case 'string': return Types.string;
    case 'boolean': return Types.bool;
    case 'number': return Number.isInteger(v) ? Types.int : Types.double;
    default: return Array.isArray(v) ? Types.list(Types.dyn) : Types.map(Types.string, Types.dyn);
  }
}

/**
 * The checker type of values described by a JSON Schema:
 * `string` → string, `integer` → int, `number` → double, `boolean` → bool, `null` → null,
 * `array` → list(items), an object with `properties` → object (closed unless
 * `additionalProperties` is `true` or a schema), an object without `properties` → map(string,
 * additionalProperties or dyn). `enum`/`const` take their values' type; `anyOf`/`oneOf` and type
 * lists give the common type (a nullable `[T, "null"]` is T), otherwise dyn. Anything else is dyn.
 */
export function typeFromSchema(schema: Schema, depth = 0): ExprType {
  if (depth > 64 || schema === null || typeof schema !== 'object' || Array.isArray(schema)) return Types.dyn;
  const s = schema as Record<string, unknown>;
  if (Object.hasOwn(s, 'const')) return typeOfConst(s['const']);
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return joinTypes(s['enum'].map(typeOfConst));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = s[key];
    if (Array.isArray(alts) && alts.length > 0) return joinTypes(alts.map((a) => typeFromSchema(a, depth + 1)));
  }
  let type = s['type'];
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    if (nonNull.length !== 1) return nonNull.length === 0 ? Types.null : Types.dyn;
    type = nonNull[0];
  }
  const props = s['properties'];
  if (type === undefined && props !== null && typeof props === 'object') type = 'object';
  switch (type) {
    case 'string': return Types.string;
    case 'integer': return Types.int;
    case 'number': return Types.double;
    case 'boolean': return Types.bool;
    case 'null': return Types.null;
    case 'array': return Types.list(s['items'] === undefined ? Types.dyn : typeFromSchema(s['items'], depth + 1));
    case 'object': {
      const extra = s['additionalProperties'];
      const extraType = extra === undefined || extra === true ? Types.dyn : extra === false ? undefined : typeFromSchema(extra, depth + 1);
      if (props === null || typeof props !== 'object' || Array.isArray(props)) return Types.map(Types.string, extraType ?? Types.dyn);
      const fields = Object.create(null) as Record<string, ExprType>; // null prototype: a `__proto__` property is a field like any other
      for (const name of Object.keys(props)) fields[name] = typeFromSchema((props as Record<string, unknown>)[name], depth + 1);
      const required = Array.isArray(s['required']) ? s['required'].filter((r): r is string => typeof r === 'string') : [];
      // Declared properties close the object for the checker (typos are errors) unless the schema
      // explicitly allows more with `additionalProperties: true` or a schema.
      const additional = extra === undefined || extra === false ? undefined : (extraType ?? Types.dyn);
      return Types.object(fields, required, additional);
    }
    default: return Types.dyn;
  }
}

/**
 * The type of a runtime value, for checking against concrete variables (e.g. `skillc eval --vars`):
 * maps become closed objects, so a misspelt key is reported with a hint.
 */
export function typeOfValue(v: unknown, depth = 0): ExprType {
  if (depth > 32) return Types.dyn;
  switch (typeof v) {
    case 'bigint': return Types.int;
    case 'number': return Types.double;
    case 'string': return Types.string;
    case 'boolean': return Types.bool;
    default:
      if (v === null) return Types.null;
      if (v instanceof Uint8Array) return Types.bytes;
      if (Array.isArray(v)) return Types.list(joinTypes(v.slice(0, 100).map((x) => typeOfValue(x, depth + 1))));
      if (v instanceof Map) {
        if (![...v.keys()].every((k) => typeof k === 'string')) return Types.map(Types.dyn, Types.dyn);
        const fields = Object.create(null) as Record<string, ExprType>;
        for (const [k, x] of v) fields[k as string] = typeOfValue(x, depth + 1);
        return Types.object(fields, Object.keys(fields));
      }
      if (v !== null && typeof v === 'object' && (v as { constructor?: { name?: string } }).constructor?.name === 'CelUint') return Types.uint;
      return Types.dyn;
  }
}
