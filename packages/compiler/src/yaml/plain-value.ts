import { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isSecretFieldName, mayHoldKey } from '../check/secret-text.js';

/** Deepest nesting `plainValue` converts itself; deeper documents go to `yaml`'s `toJS`. */
const MAX_DEPTH = 100;

const UNSUPPORTED = Symbol('unsupported');

/** The keys a fresh `{}` inherits: the only ones for which `key in out` holds before `out[key]` is set. */
const INHERITED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * `out[key] = value` as yaml's addPairToJSMap sets it: an inherited key (like `__proto__`) becomes
 * an own property. A repeated own key is simply overwritten, as defining it would; an `in` test per
 * key was ~3 % of the compile.
 */
export function setEntry(out: Record<string, unknown>, key: string, value: unknown): void {
  if (INHERITED.has(key)) Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}

/**
 * The plain JavaScript value of a parsed document's root node, as `Document#toJS()` builds it,
 * for the common case only: plain mappings, sequences and scalars, no anchors or aliases, keys
 * that are string, number or boolean scalars other than `<<`. Anything else (aliases, merge keys,
 * tagged collections such as `!!set`, collection or null keys, very deep nesting) returns
 * undefined and the caller uses `toJS`, which knows every case. A document it converts has no
 * key that `checkKeys` reports (null, empty or collection keys). `secretCandidates` lists, in
 * walk order, the pairs with a secret field name and the string scalars that may hold a key.
 */
export function plainValue(root: unknown): { value: unknown; secretCandidates: object[] } | undefined {
  const candidates: object[] = [];
  secretCandidates = candidates;
  const value = build(root, 0);
  return value === UNSUPPORTED ? undefined : { value, secretCandidates: candidates };
}

/** Where `build` lists, in walk order, the pairs and scalars `checkSecrets` must look at. */
let secretCandidates: object[] = [];

function build(node: unknown, depth: number): unknown {
  if (node === null || node === undefined) return node;
  if (typeof node !== 'object') return UNSUPPORTED;
  const proto: unknown = Object.getPrototypeOf(node);
  if (proto === Scalar.prototype) {
    const scalar = node as Scalar;
    if (scalar.anchor) return UNSUPPORTED;
    // `toJS` keeps a scalar's value as it is (`keep: true`).
    const value = scalar.value;
    if (typeof value === 'string' && mayHoldKey(value)) secretCandidates.push(scalar);
    return value;
  }
  if (depth >= MAX_DEPTH) return UNSUPPORTED;
  if (proto === YAMLMap.prototype) {
    const map = node as YAMLMap<unknown, unknown>;
    if (map.anchor) return UNSUPPORTED;
    const out: Record<string, unknown> = {};
    for (const item of map.items) {
      if (Object.getPrototypeOf(item) !== Pair.prototype) return UNSUPPORTED;
      const key = item.key as Scalar | null;
      if (key === null || typeof key !== 'object' || Object.getPrototypeOf(key) !== Scalar.prototype || key.anchor) return UNSUPPORTED;
      if ((key as { addToJSMap?: unknown }).addToJSMap !== undefined) return UNSUPPORTED;
      const jsKey = key.value;
      let stringKey: string;
      if (typeof jsKey === 'string') {
        if (jsKey === '<<') return UNSUPPORTED;
        stringKey = jsKey;
        // In the walk's order: the pair, then its key, then its value.
        if (isSecretFieldName(jsKey)) secretCandidates.push(item);
        if (mayHoldKey(jsKey)) secretCandidates.push(key);
      } else if (typeof jsKey === 'number' || typeof jsKey === 'boolean') stringKey = String(jsKey);
      else return UNSUPPORTED;
      const value = build(item.value, depth + 1);
      if (value === UNSUPPORTED) return UNSUPPORTED;
      setEntry(out, stringKey, value);
    }
    return out;
  }
  if (proto === YAMLSeq.prototype) {
    const seq = node as YAMLSeq<unknown>;
    if (seq.anchor) return UNSUPPORTED;
    const out: unknown[] = [];
    for (const item of seq.items) {
      const value = build(item, depth + 1);
      if (value === UNSUPPORTED) return UNSUPPORTED;
      out.push(value);
    }
    return out;
  }
  return UNSUPPORTED;
}
