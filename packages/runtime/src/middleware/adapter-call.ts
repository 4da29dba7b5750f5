import { EngineError, isEngineError } from '@sdl/adapters';
import { copyWith } from '../run/copy-with.js';
import { abortError, primeStream } from './stream.js';
import type { Terminal } from './types.js';

/**
 * The end of the chain: calls the adapter the call started on. A stream is primed up to its
 * first content event so that failures before any text reaches the caller surface here (and
 * can be retried or failed over); failures after that reach the caller as StreamInterruptedError.
 * Anything that is not an EngineError is wrapped as `server` so the taxonomy stays closed.
 */
export const callAdapter: Terminal = async (ctx) => {
  // The router's request carries the hop's model already; a copy is made only when a stage changed it.
  const request = ctx.request.model === ctx.model ? ctx.request : copyWith(ctx.request, 'model', ctx.model);
  try {
    if (!ctx.streaming) return { kind: 'response', response: await ctx.adapter.generate(request) };
    return { kind: 'stream', events: await primeStream(ctx.engine, ctx.adapter.stream(request)) };
  } catch (error) {
    if (isEngineError(error)) throw error;
    if (ctx.request.signal?.aborted) throw abortError(ctx.request.signal, ctx.provider);
    throw new EngineError('server', `engine "${ctx.engine}" failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, {
      provider: ctx.provider,
      cause: error,
    });
  }
};
