/**
 * The providers' batch APIs, emulated: Anthropic Message Batches (`/v1/messages/batches`: create,
 * retrieve, results as JSON Lines, cancel) and OpenAI Batch (`/v1/files` upload and content,
 * `/v1/batches`: create, retrieve, cancel; results in an output file and an error file). A batch
 * ends after a set number of polls (no timers, so tests are deterministic); each line is answered
 * like the chat endpoint would answer it, and the emulator's fault rules fail lines at random
 * (partial failure). `expireNextBatch(n)` makes the next batch expire after `n` lines.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dialect, WireErrorKind } from './dialect.js';
import { isObject } from './dialect.js';
import { drawFault, type FaultRule } from './faults.js';
import type { EmulatorRequest } from './reply.js';

/** How one line of a batch ended. */
type LineResult =
  | { customId: string; kind: 'succeeded'; body: unknown }
  | { customId: string; kind: 'errored'; status: number; error: WireErrorKind; message: string }
  | { customId: string; kind: 'expired' | 'canceled' };

interface EmulatedBatch {
  id: string;
  lines: Array<{ customId: string; body: unknown }>;
  polls: number;
  state: 'in_progress' | 'canceling' | 'ended';
  endedAs?: 'completed' | 'expired' | 'canceled';
  /** Lines processed before the batch expires (absent: all). */
  expireAfter?: number;
  results?: LineResult[];
  createdAt: number;
  inputFileId?: string;
  outputFileId?: string;
  errorFileId?: string;
  metadata?: unknown;
}

/** What a batch book needs from its emulator. */
export interface BatchBookOptions {
  dialect: Dialect;
  rules: FaultRule[];
  random: () => number;
  /** Polls (retrieve calls) until a batch ends; default 2. */
  pollsToEnd?: number;
  /** The reply body of one line, as the chat endpoint would send it. */
  answer(request: EmulatorRequest): Promise<unknown>;
  now(): number;
}

/** An answer to a batch route. */
export interface BatchAnswer {
  status: number;
  body: unknown;
  /** Raw text (JSON Lines) instead of a JSON body. */
  text?: string;
}

const STATUS_OF: Partial<Record<string, { status: number; error: WireErrorKind; message: string }>> = {
  context: { status: 400, error: 'context', message: 'prompt is too long: the request exceeds the maximum context length of this model' },
  '500': { status: 500, error: 'server', message: 'Internal server error' },
  '502': { status: 502, error: 'bad_gateway', message: 'Bad gateway' },
  '503': { status: 503, error: 'unavailable', message: 'The service is temporarily unavailable' },
  '529': { status: 529, error: 'overloaded', message: 'Overloaded' },
};

/** The batches and files of one emulator. */
export class BatchBook {
  private readonly batches = new Map<string, EmulatedBatch>();
  private readonly files = new Map<string, { text: string; purpose: string; filename: string }>();
  private counter = 0;
  private nextExpiry: number | undefined;
  /** Every batch created, in order (for assertions). */
  readonly created: string[] = [];

  constructor(private readonly options: BatchBookOptions) {}

  /** The next batch created expires after `completedLines` lines were processed. */
  expireNextBatch(completedLines: number): void {
    this.nextExpiry = completedLines;
  }

  /** Answers a batch or file route, or undefined when `path` is not one. */
  async handle(method: string, path: string, raw: string, headers: IncomingHttpHeaders, origin: string): Promise<BatchAnswer | undefined> {
    return this.options.dialect.provider === 'anthropic' ? this.anthropic(method, path, raw, origin) : this.options.dialect.provider === 'openai' ? this.openai(method, path, raw, headers) : undefined;
  }

