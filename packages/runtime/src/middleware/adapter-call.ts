import { EngineError, isEngineError, type EngineRequest, type EngineResponse } from '@sdl/adapters';
import { copyWith } from '../run/copy-with.js';
import { abortError, primeStream } from './stream.js';
import type { CallContext, CallResult, Terminal } from './types.js';

/**
 * The end of the chain: calls the adapter the call started on. A stream is primed up to its
 * first content event so that failures before any text reaches the caller surface here (and
 * can be retried or failed over); failures after that reach the caller as StreamInterruptedError.
 * Anything that is not an EngineError is wrapped as `server` so the taxonomy stays closed.
 */
export const callAdapter: Terminal = (ctx) => {
  // The router's request carries the hop's model already; a copy is made only when a stage changed it.
  const request = ctx.request.model === ctx.model ? ctx.request : copyWith(ctx.request, 'model', ctx.model);
  if (ctx.streaming) return callStream(ctx, request);
  // Not async: a call that answers passes through one `then` (an async frame per call cost more than this stage's work).
  let pending: Promise<EngineResponse>;
  try {
    pending = Promise.resolve(ctx.adapter.generate(request));
  } catch (error) {
    return Promise.reject(adapterFailure(ctx, error));
  }
  return pending.then(asResult, (error: unknown) => {
    throw adapterFailure(ctx, error);
  });
};

const asResult = (response: EngineResponse): CallResult => ({ kind: 'response', response });

async function callStream(ctx: CallContext, request: EngineRequest): Promise<CallResult> {
  try {
    return { kind: 'stream', events: await primeStream(ctx.engine, ctx.adapter.stream(request)) };
  } catch (error) {
    throw adapterFailure(ctx, error);
  }
}

/** What the chain sees of an adapter's failure: an EngineError as it is, the caller's abort, anything else as `server`. */
function adapterFailure(ctx: CallContext, error: unknown): unknown {
  if (isEngineError(error)) return error;
  if (ctx.request.signal?.aborted) return abortError(ctx.request.signal, ctx.provider);
  return new EngineError('server', `engine "${ctx.engine}" failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, {
    provider: ctx.provider,
    cause: error,
  });
}
