/**
 * Anthropic Message Batches through `@anthropic-ai/sdk` (`messages.batches`): create, retrieve,
 * results (the JSON Lines stream at `results_url`), cancel. Loaded with the SDK, on first use.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { engineErrorFrom } from '../shared/classify.js';
import { CallDeadline } from '../shared/deadline.js';
import type { BatchLineResult, BatchRequestLine, ProviderBatchApi, ProviderBatchInfo } from '../types.js';
import { toAnthropicBody } from './convert.js';
import { fromAnthropicMessage } from './response.js';
import type { AnthropicSdk } from './sdk.js';

type Batch = Anthropic.Messages.Batches.MessageBatch;

function info(batch: Batch): ProviderBatchInfo {
  const c = batch.request_counts;
  const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
  const ended = batch.processing_status === 'ended';
  return {
    id: batch.id,
    status: ended ? 'ended' : 'in_progress',
    ...(ended ? { endedAs: c.expired > 0 ? 'expired' : batch.cancel_initiated_at !== null ? 'canceled' : 'completed' } : {}),
    counts: { total, succeeded: c.succeeded, failed: c.errored + c.canceled + c.expired },
  } as ProviderBatchInfo;
}

/** The batch API of one Anthropic client. */
export function anthropicBatches(load: () => Promise<AnthropicSdk>, timeoutMs: number, defaultMaxTokens: number): ProviderBatchApi {
  /** Runs one SDK call under a deadline, with its errors as EngineErrors. */
  const call = async <T>(signal: AbortSignal | undefined, fn: (sdk: AnthropicSdk, options: Anthropic.RequestOptions) => Promise<T>): Promise<T> => {
    const sdk = await load();
    const deadline = new CallDeadline('anthropic', timeoutMs, signal, true);
    try {
      return await fn(sdk, sdk.requestOptions(deadline));
    } catch (err) {
      throw sdk.toEngineError(err, deadline);
    } finally {
      deadline.dispose();
    }
  };
  return {
    create: (lines: BatchRequestLine[], options) =>
      call(options?.signal, async (sdk, o) =>
        info(await sdk.client.messages.batches.create({ requests: lines.map((l) => ({ custom_id: l.customId, params: toAnthropicBody(l.request, defaultMaxTokens) })) }, o)),
      ),
    retrieve: (id, options) => call(options?.signal, async (sdk, o) => info(await sdk.client.messages.batches.retrieve(id, {}, o))),
    cancel: (id, options) => call(options?.signal, async (sdk, o) => info(await sdk.client.messages.batches.cancel(id, {}, o))),
    async *results(id, options): AsyncIterable<BatchLineResult> {
      const decoder = await call(options?.signal, (sdk, o) => sdk.client.messages.batches.results(id, {}, o));
      for await (const line of decoder) {
        const r = line.result;
        if (r.type === 'succeeded') yield { customId: line.custom_id, ok: true, response: fromAnthropicMessage(r.message) };
        else if (r.type === 'errored') {
          const e = r.error.error;
          yield {
            customId: line.custom_id,
            ok: false,
            status: 'errored',
            error: engineErrorFrom({ provider: 'anthropic', errorType: e.type, message: e.message, requestId: (r.error as { request_id?: string | null }).request_id ?? null }),
          };
        } else {
          yield { customId: line.custom_id, ok: false, status: r.type, error: engineErrorFrom({ provider: 'anthropic', errorType: `batch_${r.type}`, message: `the line was ${r.type} before the batch processed it` }) };
        }
      }
    },
  };
}
