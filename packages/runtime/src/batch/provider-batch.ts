/**
 * Provider batches behind `runtime.providerBatch` (`skillc batch --provider-batch`): every item's
 * model calls go to the provider's batch API (Anthropic Message Batches, OpenAI Batch) instead of
 * one request each, at the batch price.
 *
 * How: each item runs on a runtime of its own whose only engine is a *deferring* adapter. A call
 * it has no answer for waits; once every run is waiting (or done), the waiting requests go to the
 * provider as one batch, which is polled with backoff; its results answer the waiting calls and the
 * runs go on. A skill of several steps takes one round per step. Prompt rendering, output parsing
 * and validation, repair and cost are the runtime's own, so a line's result is what `runtime.run`
 * would have returned.
 *
 * Resuming: the provider batch each request went into is recorded in Redis under its content hash
 * before polling starts; a rerun renders the same requests, finds them recorded and polls (or reads
 * the results of) the same provider batch instead of submitting and paying again.
 */
import { EngineError, RETRYABLE_KINDS, type BatchLineResult, type EngineAdapter, type EngineRequest, type EngineResponse, type ModelDescriptor, type ProviderBatchApi, type StreamEvent } from '@sdl/adapters';
import { canonicalJson, sha256 } from '@sdl/compiler/core';
import { Redis } from 'ioredis';
import type { LoadedSkill } from '../load/loaded-skill.js';
import type { PreparedSkill } from '../load/prepare.js';
import type { EngineBinding } from '../run/call-model.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { classifyBatchError } from './classify.js';
import { ProviderBatchLineError, ProviderBatchUnsupportedError } from './provider-errors.js';
import { batchId, DEFAULT_BATCH_PREFIX, OUTCOME_TTL_SECONDS } from './keys.js';
import { createTally } from './tally.js';
import type { BatchItem, BatchOutcome, BatchProgress, BatchSummary } from './types.js';

/** Options of {@link Runtime.providerBatch}. */
export interface ProviderBatchOptions {
  /** Redis URL (or a client, duplicated and left open) where submitted provider batches are recorded. */
  redis: string | Redis;
  /** Key prefix (default `sdl`). */
  prefix?: string;
  /** What makes a rerun the same batch (with the skill's hash); the CLI uses the output file's path. */
  name?: string;
  /** The engine whose provider runs the batch (default: the runtime's first engine). */
  engine?: string;
  /** Rounds a line whose provider error is transient (server, overload, rate limit) is submitted again (default 3 in all). */
  attempts?: number;
  /** First wait before polling a provider batch, in ms, doubling per poll (default 5000). */
  pollMs?: number;
  /** Longest wait between polls, in ms (default 60000). */
  maxPollMs?: number;
  /** Most requests in one provider batch (default 10000; Anthropic allows 100,000, OpenAI 50,000). */
  maxLinesPerBatch?: number;
  /** How long no run may make progress before the waiting calls are submitted, in ms (default 50). */
  settleMs?: number;
  /** True for items the caller already holds an outcome for (resuming); they are counted as skipped. */
  completed?(line: number, key: string): boolean;
  /** Each finished item, in completion order; awaited before the next. */
  onOutcome?(outcome: BatchOutcome): void | Promise<void>;
  /** About once per `progressIntervalMs` and once at the end. */
  onProgress?(progress: BatchProgress): void;
  /** Default 1000. */
  progressIntervalMs?: number;
  /** Stops waiting; provider batches already submitted keep running and a rerun picks them up. */
  signal?: AbortSignal;
  /** Called with each provider batch submitted or resumed (its id and line count), for logs. */
  onProviderBatch?(event: { id: string; lines: number; resumed: boolean }): void;
}

/** The model's descriptor with the batch-API prices as its prices (where the cost table has them). */
export function batchPriced(descriptor: ModelDescriptor | undefined): ModelDescriptor | undefined {
  if (descriptor === undefined) return undefined;
  const p = descriptor.pricing;
  return { ...descriptor, pricing: { ...p, inputPerMTok: p.batchInputPerMTok ?? p.inputPerMTok, outputPerMTok: p.batchOutputPerMTok ?? p.outputPerMTok } };
}

/** What a request is, for matching: everything the provider sees (not the signal or timeout). */
function requestHash(request: EngineRequest): string {
  const { signal: _signal, timeoutMs: _timeout, ...wire } = request;
  return sha256(canonicalJson(wire as never)).slice(0, 40);
}

type Answer = { ok: true; response: EngineResponse } | { ok: false; error: Error };

interface Waiting {
  request: EngineRequest;
  resolvers: Array<{ resolve(r: EngineResponse): void; reject(e: Error): void }>;
}

