import type { EngineRequest, Message } from '@sdl/adapters';
import { Redactor } from '../observability/redactor.js';
import { withTraits } from './stage-traits.js';
import type { Middleware, Terminal } from './types.js';

/** Redacts every text field of a request (system, messages, tool arguments and results). */
export function redactRequest(redactor: Redactor, request: EngineRequest): EngineRequest {
  if (redactor.empty) return request;
  const messages = request.messages.map((m): Message => {
    if (m.role === 'assistant') {
      const out = { ...m, content: redactor.redact(m.content) };
      if (m.toolCalls) out.toolCalls = m.toolCalls.map((c) => ({ ...c, arguments: redactor.redactDeep(c.arguments) }));
      return out;
    }
    return { ...m, content: redactor.redact(m.content) };
  });
  const out: EngineRequest = { ...request, messages };
  if (request.system !== undefined) out.system = redactor.redact(request.system);
  return out;
}

/**
 * Outermost built-in: replaces personal data and secrets in the request before it leaves the
 * process (and before the cache key is computed, so nothing sensitive is stored either).
 * Redactors are compiled once per distinct policy.
 */
export function redactionMiddleware(): Middleware {
  const compiled = new Map<string, Redactor>();
  const middleware: Middleware = (ctx, next: Terminal) => {
    const { kinds, custom } = ctx.policies.redact;
    if (kinds.length === 0 && custom.length === 0) return next(ctx);
    const key = JSON.stringify([kinds, custom]);
    let redactor = compiled.get(key);
    if (!redactor) {
      redactor = new Redactor({ kinds, custom });
      if (compiled.size > 256) compiled.clear();
      compiled.set(key, redactor);
    }
    ctx.request = redactRequest(redactor, ctx.request);
    return next(ctx);
  };
  return withTraits(middleware, {
    idle: (p) => p.redact.kinds.length === 0 && p.redact.custom.length === 0,
    signalBlind: true,
    passesContext: true,
  });
}
