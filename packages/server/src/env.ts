import type { ServerCaller } from './auth.js';

/** What the server's middleware puts on a request's context for the handlers after it. */
export interface ServerEnv {
  Variables: {
    /** The authenticated caller (set by the bearer-auth middleware). */
    caller: ServerCaller;
  };
}
