/**
 * Turn records and option checks shared by the stores, so every store accepts and returns exactly
 * the same shapes.
 */
import type { Message } from '@sdl/adapters';
import { StateCorruptionError, StateValueError } from './errors.js';
import type { AppendOptions, PutOptions, SessionTurn, StateClock, TurnInput } from './types.js';
import type { RecordOrigin } from './record.js';

/** What a store persists per turn (the `seq` is positional and not stored). */
export interface TurnRecord {
  at: number;
  engine?: string;
  message: Message;
}

const ROLES = new Set(['user', 'assistant', 'tool']);

/** Checks a turn from the runtime and stamps it with the clock when it has no time. */
export function toTurnRecord(turn: TurnInput, clock: StateClock, index: number): TurnRecord {
  const where = `turns[${index}]`;
  if (typeof turn !== 'object' || turn === null) throw new StateValueError(`${where} must be an object`);
  const message = turn.message as Partial<Message> | undefined;
  if (typeof message !== 'object' || message === null || !ROLES.has(message.role as string)) {
    throw new StateValueError(`${where}.message.role must be "user", "assistant" or "tool"`);
  }
  if (typeof message.content !== 'string') throw new StateValueError(`${where}.message.content must be a string`);
  if (turn.engine !== undefined && typeof turn.engine !== 'string') throw new StateValueError(`${where}.engine must be a string`);
  const at = turn.at ?? clock.now();
  if (!Number.isFinite(at)) throw new StateValueError(`${where}.at must be epoch milliseconds`);
  const record: TurnRecord = { at, message: message as Message };
  if (turn.engine !== undefined) record.engine = turn.engine;
  return record;
}

/** Checks a decoded turn record's shape (its CRC already matched). */
export function parseTurnRecord(value: unknown, origin: RecordOrigin): TurnRecord {
  const v = value as Partial<TurnRecord> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.at !== 'number' ||
    typeof v.message !== 'object' ||
    v.message === null ||
    !ROLES.has((v.message as Message).role)
  ) {
    throw new StateCorruptionError(origin.key, origin.location, undefined, undefined, 'the record is not a session turn');
  }
  return v as TurnRecord;
}

/** Turns records into `SessionTurn`s numbered so the last one has `seq === version`. */
export function numberTurns(records: readonly TurnRecord[], version: number): SessionTurn[] {
  const first = version - records.length + 1;
  return records.map((r, i) => {
    const turn: SessionTurn = { seq: first + i, message: r.message, at: r.at };
    if (r.engine !== undefined) turn.engine = r.engine;
    return turn;
  });
}

const isPositiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** Refuses nonsensical append options with a message naming the option. */
export function checkAppendOptions(options: AppendOptions): void {
  if (options.maxTurns !== undefined && !isPositiveInt(options.maxTurns)) {
    throw new RangeError(`maxTurns must be a positive integer, got ${String(options.maxTurns)}`);
  }
  checkTtl(options);
  const ev = options.expectedVersion;
  if (ev !== undefined && !(typeof ev === 'number' && Number.isSafeInteger(ev) && ev >= 0)) {
    throw new RangeError(`expectedVersion must be a non-negative integer, got ${String(ev)}`);
  }
}

export function checkTtl(options: PutOptions): void {
  if (options.ttlMs !== undefined && !isPositiveInt(options.ttlMs)) {
    throw new RangeError(`ttlMs must be a positive integer number of milliseconds, got ${String(options.ttlMs)}`);
  }
}

export const systemStateClock: StateClock = { now: () => Date.now() };
