/**
 * Memory across sessions: `remember` and `recall`, host tools over any state store that keep facts
 * per user (the run's `RunOptions.user`), so what one session learns another can read. A skill
 * declares them under `tools:` like any tool and calls them from a `tool:` step or lets the model
 * call them. Values are redacted before they are stored; facts expire by their own TTL, checked
 * with the runtime's clock on every read (the store's own TTL only collects them).
 */
import type { JsonSchema, JsonValue } from '@sdl/adapters';
import type { StateClock, StateStore } from '../state/types.js';
import type { HostTool, ToolCallContext } from './registry.js';

/** Options of {@link memoryTools}. */
export interface MemoryToolsOptions {
  /** Epoch ms for fact expiry; default `Date.now`. */
  clock?: StateClock;
  /** Longest TTL a skill may ask for, in seconds; default 90 days. */
  maxTtlS?: number;
}

/** A fact as stored (namespace `facts:<user>`, key: the fact's key). */
interface StoredFact {
  value: JsonValue;
  savedAt: number;
  expiresAt?: number;
}

const KEY: JsonSchema = { type: 'string', minLength: 1, maxLength: 200, description: 'What the fact is about, e.g. `favourite_colour`.' };

/** The parameters `remember` takes: declare them the same way in the skill (or a compatible subset). */
export const REMEMBER_PARAMETERS: JsonSchema = {
  type: 'object',
  required: ['key', 'value'],
  properties: {
    key: KEY,
    value: { description: 'The fact: any JSON value.' },
    ttl_s: { type: 'integer', minimum: 1, description: 'Forget the fact after this many seconds; kept until replaced when absent.' },
  },
  additionalProperties: false,
};

/** The parameters `recall` takes. */
export const RECALL_PARAMETERS: JsonSchema = {
  type: 'object',
  required: ['key'],
  properties: { key: KEY },
  additionalProperties: false,
};

function scopeOf(context: ToolCallContext): string {
  if (context.user === undefined || context.user === '') {
    throw new Error('no user to remember for: run the skill with `RunOptions.user` (facts are kept per user)');
  }
  return `facts:${context.user}`;
}

/**
 * The `remember` and `recall` tools over `store`; register them with `createRuntime({ tools:
 * memoryTools(store) })` (the same store as the sessions, or another).
 *
 * - `remember({ key, value, ttl_s? })` stores the value, redacted by the skill's `policies.redact`
 *   (all built-in kinds when the skill names none), and answers `{ remembered, expires_at }`.
 * - `recall({ key })` answers `{ key, found: true, value }`, or `{ key, found: false }` when there
 *   is no such fact or it has expired.
 */
export function memoryTools(store: Pick<StateStore, 'get' | 'set'>, options: MemoryToolsOptions = {}): { remember: HostTool; recall: HostTool } {
  const now = () => (options.clock ?? { now: Date.now }).now();
  const maxTtlS = options.maxTtlS ?? 90 * 24 * 3600;
  return {
    remember: {
      description: 'Remember a fact about the user for later conversations.',
      parameters: REMEMBER_PARAMETERS,
      origin: 'the runtime (memoryTools)',
      async execute(args, context) {
        const namespace = scopeOf(context);
        const ttlS = typeof args.ttl_s === 'number' ? Math.min(args.ttl_s, maxTtlS) : undefined;
        const savedAt = now();
        const fact: StoredFact = { value: context.redact(args.value ?? null), savedAt };
        if (ttlS !== undefined) fact.expiresAt = savedAt + ttlS * 1000;
        await store.set(namespace, String(args.key), fact as unknown as JsonValue, ttlS === undefined ? {} : { ttlMs: ttlS * 1000 });
        return { remembered: String(args.key), expires_at: fact.expiresAt === undefined ? null : new Date(fact.expiresAt).toISOString() };
      },
    },
    recall: {
      description: 'Recall a fact remembered about the user.',
      parameters: RECALL_PARAMETERS,
      origin: 'the runtime (memoryTools)',
      async execute(args, context): Promise<JsonValue> {
        const key = String(args.key);
        const stored = await store.get(scopeOf(context), key);
        const fact = stored?.value as StoredFact | undefined;
        if (fact === undefined || (fact.expiresAt !== undefined && fact.expiresAt <= now())) return { key, found: false };
        return { key, found: true, value: fact.value };
      },
    },
  };
}
