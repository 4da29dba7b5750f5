/**
 * OpenAI Batch through the `openai` SDK: the requests go up as a JSON Lines file (`files.create`,
 * purpose `batch`), `batches.create` runs them on `/v1/chat/completions` in the 24 h window,
 * `batches.retrieve` polls, and the output and error files (`files.content`) carry the results.
 * Loaded with the SDK, on first use.
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { engineErrorFrom } from '../shared/classify.js';
import { CallDeadline } from '../shared/deadline.js';
import type { ProviderSdk } from '../shared/lazy-sdk.js';
import type { BatchLineResult, ProviderBatchApi, ProviderBatchInfo } from '../types.js';
import { toOpenAIBody } from './convert.js';
import { fromOpenAICompletion } from './response.js';

const ENDPOINT = '/v1/chat/completions';

function info(batch: OpenAI.Batches.Batch): ProviderBatchInfo {
  const ended = ['completed', 'expired', 'cancelled', 'failed'].includes(batch.status);
  const c = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
  const endedAs = batch.status === 'cancelled' ? 'canceled' : (batch.status as 'completed' | 'expired' | 'failed');
  return { id: batch.id, status: ended ? 'ended' : 'in_progress', ...(ended ? { endedAs } : {}), counts: { total: c.total, succeeded: c.completed, failed: c.failed } };
}

interface OutputLine {
  custom_id: string;
  response: { status_code: number; request_id?: string; body: unknown } | null;
  error: { code?: string | null; message?: string | null } | null;
}

/** The batch API of one OpenAI client. */
export function openaiBatches(load: () => Promise<ProviderSdk<OpenAI>>, timeoutMs: number): ProviderBatchApi {
  const call = async <T>(signal: AbortSignal | undefined, fn: (client: OpenAI, options: OpenAI.RequestOptions) => Promise<T>): Promise<T> => {
    const sdk = await load();
    const deadline = new CallDeadline('openai', timeoutMs, signal);
    try {
      return await fn(sdk.client, { ...(deadline.signal ? { signal: deadline.signal } : {}), timeout: deadline.timeoutMs });
    } catch (err) {
      throw sdk.toEngineError(err, deadline);
    } finally {
      deadline.dispose();
    }
  };
  const lineResult = (line: OutputLine): BatchLineResult => {
    const r = line.response;
    if (r !== null && r.status_code === 200) return { customId: line.custom_id, ok: true, response: fromOpenAICompletion(r.body, r.request_id ?? null) };
    if (r !== null) {
      const e = (r.body as { error?: { message?: string; type?: string; code?: string | null } } | undefined)?.error;
      return {
        customId: line.custom_id,
        ok: false,
        status: 'errored',
        error: engineErrorFrom({ provider: 'openai', status: r.status_code, errorType: e?.type ?? null, code: e?.code ?? null, message: e?.message ?? null, requestId: r.request_id ?? null }),
      };
    }
    const code = line.error?.code ?? 'batch_error';
    const status = code === 'batch_expired' ? 'expired' : code === 'batch_cancelled' ? 'canceled' : 'errored';
    return { customId: line.custom_id, ok: false, status, error: engineErrorFrom({ provider: 'openai', errorType: code, code, message: line.error?.message ?? code }) };
  };
  return {
    create: (lines, options) =>
      call(options?.signal, async (client, o) => {
        const jsonl = lines.map((l) => JSON.stringify({ custom_id: l.customId, method: 'POST', url: ENDPOINT, body: toOpenAIBody(l.request) })).join('\n');
        const file = await client.files.create({ file: await toFile(Buffer.from(`${jsonl}\n`), 'sdl-batch.jsonl'), purpose: 'batch' }, o);
        return info(await client.batches.create({ input_file_id: file.id, endpoint: ENDPOINT, completion_window: '24h' }, o));
      }),
    retrieve: (id, options) => call(options?.signal, async (client, o) => info(await client.batches.retrieve(id, o))),
    cancel: (id, options) => call(options?.signal, async (client, o) => info(await client.batches.cancel(id, o))),
    async *results(id, options): AsyncIterable<BatchLineResult> {
      const files = await call(options?.signal, async (client, o) => {
        const batch = await client.batches.retrieve(id, o);
        const texts: string[] = [];
        for (const fileId of [batch.output_file_id, batch.error_file_id]) {
          if (fileId) texts.push(await (await client.files.content(fileId, o)).text());
        }
        return texts;
      });
      for (const text of files) {
        for (const raw of text.split('\n')) if (raw.trim() !== '') yield lineResult(JSON.parse(raw) as OutputLine);
      }
    },
  };
}
