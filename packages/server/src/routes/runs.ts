/**
 * `POST /v1/skills/{name}/runs`: validates the body and the skill's inputs (400 with every
 * problem), takes a slot of the caller's rate limit (429 with Retry-After), then runs the skill and
 * answers with the result as JSON, or with server-sent events of the run (`Accept:
 * text/event-stream` or `?stream=true`). A caller that hangs up cancels its run.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { RateLimitRejectedError, type PreparedSkill, type RateLimiter, type RateLimitLease, type Runtime, type RunOptions } from '@sdl/runtime';
import type { CallerLimits, ServerCaller } from '../auth.js';
import type { Drain } from '../drain.js';
import type { ServerEnv } from '../env.js';
import { errorBody, failureOf } from '../errors.js';
import { eventData, runAnswer } from '../wire.js';

/** What the runs route needs from the server. */
export interface RunsRouteOptions {
  runtime: Runtime;
  /** Prepared skills by name. */
  skills: ReadonlyMap<string, PreparedSkill>;
  limiter: RateLimiter;
  /** Limits for a caller without its own. */
  defaultLimits: CallerLimits;
  drain: Drain;
  scrub: (text: string) => string;
  /** Deadline of one run. */
  runTimeoutMs?: number;
}

const BODY_KEYS = new Set(['inputs', 'session', 'engine']);
const SESSION_ID = /^[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,95}$/;

type Parsed = { ok: true; inputs: unknown; session?: string; engine?: string } | { ok: false; message: string };

