/**
 * Bearer-token authentication: `Authorization: Bearer <token>` must match one configured caller's
 * token. Tokens are compared as SHA-256 digests with `timingSafeEqual` (equal lengths, so the time
 * says nothing about the token), against every caller without stopping at the first match. The
 * token is never logged nor echoed; the caller's name is what the rest of the server sees.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorBody } from './errors.js';
import type { ServerEnv } from './env.js';

/** Something that holds a token without printing it (the config's `Secret`), or the token itself. */
export interface TokenSource {
  /** The token's value. */
  reveal(): string;
}

/** One caller the server accepts: its name (for limits, sessions and logs) and its token. */
export interface ServerCaller {
  /** Letters, digits, `_` and `-`; rate limits and sessions are keyed by it. */
  name: string;
  /** The bearer token (a `Secret` from the config, or any object with `reveal()`). */
  token: TokenSource;
  /** This caller's own limits; the server's `defaultLimits` otherwise. */
  limits?: CallerLimits;
}

/** Per-caller limits on starting runs. */
export interface CallerLimits {
  /** Runs started per minute. */
  rpm?: number;
  /** Runs that may start at once after a quiet spell (default `rpm`). */
  burstRequests?: number;
  /** Runs in flight at once. */
  concurrency?: number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Finds the caller whose token equals `token`, in time independent of which one (or none) matches. */
export function matchCaller(callers: readonly { caller: ServerCaller; digest: Buffer }[], token: string): ServerCaller | undefined {
  const offered = digest(token);
  let found: ServerCaller | undefined;
  for (const entry of callers) {
    if (timingSafeEqual(entry.digest, offered) && found === undefined) found = entry.caller;
  }
  return found;
}

/** The middleware: sets `caller` on the context, or answers 401 with `WWW-Authenticate: Bearer`. */
export function bearerAuth(callers: readonly ServerCaller[]): MiddlewareHandler<ServerEnv> {
  // Digests once at start-up; the revealed tokens are not kept.
  const table = callers.map((caller) => ({ caller, digest: digest(caller.token.reveal()) }));
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header === undefined ? undefined : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    const caller = match === null || match === undefined ? undefined : matchCaller(table, match[1]!);
    if (caller === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="sdl"');
      const message =
        header === undefined
          ? 'this endpoint needs `Authorization: Bearer <token>`; ask the operator for a token (server.callers in sdl.config.yaml)'
          : match === null
            ? 'the Authorization header is not `Bearer <token>`'
            : 'the bearer token is not valid';
      return c.json(errorBody('unauthorized', message), 401);
    }
    c.set('caller', caller);
    await next();
  };
}