  private async anthropic(method: string, path: string, raw: string, origin: string): Promise<BatchAnswer | undefined> {
    const m = /^\/v1\/messages\/batches(?:\/([\w-]+))?(?:\/(results|cancel))?$/.exec(path);
    if (m === null) return undefined;
    const [, id, action] = m;
    if (id === undefined) {
      if (method !== 'POST') return undefined;
      const body = parseJson(raw);
      if (!isObject(body) || !Array.isArray(body.requests) || body.requests.length === 0) return this.invalid('requests: at least one request is required');
      const lines: EmulatedBatch['lines'] = [];
      const seen = new Set<string>();
      for (const [i, r] of body.requests.entries()) {
        if (!isObject(r) || typeof r.custom_id !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(r.custom_id)) return this.invalid(`requests.${i}.custom_id: 1 to 64 letters, digits, _ or -`);
        if (seen.has(r.custom_id)) return this.invalid(`requests.${i}.custom_id: duplicate custom_id ${r.custom_id}`);
        seen.add(r.custom_id);
        if (!isObject(r.params)) return this.invalid(`requests.${i}.params: Field required`);
        lines.push({ customId: r.custom_id, body: r.params });
      }
      const batch = this.create('msgbatch_emu', lines);
      return { status: 200, body: this.anthropicBatch(batch, origin) };
    }
    const batch = this.batches.get(id);
    if (batch === undefined) return { status: 404, body: this.options.dialect.errorBody('not_found', `batch ${id} not found`, ids()) };
    if (action === 'cancel' && method === 'POST') {
      if (batch.state === 'in_progress') batch.state = 'canceling';
      return { status: 200, body: this.anthropicBatch(batch, origin) };
    }
    if (action === 'results' && method === 'GET') {
      if (batch.results === undefined) return { status: 400, body: this.options.dialect.errorBody('invalid', `batch ${id} is still in progress`, ids()) };
      const text = batch.results.map((r) => JSON.stringify({ custom_id: r.customId, result: anthropicResult(r, this.options.dialect) })).join('\n');
      return { status: 200, body: undefined, text: `${text}\n` };
    }
    if (action === undefined && method === 'GET') {
      await this.poll(batch);
      return { status: 200, body: this.anthropicBatch(batch, origin) };
    }
    return undefined;
  }

