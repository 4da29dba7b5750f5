import { callAdapter } from './adapter-call.js';
import type { ResolvedPolicies } from './policies.js';
import { traitsOf } from './stage-traits.js';
import { compose, type CallContext, type CallResult, type Middleware, type Terminal } from './types.js';

/** The built-in stages, outermost first. */
export const DEFAULT_ORDER = [
  'redaction',
  'cache',
  'budget',
  'rate-limit',
  'circuit-breaker',
  'retry',
  'timeout',
  'metrics',
] as const;

/** The name of a built-in middleware stage (see {@link DEFAULT_ORDER}). */
export type StageName = (typeof DEFAULT_ORDER)[number];

/** A middleware with the stage name it is placed and removed by. */
export interface NamedMiddleware {
  name: string;
  middleware: Middleware;
}

/** Where a host middleware goes, relative to a named stage (built-in or host). */
export type Position = { before: string } | { after: string } | 'outermost' | 'innermost';

/**
 * An ordered list of named middleware around the adapter call. Hosts insert their own at a
 * documented position (`{ before: 'retry' }`, `{ after: 'cache' }`, ...); the chain is
 * composed again on change, so a change affects new calls only.
 *
 * The chain is composed once per distinct set of resolved policies (the router resolves them
 * once per skill and engine): a built-in stage with nothing to do under those policies (no
 * redaction rules, no rate limits, no cache ttl, a single attempt) is left out of that
 * composition rather than called through, and a stage may specialize for the stages inside it.
 */
export class MiddlewareChain {
  private stages: NamedMiddleware[];
  /** The composition for each policies object seen; replaced when the stages change. */
  private composed = new WeakMap<ResolvedPolicies, Terminal>();

  constructor(
    stages: NamedMiddleware[],
    private readonly terminal: Terminal = callAdapter,
  ) {
    this.stages = [...stages];
  }

  /** Stage names, outermost first. */
  names(): string[] {
    return this.stages.map((s) => s.name);
  }

  /** Inserts `middleware` under `name` at `position`. */
  use(name: string, middleware: Middleware, position: Position = { before: 'metrics' }): this {
    if (this.stages.some((s) => s.name === name)) throw new Error(`middleware "${name}" is already in the chain`);
    const entry = { name, middleware };
    let index: number;
    if (position === 'outermost') index = 0;
    else if (position === 'innermost') index = this.stages.length;
    else {
      const anchor = 'before' in position ? position.before : position.after;
      const at = this.stages.findIndex((s) => s.name === anchor);
      if (at < 0) throw new Error(`no middleware named "${anchor}" in the chain; stages are: ${this.names().join(', ')}`);
      index = 'before' in position ? at : at + 1;
    }
    this.stages.splice(index, 0, entry);
    this.composed = new WeakMap();
    return this;
  }

  /** Removes a stage (e.g. a host that brings its own cache). */
  remove(name: string): this {
    this.stages = this.stages.filter((s) => s.name !== name);
    this.composed = new WeakMap();
    return this;
  }

  /** Runs one call through the chain. */
  run(ctx: CallContext): Promise<CallResult> {
    return (this.composed.get(ctx.policies) ?? this.composeFor(ctx.policies))(ctx);
  }

  /** The names of the stages a call under `policies` runs through, outermost first. */
  activeNames(policies: ResolvedPolicies): string[] {
    return this.stages.filter((s) => !traitsOf(s.middleware)?.idle?.(policies)).map((s) => s.name);
  }

  private composeFor(policies: ResolvedPolicies): Terminal {
    const active = this.stages.map((s) => s.middleware).filter((m) => !traitsOf(m)?.idle?.(policies));
    // Only the built-in terminal is known not to need what a specialized stage leaves out.
    const specialized = active.map((m, i) => {
      const specialize = traitsOf(m)?.specialize;
      return specialize && this.terminal === callAdapter ? specialize(active.slice(i + 1), active.slice(0, i)) : m;
    });
    const composed = compose(specialized, this.terminal);
    this.composed.set(policies, composed);
    return composed;
  }
}