/** The adapter of the per-item runtimes: answers from batch results, or waits for the next round. */
class DeferringAdapter implements EngineAdapter {
  readonly answers = new Map<string, Answer>();
  readonly waiting = new Map<string, Waiting>();
  /** Bumped on every call, so the coordinator can tell progress from a standstill. */
  ticks = 0;
  constructor(readonly provider: EngineAdapter['provider']) {}

  generate(request: EngineRequest): Promise<EngineResponse> {
    this.ticks++;
    const hash = requestHash(request);
    const answer = this.answers.get(hash);
    if (answer !== undefined) return answer.ok ? Promise.resolve(answer.response) : Promise.reject(answer.error);
    return new Promise((resolve, reject) => {
      const entry = this.waiting.get(hash) ?? { request, resolvers: [] };
      entry.resolvers.push({ resolve, reject });
      this.waiting.set(hash, entry);
    });
  }

  async *stream(request: EngineRequest): AsyncIterable<StreamEvent> {
    const response = await this.generate(request);
    if (response.text !== '') yield { type: 'text-delta', text: response.text };
    yield { type: 'usage', usage: response.usage };
    yield { type: 'stop', response };
  }

  settle(hash: string, answer: Answer): void {
    this.answers.set(hash, answer);
    const entry = this.waiting.get(hash);
    this.waiting.delete(hash);
    for (const r of entry?.resolvers ?? []) answer.ok ? r.resolve(answer.response) : r.reject(answer.error);
  }
}