function parseBody(body: unknown): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'the body must be a JSON object: {"inputs": {...}, "session": "...", "engine": "..."}' };
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !BODY_KEYS.has(k));
  if (unknown.length > 0) return { ok: false, message: `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `\`${k}\``).join(', ')} in the body; the fields are inputs, session and engine` };
  const { inputs, session, engine } = record;
  if (session !== undefined && (typeof session !== 'string' || !SESSION_ID.test(session))) {
    return { ok: false, message: '`session` must be a string of 1-96 letters, digits and _ . : @ + = - (not starting with a punctuation mark)' };
  }
  if (engine !== undefined && typeof engine !== 'string') return { ok: false, message: '`engine` must be the name of a configured engine' };
  return { ok: true, inputs: inputs ?? {}, ...(session === undefined ? {} : { session }), ...(engine === undefined ? {} : { engine }) };
}

const wantsStream = (c: Context): boolean => {
  const query = c.req.query('stream');
  if (query !== undefined) return query === '' || query === 'true' || query === '1';
  return (c.req.header('accept') ?? '').split(',').some((part) => part.trim().split(';')[0] === 'text/event-stream');
};

/** The route, mounted by the server under its auth, body-limit and shutdown middleware. */
export function runsRoute(options: RunsRouteOptions): Hono<ServerEnv> {
  const { runtime, skills, limiter, drain, scrub } = options;
  const app = new Hono<ServerEnv>();

  const acquire = async (caller: ServerCaller): Promise<RateLimitLease | RateLimitRejectedError | undefined> => {
    const limits = caller.limits ?? options.defaultLimits;
    if (limits.rpm === undefined && limits.concurrency === undefined) return undefined;
    try {
      return await limiter.acquire({
        key: `caller:${caller.name}`,
        tokens: 0,
        // Refused at once rather than queued: the caller retries after Retry-After.
        limits: {
          ...(limits.rpm === undefined ? {} : { rpm: limits.rpm }),
          ...(limits.burstRequests === undefined ? {} : { burstRequests: limits.burstRequests }),
          ...(limits.concurrency === undefined ? {} : { concurrency: limits.concurrency }),
          maxQueue: 0,
          queueTimeoutMs: 1,
          maxWaitMs: 0,
        },
      });
    } catch (error) {
      if (error instanceof RateLimitRejectedError) return error;
      throw error;
    }
  };

  app.post('/v1/skills/:name/runs', async (c) => {
    const name = c.req.param('name');
    const prepared = skills.get(name);
    if (prepared === undefined) {
      return c.json(errorBody('skill_not_found', `no skill \`${name}\` is served here (skills: ${[...skills.keys()].join(', ') || 'none'}); GET /openapi.json lists them`), 404);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json(errorBody('body_invalid', 'the body is not JSON; send `Content-Type: application/json` and a JSON object'), 400);
    }
    const parsed = parseBody(body);
    if (!parsed.ok) return c.json(errorBody('body_invalid', parsed.message), 400);
    const checked = prepared.inputValidator.validate(parsed.inputs);
    if (!checked.ok) {
      const message = `the inputs do not match the inputs schema of skill \`${name}\`: ${checked.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`;
      return c.json(errorBody('input_invalid', scrub(message), checked.problems.map((p) => ({ path: p.path, message: scrub(p.message) }))), 400);
    }
    if (parsed.engine !== undefined && !runtime.engineNames().includes(parsed.engine)) {
      return c.json(errorBody('engine_unknown', `engine \`${parsed.engine}\` is not configured (engines: ${runtime.engineNames().join(', ')})`), 400);
    }
    const caller = c.get('caller');
    const sessionKey = parsed.session === undefined ? undefined : `${caller.name}:${parsed.session}`;
    if (sessionKey !== undefined && sessionKey.length > 128) return c.json(errorBody('body_invalid', '`session` is too long for this caller (caller name + session at most 127 characters)'), 400);

    const lease = await acquire(caller);
    if (lease instanceof RateLimitRejectedError) {
      const retryAfterS = Math.max(1, Math.ceil((lease.waitMs ?? 1000) / 1000));
      c.header('Retry-After', String(retryAfterS));
      const why = lease.reason === 'queue_full' ? 'has as many runs in flight as its concurrency limit allows' : 'has started as many runs as its per-minute limit allows';
      return c.json(errorBody('rate_limited', `caller \`${caller.name}\` ${why}; retry after ${retryAfterS} s`), 429);
    }
    const ticket = drain.start();
    if (ticket === undefined) {
      await lease?.release();
      c.header('Connection', 'close');
      return c.json(errorBody('shutting_down', 'the server is shutting down and takes no new runs; retry on another instance'), 503);
    }
    const runId = randomUUID();
    c.header('X-Run-Id', runId);
    // The run ends when the caller hangs up or when shutdown gives up waiting.
    const signal = AbortSignal.any([ticket.signal, c.req.raw.signal]);
    const runOptions: RunOptions = {
      runId,
      signal,
      ...(sessionKey === undefined ? {} : { session: sessionKey }),
      ...(parsed.engine === undefined ? {} : { engine: parsed.engine }),
      ...(options.runTimeoutMs === undefined ? {} : { deadlineMs: options.runTimeoutMs }),
    };
    const finish = async () => {
      ticket.done();
      await lease?.release();
    };

    if (!wantsStream(c)) {
      try {
        const result = await runtime.run(prepared, parsed.inputs, runOptions);
        // Model output can echo anything it was given: configured secrets never leave in it.
        return c.body(scrub(JSON.stringify(runAnswer(runId, result))), 200, { 'Content-Type': 'application/json' });
      } catch (error) {
        const failure = failureOf(error, scrub);
        if (failure.retryAfterS !== undefined) c.header('Retry-After', String(failure.retryAfterS));
        return c.json(failure.body, failure.status);
      } finally {
        await finish();
      }
    }

    return streamSSE(c, async (stream) => {
      const events = runtime.stream(prepared, parsed.inputs, runOptions);
      stream.onAbort(() => void events.return?.());
      let id = 0;
      try {
        for await (const event of events) {
          id++;
          if (event.type === 'done') {
            await stream.writeSSE({ event: 'done', id: String(id), data: scrub(JSON.stringify(runAnswer(runId, event.result))) });
          } else if (event.type === 'error') {
            const failure = failureOf(event.error, scrub);
            await stream.writeSSE({ event: 'error', id: String(id), data: JSON.stringify({ ...failure.body, status: failure.status }) });
          } else {
            await stream.writeSSE({ event: event.type, id: String(id), data: scrub(JSON.stringify(eventData(event))) });
          }
        }
      } finally {
        await finish();
      }
    });
  });
  return app;
}
