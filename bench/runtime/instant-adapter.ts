/** An adapter that answers every call at once with an echo of the question (tracing.ts, tracing-share.ts). */
import type { EngineAdapter, EngineRequest, EngineResponse } from '@sdl/adapters';

export const instant = {
  provider: 'anthropic',
  enforcesTimeout: true,
  async generate(request: EngineRequest): Promise<EngineResponse> {
    return { text: `echo: ${request.messages[0]!.content as string}`, toolCalls: [], usage: { inputTokens: 12, outputTokens: 5 }, stopReason: 'end', model: request.model, requestId: 'msg_1' };
  },
  async *stream() {},
} as unknown as EngineAdapter;
