/**
 * The record frame every store writes: `sdl1:<crc32>:<json>`.
 *
 * `<json>` is the canonical JSON of the value (object keys sorted, no whitespace) and `<crc32>` is
 * the CRC32 (IEEE, as `zlib.crc32`) of its UTF-8 bytes as 8 lowercase hex digits. Canonical bytes
 * make equal values frame identically; the CRC makes a flipped bit detectable before the record
 * is parsed or served.
 */
import { crc32 } from 'node:zlib';
import { StateCorruptionError, StateValueError } from './errors.js';

const MAGIC = 'sdl1:';
const HEADER_LENGTH = MAGIC.length + 8 + 1;
const HEX8 = /^[0-9a-f]{8}$/;
/** Nesting deeper than this is refused rather than risking a stack overflow. */
const MAX_DEPTH = 256;

/** CRC32 of a string's UTF-8 bytes as 8 lowercase hex digits. */
export function crc32Hex(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

/**
 * JSON with object keys sorted and no whitespace. Refuses what JSON cannot represent faithfully
 * (non-finite numbers, bigint, functions, symbols, cycles) instead of silently changing it.
 * `undefined` object properties are dropped, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  // The path of the value being written, as segments: the `$.a[0].b` of an error is only built
  // when a value is refused (building it for every value was most of the cost of framing).
  const where: (string | number)[] = [];
  const pathOf = () => '$' + where.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
  const open = new Set<object>();
  const write = (v: unknown): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(v)) throw new StateValueError(`cannot store ${v} at ${pathOf()}: only finite numbers are JSON`);
        return JSON.stringify(v);
      case 'object':
        break;
      default:
        throw new StateValueError(`cannot store a ${typeof v} at ${pathOf()}: only JSON values can be stored`);
    }
    const obj = v as object;
    if (where.length > MAX_DEPTH) throw new StateValueError(`value nested deeper than ${MAX_DEPTH} levels at ${pathOf()}`);
    if (open.has(obj)) throw new StateValueError(`cannot store a cyclic value (cycle at ${pathOf()})`);
    open.add(obj);
    let out: string;
    if (Array.isArray(obj)) {
      out = '[';
      for (let i = 0; i < obj.length; i++) {
        const item: unknown = obj[i];
        where.push(i);
        out += (i === 0 ? '' : ',') + (item === undefined ? 'null' : write(item));
        where.pop();
      }
      out += ']';
    } else {
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        throw new StateValueError(`cannot store a ${obj.constructor?.name ?? 'class'} instance at ${pathOf()}: only plain objects`);
      }
      const record = obj as Record<string, unknown>;
      out = '{';
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) continue;
        where.push(key);
        out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + write(item);
        where.pop();
      }
      out += '}';
    }
    open.delete(obj);
    return out;
  };
  return write(value);
}

/** Frames a value for storage. */
export function encodeRecord(value: unknown): string {
  const json = canonicalJson(value);
  return MAGIC + crc32Hex(json) + ':' + json;
}

/** Where a record was read from, for error messages. */
export interface RecordOrigin {
  /** The logical key, e.g. `session:user-42`. */
  key: string;
  /** A file path, a Redis key or `memory`. */
  location: string;
}

/**
 * Checks a frame's CRC and parses it. Throws {@link StateCorruptionError} when the frame is
 * malformed or the CRC does not match; the payload is never parsed in that case.
 */
export function decodeRecord(frame: string, origin: RecordOrigin): unknown {
  const fail = (reason: string, expected?: string, actual?: string): never => {
    throw new StateCorruptionError(origin.key, origin.location, expected, actual, reason);
  };
  if (frame.length < HEADER_LENGTH || !frame.startsWith(MAGIC) || frame[HEADER_LENGTH - 1] !== ':') {
    fail('the record header is unreadable (expected "sdl1:<crc32>:")');
  }
  const expected = frame.slice(MAGIC.length, MAGIC.length + 8);
  if (!HEX8.test(expected)) fail('the stored CRC32 is not 8 hex digits');
  const json = frame.slice(HEADER_LENGTH);
  const actual = crc32Hex(json);
  if (actual !== expected) fail('CRC32 mismatch', expected, actual);
  try {
    return JSON.parse(json) as unknown;
  } catch {
    // Only reachable if a writer framed invalid JSON; still never served.
    return fail('the payload is not JSON although its CRC32 matches');
  }
}
