export type {
  AppendOptions,
  AppendResult,
  PutOptions,
  Session,
  SessionTurn,
  StateClock,
  StateStore,
  StoredValue,
  TurnInput,
} from './types.js';
export {
  InvalidStateKeyError,
  StateConflictError,
  StateCorruptionError,
  StateError,
  StateLockTimeoutError,
  StateUnavailableError,
  StateValueError,
} from './errors.js';
export { canonicalJson, crc32Hex, decodeRecord, encodeRecord } from './record.js';
export type { RecordOrigin } from './record.js';
export { assertIdentifier } from './keys.js';
export { MemoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { FileStore } from './file-store.js';
export type { FileStoreOptions } from './file-store.js';
export { RedisStore } from './redis-store.js';
export type { RedisStoreOptions, SessionKeys } from './redis-store.js';
export { createStateStore } from './create-store.js';
export type { CreateStateStoreOptions, StateConfig } from './create-store.js';
