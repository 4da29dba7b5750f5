import { callAdapter } from './adapter-call.js';
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
 */
export class MiddlewareChain {
  private stages: NamedMiddleware[];
  private composed: Terminal;

  constructor(
    stages: NamedMiddleware[],
    private readonly terminal: Terminal = callAdapter,
  ) {
    this.stages = [...stages];
    this.composed = this.compose();
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
    this.composed = this.compose();
    return this;
  }

  /** Removes a stage (e.g. a host that brings its own cache). */
  remove(name: string): this {
    this.stages = this.stages.filter((s) => s.name !== name);
    this.composed = this.compose();
    return this;
  }

  /** Runs one call through the chain. */
  run(ctx: CallContext): Promise<CallResult> {
    return this.composed(ctx);
  }

  private compose(): Terminal {
    return compose(
      this.stages.map((s) => s.middleware),
      this.terminal,
    );
  }
}
