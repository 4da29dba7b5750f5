/**
 * The payload of a run snapshot or namespaced value in every store. `key` (the logical key, e.g.
 * `snapshot:run-1`) is inside the CRC, so a valid record copied to another key is detected like
 * corruption instead of being served as that key's value.
 */
import type { JsonValue } from '@sdl/adapters';
import { StateCorruptionError } from './errors.js';
import type { RecordOrigin } from './record.js';

/** A snapshot or value as stored. */
export interface ValueRecord {
  key: string;
  savedAt: number;
  expiresAt?: number;
  value: JsonValue;
}

/** The record to frame for `key`. */
export function toValueRecord(key: string, savedAt: number, value: JsonValue, ttlMs?: number): ValueRecord {
  const record: ValueRecord = { key, savedAt, value };
  if (ttlMs !== undefined) record.expiresAt = savedAt + ttlMs;
  return record;
}

/** Checks a decoded value record's shape (its CRC already matched) and that it is `key`'s. */
export function parseValueRecord(value: unknown, origin: RecordOrigin, key: string): ValueRecord {
  const v = value as Partial<ValueRecord> | null;
  const fail = (reason: string): never => {
    throw new StateCorruptionError(origin.key, origin.location, undefined, undefined, reason);
  };
  if (typeof v !== 'object' || v === null || typeof v.savedAt !== 'number' || !('value' in v)) return fail('the record is not a stored value');
  if (v.key !== key) return fail(`the record belongs to ${JSON.stringify(v.key)}`);
  return v as ValueRecord;
}
