/**
 * Turn records and option checks shared by the stores, so every store accepts and returns exactly
 * the same shapes.
 */
import type { Message } from '@sdl/adapters';
import { StateCorruptionError, StateValueError } from './errors.js';
import type { AppendOptions, PutOptions, SessionTurn, StateClock, TurnInput } from './types.js';
import type { RecordOrigin } from './record.js';

/** A turn as checked from the runtime, before it is given its place in a session. */
export interface TurnDraft {
  at: number;
  engine?: string;
  message: Message;
}

/**
 * What a store persists per turn. `session` and `seq` bind the record to its session and its
 * position in the conversation (and so to the session's version: the last retained turn has
 * `seq === version`), inside the CRC, so a valid record moved to another position, another session
 * or replayed after a version change is detected like corruption.
 */
export interface TurnRecord extends TurnDraft {
  session: string;
  seq: number;
}

const ROLES = new Set(['user', 'assistant', 'tool']);

/** Checks a turn from the runtime and stamps it with the clock when it has no time. */
export function toTurnDraft(turn: TurnInput, clock: StateClock, index: number): TurnDraft {
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
  const record: TurnDraft = { at, message: message as Message };
  if (turn.engine !== undefined) record.engine = turn.engine;
  return record;
}

/** Gives drafts their place: the first one becomes turn `firstSeq` of `session`. */
export function bindTurns(drafts: readonly TurnDraft[], session: string, firstSeq: number): TurnRecord[] {
  return drafts.map((d, i) => ({ ...d, session, seq: firstSeq + i }));
}

/**
 * Checks a decoded turn record's shape (its CRC already matched) and that it is turn `seq` of
 * `session`: a record of another session or another position is refused as corruption.
 */
function parseTurnRecord(value: unknown, origin: RecordOrigin, session: string, seq: number): TurnRecord {
  const v = value as Partial<TurnRecord> | null;
  const fail = (reason: string): never => {
    throw new StateCorruptionError(origin.key, origin.location, undefined, undefined, reason);
  };
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.at !== 'number' ||
    typeof v.message !== 'object' ||
    v.message === null ||
    !ROLES.has((v.message as Message).role)
  ) {
    return fail('the record is not a session turn');
  }
  if (v.session !== session) return fail(`the turn belongs to session ${JSON.stringify(v.session)}`);
  if (v.seq !== seq) {
    return fail(`the turn at position ${seq} is turn ${JSON.stringify(v.seq)} (moved, replayed, or the version counter is wrong)`);
  }
  return v as TurnRecord;
}

/**
 * Parses the retained window of a session at `version`: the last record must be turn `version`,
 * the ones before it consecutive. A version counter smaller than the window is corruption too.
 */
export function parseWindow<F>(
  items: readonly F[],
  version: number,
  session: string,
  decode: (item: F, index: number) => { value: unknown; origin: RecordOrigin },
): TurnRecord[] {
  const first = version - items.length + 1;
  return items.map((item, i) => {
    const { value, origin } = decode(item, i);
    if (first < 1) {
      throw new StateCorruptionError(
        origin.key,
        origin.location,
        undefined,
        undefined,
        `the version counter (${version}) is smaller than the ${items.length} retained turns`,
      );
    }
    return parseTurnRecord(value, origin, session, first + i);
  });
}

/** Turns records (already checked by {@link parseWindow}) into `SessionTurn`s. */
export function numberTurns(records: readonly TurnRecord[]): SessionTurn[] {
  return records.map((r) => {
    const turn: SessionTurn = { seq: r.seq, message: r.message, at: r.at };
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