function isPrepared(skill: LoadedSkill | PreparedSkill): skill is PreparedSkill {
  return 'skill' in skill && 'inputValidator' in skill;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Runs `items` through the provider's batch API; see {@link ProviderBatchOptions}. */
export async function runProviderBatch(
  runtime: Runtime,
  engine: { name: string; binding: EngineBinding | undefined },
  skill: LoadedSkill | PreparedSkill,
  items: Iterable<BatchItem> | AsyncIterable<BatchItem>,
  options: ProviderBatchOptions,
): Promise<BatchSummary> {
  const binding = engine.binding;
  if (binding === undefined) throw new ProviderBatchUnsupportedError(`no engine \`${engine.name}\` is configured; name one with a batch API (anthropic or openai)`);
  const api: ProviderBatchApi | undefined = binding.adapter.batches;
  if (api === undefined) {
    throw new ProviderBatchUnsupportedError(`engine \`${engine.name}\` (${binding.adapter.provider}) has no batch API; provider batches run on anthropic and openai engines — pick one with --engine, or drop --provider-batch`);
  }
  const loaded = isPrepared(skill) ? skill.skill : skill;
  const prepared = runtime.load(loaded);
  const skillHash = prepared.skill.hash;
  const prefix = options.prefix ?? DEFAULT_BATCH_PREFIX;
  const batch = batchId(skillHash, `provider:${options.name ?? skillHash}`);
  const sentKey = `${prefix}:pbatch:${batch}:sent`;
  const attempts = options.attempts ?? 3;
  const { deliver, progress, finish, intake } = createTally(options);
  const pending = await intake(prepared, items);
  if (pending.size === 0) return finish();

  // Per-item runs on a runtime whose one engine defers to the provider batch.
  const deferring = new DeferringAdapter(binding.adapter.provider);
  const descriptor = batchPriced(binding.descriptor);
  const tools = Object.fromEntries(runtime.tools.names().map((n) => [n, runtime.tools.get(n)!]));
  const replay = createRuntime({
    engines: { [engine.name]: { adapter: deferring, model: binding.model, ...(descriptor ? { descriptor } : {}) } },
    defaultEngine: engine.name,
    tools,
    strictEngines: false,
  });
  const forReplay = replay.load(loaded);

  const client = typeof options.redis === 'string' ? new Redis(options.redis, { maxRetriesPerRequest: 3 }) : options.redis.duplicate();
  const rounds = new Map<string, number>(); // request hash -> submissions so far
  let running = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const finished: Promise<void>[] = [];
  try {
    if (options.onProgress !== undefined) timer = setInterval(() => options.onProgress!(progress()), options.progressIntervalMs ?? 1000);
    for (const [key, lines] of pending) {
      running++;
      const started = replay.run(forReplay, lines[0]!.input, { engine: engine.name }).then(
        async (result) => {
          running--;
          for (const item of lines) {
            await deliver({
              ok: true, line: item.line, ...(item.id !== undefined ? { id: item.id } : {}), key,
              output: result.output, usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
              cost: result.cost, engines: result.engines, attempts: 1,
            });
          }
        },
        async (error: unknown) => {
          running--;
          const failure = lineFailure(error);
          for (const item of lines) await deliver({ ok: false, line: item.line, ...(item.id !== undefined ? { id: item.id } : {}), key, error: failure, attempts: 1 });
        },
      );
      finished.push(started);
    }

    const settleMs = options.settleMs ?? 50;
    while (running > 0 && options.signal?.aborted !== true) {
      // Wait for a standstill: every run done or waiting on a call the batch must answer.
      let ticks = -1;
      while (ticks !== deferring.ticks && running > 0) {
        ticks = deferring.ticks;
        await sleep(settleMs);
      }
      if (running === 0 || deferring.waiting.size === 0) continue;
      try {
        await submitAndCollect();
      } catch (error) {
        if (options.signal?.aborted) break; // interrupted: what was submitted is recorded; a rerun resumes it
        throw error;
      }
    }
    await Promise.race([Promise.all(finished), new Promise<void>((resolve) => (options.signal?.aborted ? resolve() : options.signal?.addEventListener('abort', () => resolve(), { once: true })))]);
    return finish();
  } finally {
    if (timer !== undefined) clearInterval(timer);
    await client.quit().catch(() => client.disconnect());
  }

  /** One round: submits the waiting requests not yet sent, polls every batch they are in, answers them. */
  async function submitAndCollect(): Promise<void> {
    const hashes = [...deferring.waiting.keys()];
    const recorded = hashes.length === 0 ? [] : await client.hmget(sentKey, ...hashes);
    const inBatch = new Map<string, string[]>(); // provider batch id -> hashes
    const fresh: string[] = [];
    hashes.forEach((h, i) => {
      const id = recorded[i];
      if (id) inBatch.set(id, [...(inBatch.get(id) ?? []), h]);
      else fresh.push(h);
    });
    for (const [id, hs] of inBatch) options.onProviderBatch?.({ id, lines: hs.length, resumed: true });
    const maxLines = options.maxLinesPerBatch ?? 10_000;
    for (let i = 0; i < fresh.length; i += maxLines) {
      const chunk = fresh.slice(i, i + maxLines);
      // Not abortable: a batch the provider created but we never recorded would be paid twice.
      const info = await api!.create(chunk.map((h) => ({ customId: `r${h}`, request: deferring.waiting.get(h)!.request })));
      // Recorded before polling: a crash from here on resumes this batch instead of paying twice.
      await client.multi().hset(sentKey, Object.fromEntries(chunk.map((h) => [h, info.id]))).expire(sentKey, OUTCOME_TTL_SECONDS).exec();
      for (const h of chunk) rounds.set(h, (rounds.get(h) ?? 0) + 1);
      inBatch.set(info.id, chunk);
      options.onProviderBatch?.({ id: info.id, lines: chunk.length, resumed: false });
    }
    await Promise.all([...inBatch].map(([id, hs]) => collect(id, hs)));
  }

  /** Polls one provider batch with backoff until it ended, then answers its lines. */
  async function collect(id: string, hashes: string[]): Promise<void> {
    const signal = options.signal;
    let wait = options.pollMs ?? 5000;
    let info = await api!.retrieve(id, signal ? { signal } : {});
    while (info.status !== 'ended') {
      await sleep(wait, signal);
      if (signal?.aborted) return;
      wait = Math.min(wait * 2, options.maxPollMs ?? 60_000);
      info = await api!.retrieve(id, signal ? { signal } : {});
    }
    const wanted = new Set(hashes);
    const results = new Map<string, BatchLineResult>();
    if (info.endedAs !== 'failed') {
      for await (const line of api!.results(id, signal ? { signal } : {})) {
        const h = line.customId.slice(1);
        if (wanted.has(h)) results.set(h, line);
      }
    }
    const retry: string[] = [];
    for (const h of hashes) {
      const line = results.get(h);
      if (line === undefined) {
        const code = info.endedAs === 'failed' ? 'batch_failed' : 'batch_result_missing';
        deferring.settle(h, { ok: false, error: new ProviderBatchLineError(code, `provider batch ${id} ${info.endedAs === 'failed' ? 'was refused by the provider' : 'returned no result for this line'}`) });
      } else if (line.ok) deferring.settle(h, { ok: true, response: line.response });
      else if (line.status === 'errored' && RETRYABLE_KINDS.has(line.error.kind) && (rounds.get(h) ?? 1) < attempts) retry.push(h);
      else if (line.status === 'errored') deferring.settle(h, { ok: false, error: line.error });
      else deferring.settle(h, { ok: false, error: new ProviderBatchLineError(`batch_${line.status}`, `the provider batch ${id} ${line.status === 'expired' ? 'expired (24 h window)' : 'was canceled'} before this line ran; rerun with --retry-failed to submit it again`) });
    }
    // Transient line errors: forgotten, so the next round submits them again; their calls keep waiting.
    if (retry.length > 0) await client.hdel(sentKey, ...retry);
  }
}

/** A failed item's code and message: provider batch line errors by their code, the rest as the queue classifies them. */
function lineFailure(error: unknown): { code: string; message: string } {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ProviderBatchLineError) return { code: e.code, message: e.message };
    if (e instanceof EngineError) break;
  }
  const { code, message } = classifyBatchError(error);
  return { code, message };
}