  private anthropicBatch(batch: EmulatedBatch, origin: string) {
    const count = (kind: LineResult['kind']) => batch.results?.filter((r) => r.kind === kind).length ?? 0;
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: batch.state,
      request_counts: { processing: batch.results === undefined ? batch.lines.length : 0, succeeded: count('succeeded'), errored: count('errored'), canceled: count('canceled'), expired: count('expired') },
      created_at: iso(batch.createdAt),
      expires_at: iso(batch.createdAt + 24 * 3600_000),
      ended_at: batch.state === 'ended' ? iso(this.options.now()) : null,
      archived_at: null,
      cancel_initiated_at: batch.state === 'canceling' || batch.endedAs === 'canceled' ? iso(this.options.now()) : null,
      results_url: batch.state === 'ended' ? `${origin}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  private async openai(method: string, path: string, raw: string, headers: IncomingHttpHeaders): Promise<BatchAnswer | undefined> {
    if (path === '/v1/files' && method === 'POST') {
      const form = parseMultipart(raw, headers['content-type']);
      if (form === undefined || form.file === undefined) return this.invalid('expected multipart/form-data with a `file` part');
      if (form.purpose !== 'batch') return this.invalid(`purpose must be batch, not ${form.purpose ?? '(none)'}`);
      const id = `file-emu${++this.counter}`;
      this.files.set(id, { text: form.file.text, purpose: 'batch', filename: form.file.filename });
      return { status: 200, body: this.fileObject(id) };
    }
    const file = /^\/v1\/files\/([\w-]+)\/content$/.exec(path);
    if (file !== null && method === 'GET') {
      const found = this.files.get(file[1]!);
      if (found === undefined) return { status: 404, body: this.options.dialect.errorBody('not_found', `file ${file[1]} not found`, ids()) };
      return { status: 200, body: undefined, text: found.text };
    }
    const m = /^\/v1\/batches(?:\/([\w-]+))?(?:\/(cancel))?$/.exec(path);
    if (m === null) return undefined;
    const [, id, action] = m;
    if (id === undefined) {
      if (method !== 'POST') return undefined;
      const body = parseJson(raw);
      if (!isObject(body) || typeof body.input_file_id !== 'string') return this.invalid('input_file_id: Field required');
      if (body.endpoint !== '/v1/chat/completions') return this.invalid(`endpoint ${String(body.endpoint)} is not emulated; use /v1/chat/completions`);
      if (body.completion_window !== '24h') return this.invalid('completion_window must be 24h');
      const input = this.files.get(body.input_file_id);
      if (input === undefined) return this.invalid(`input_file_id ${body.input_file_id} not found`);
      const lines: EmulatedBatch['lines'] = [];
      const seen = new Set<string>();
      for (const [i, text] of input.text.split('\n').filter((l) => l.trim() !== '').entries()) {
        const line = parseJson(text);
        if (!isObject(line) || typeof line.custom_id !== 'string' || line.method !== 'POST' || line.url !== '/v1/chat/completions' || !isObject(line.body)) {
          return this.invalid(`line ${i + 1} of the input file: expected {custom_id, method: POST, url: /v1/chat/completions, body}`);
        }
        if (seen.has(line.custom_id)) return this.invalid(`line ${i + 1}: duplicate custom_id ${line.custom_id}`);
        seen.add(line.custom_id);
        lines.push({ customId: line.custom_id, body: line.body });
      }
      const batch = this.create('batch_emu', lines);
      batch.inputFileId = body.input_file_id;
      batch.metadata = body.metadata ?? null;
      return { status: 200, body: this.openaiBatch(batch) };
    }
    const batch = this.batches.get(id);
    if (batch === undefined) return { status: 404, body: this.options.dialect.errorBody('not_found', `batch ${id} not found`, ids()) };
    if (action === 'cancel' && method === 'POST') {
      if (batch.state === 'in_progress') batch.state = 'canceling';
      return { status: 200, body: this.openaiBatch(batch) };
    }
    if (action === undefined && method === 'GET') {
      await this.poll(batch);
      return { status: 200, body: this.openaiBatch(batch) };
    }
    return undefined;
  }

  private openaiBatch(batch: EmulatedBatch) {
    const s = Math.floor(batch.createdAt / 1000);
    const now = Math.floor(this.options.now() / 1000);
    const status =
      batch.state === 'in_progress' ? 'in_progress' : batch.state === 'canceling' ? 'cancelling' : batch.endedAs === 'completed' ? 'completed' : batch.endedAs === 'expired' ? 'expired' : 'cancelled';
    const done = batch.results?.filter((r) => r.kind === 'succeeded').length ?? 0;
    const failed = batch.results?.filter((r) => r.kind !== 'succeeded').length ?? 0;
    return {
      id: batch.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      errors: null,
      input_file_id: batch.inputFileId,
      completion_window: '24h',
      status,
      output_file_id: batch.outputFileId ?? null,
      error_file_id: batch.errorFileId ?? null,
      created_at: s,
      in_progress_at: s,
      expires_at: s + 24 * 3600,
      finalizing_at: batch.state === 'ended' ? now : null,
      completed_at: batch.endedAs === 'completed' ? now : null,
      failed_at: null,
      expired_at: batch.endedAs === 'expired' ? now : null,
      cancelling_at: batch.state === 'canceling' || batch.endedAs === 'canceled' ? now : null,
      cancelled_at: batch.endedAs === 'canceled' ? now : null,
      request_counts: { total: batch.lines.length, completed: done, failed },
      metadata: batch.metadata ?? null,
    };
  }

  private fileObject(id: string) {
    const f = this.files.get(id)!;
    return { id, object: 'file', bytes: Buffer.byteLength(f.text), created_at: Math.floor(this.options.now() / 1000), filename: f.filename, purpose: f.purpose, status: 'processed' };
  }

  private create(prefix: string, lines: EmulatedBatch['lines']): EmulatedBatch {
    const id = `${prefix}${String(++this.counter).padStart(6, '0')}`;
    const batch: EmulatedBatch = { id, lines, polls: 0, state: 'in_progress', createdAt: this.options.now() };
    if (this.nextExpiry !== undefined) {
      batch.expireAfter = this.nextExpiry;
      this.nextExpiry = undefined;
    }
    this.batches.set(id, batch);
    this.created.push(id);
    return batch;
  }

  /** One retrieve: after `pollsToEnd` of them (at once when canceling) the batch ends. */
  private async poll(batch: EmulatedBatch): Promise<void> {
    if (batch.state === 'ended') return;
    batch.polls++;
    const canceling = batch.state === 'canceling';
    if (!canceling && batch.polls < (this.options.pollsToEnd ?? 2)) return;
    const results: LineResult[] = [];
    for (const [i, line] of batch.lines.entries()) {
      if (canceling) results.push({ customId: line.customId, kind: 'canceled' });
      else if (batch.expireAfter !== undefined && i >= batch.expireAfter) results.push({ customId: line.customId, kind: 'expired' });
      else results.push(await this.answerLine(line));
    }
    batch.results = results;
    batch.state = 'ended';
    batch.endedAs = canceling ? 'canceled' : batch.expireAfter !== undefined && batch.expireAfter < batch.lines.length ? 'expired' : 'completed';
    if (this.options.dialect.provider === 'openai') this.writeOpenAIFiles(batch, results);
  }

  private async answerLine(line: EmulatedBatch['lines'][number]): Promise<LineResult> {
    const parsed = this.options.dialect.parse(line.body, {});
    if (typeof parsed === 'string') return { customId: line.customId, kind: 'errored', status: 400, error: 'invalid', message: parsed };
    if (parsed.stream) return { customId: line.customId, kind: 'errored', status: 400, error: 'invalid', message: 'stream is not supported in a batch' };
    const fault = drawFault(this.options.rules, this.options.random);
    const failure = fault === undefined ? undefined : STATUS_OF[fault.name];
    if (failure !== undefined) return { customId: line.customId, kind: 'errored', ...failure };
    return { customId: line.customId, kind: 'succeeded', body: await this.options.answer(parsed) };
  }

  private writeOpenAIFiles(batch: EmulatedBatch, results: LineResult[]): void {
    const out: string[] = [];
    const errors: string[] = [];
    for (const [i, r] of results.entries()) {
      const id = `batch_req_emu${this.counter}_${i + 1}`;
      if (r.kind === 'succeeded') out.push(JSON.stringify({ id, custom_id: r.customId, response: { status_code: 200, request_id: `req_${id}`, body: r.body }, error: null }));
      else if (r.kind === 'errored') {
        errors.push(JSON.stringify({ id, custom_id: r.customId, response: { status_code: r.status, request_id: `req_${id}`, body: this.options.dialect.errorBody(r.error, r.message, ids()) }, error: null }));
      } else {
        const code = r.kind === 'expired' ? 'batch_expired' : 'batch_cancelled';
        errors.push(JSON.stringify({ id, custom_id: r.customId, response: null, error: { code, message: `This request could not be executed before the batch ${r.kind === 'expired' ? 'expired' : 'was cancelled'}.` } }));
      }
    }
    const save = (lines: string[], name: string) => {
      if (lines.length === 0) return undefined;
      const id = `file-emu${++this.counter}`;
      this.files.set(id, { text: `${lines.join('\n')}\n`, purpose: 'batch_output', filename: `${batch.id}_${name}.jsonl` });
      return id;
    };
    const outputFileId = save(out, 'output');
    const errorFileId = save(errors, 'error');
    if (outputFileId !== undefined) batch.outputFileId = outputFileId;
    if (errorFileId !== undefined) batch.errorFileId = errorFileId;
  }

  private invalid(message: string): BatchAnswer {
    return { status: 400, body: this.options.dialect.errorBody('invalid', message, ids()) };
  }
}

function anthropicResult(r: LineResult, dialect: Dialect): unknown {
  switch (r.kind) {
    case 'succeeded':
      return { type: 'succeeded', message: r.body };
    case 'errored':
      return { type: 'errored', error: dialect.errorBody(r.error, r.message, ids()) };
    default:
      return { type: r.kind };
  }
}

const ids = () => ({ requestId: 'req_emu_batch', responseId: 'msg_emu_batch', created: 0 });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The fields of a multipart/form-data body (text parts; the file part with its name). */
function parseMultipart(raw: string, contentType: string | undefined): { file?: { filename: string; text: string }; purpose?: string } | undefined {
  const boundary = contentType === undefined ? undefined : /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return undefined;
  const marker = `--${boundary[1] ?? boundary[2]}`;
  const form: { file?: { filename: string; text: string }; purpose?: string } = {};
  for (const part of raw.split(marker).slice(1)) {
    if (part.startsWith('--')) break;
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    if (name === 'file') form.file = { filename: filename ?? 'file', text: value };
    else if (name === 'purpose') form.purpose = value;
  }
  return form;
}
