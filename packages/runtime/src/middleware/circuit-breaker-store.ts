import type { Redis } from 'ioredis';
import { printRedacted } from '@sdl/adapters';
import { redisAddress } from '../state/redis-address.js';
import { closedRecord, type BreakerRecord } from './circuit-breaker-state.js';

/** Where breaker records live; `update` is an atomic read-modify-write. */
export interface BreakerStore {
  /** Applies `change` to the engine's record atomically (no concurrent update is lost) and returns its result. */
  update<T>(engine: string, change: (record: BreakerRecord) => T): Promise<T>;
  /** The engine's current record; a closed one when the engine has none yet. */
  read(engine: string): Promise<BreakerRecord>;
  /**
   * Optional synchronous `update`, for stores whose records live in this process: the
   * middleware then decides a call without a promise round.
   */
  updateNow?<T>(engine: string, change: (record: BreakerRecord) => T): T;
}

export class MemoryBreakerStore implements BreakerStore {
  private readonly records = new Map<string, BreakerRecord>();

  async update<T>(engine: string, change: (record: BreakerRecord) => T): Promise<T> {
    return this.updateNow(engine, change);
  }

  updateNow<T>(engine: string, change: (record: BreakerRecord) => T): T {
    let record = this.records.get(engine);
    if (!record) {
      record = closedRecord();
      this.records.set(engine, record);
    }
    return change(record);
  }

  async read(engine: string): Promise<BreakerRecord> {
    return structuredClone(this.records.get(engine) ?? closedRecord());
  }
}

/**
 * Breaker records shared through Redis, so every process sees one breaker per engine. Each
 * update is WATCH / GET / MULTI SET / EXEC, retried when another process changed the record.
 */
export class RedisBreakerStore implements BreakerStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sdl:breaker:',
    private readonly ttlMs = 24 * 3_600_000,
  ) {
    printRedacted(this, 'RedisBreakerStore', () => ({ address: redisAddress(this.redis) })); // the client's options hold the password
  }

  private conn: Redis | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  async update<T>(engine: string, change: (record: BreakerRecord) => T): Promise<T> {
    // Fast path: most calls (admitting on a closed breaker, a success on a healthy one) change
    // nothing, so one GET decides them and no transaction is needed.
    const raw = await this.redis.get(this.prefix + engine);
    const before = raw ?? JSON.stringify(closedRecord());
    const record = JSON.parse(before) as BreakerRecord;
    const result = change(record);
    if (JSON.stringify(record) === before) return result;
    // WATCH is per connection: updates from this process go one at a time on a connection of
    // their own, so they never interleave with each other or with the caller's commands.
    const run = this.tail.then(() => this.transact(engine, change));
    this.tail = run.catch(() => {});
    return run;
  }

  private async transact<T>(engine: string, change: (record: BreakerRecord) => T): Promise<T> {
    const key = this.prefix + engine;
    this.conn ??= this.redis.duplicate();
    const conn = this.conn;
    for (let i = 0; i < 50; i++) {
      await conn.watch(key);
      const raw = await conn.get(key);
      const record = raw ? (JSON.parse(raw) as BreakerRecord) : closedRecord();
      const result = change(record);
      const ok = await conn.multi().set(key, JSON.stringify(record), 'PX', this.ttlMs).exec();
      if (ok) return result;
    }
    throw new Error(`circuit breaker for "${engine}": too much contention updating its Redis record`);
  }

  /** Closes the store's own connection. */
  close(): void {
    this.conn?.disconnect();
    this.conn = undefined;
  }

  async read(engine: string): Promise<BreakerRecord> {
    const raw = await this.redis.get(this.prefix + engine);
    return raw ? (JSON.parse(raw) as BreakerRecord) : closedRecord();
  }
}
