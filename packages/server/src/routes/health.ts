/**
 * `GET /healthz`: the process answers (liveness; no dependency is checked, so a Redis outage does
 * not get healthy processes restarted). `GET /readyz`: skills are loaded, the server is not
 * shutting down and every readiness probe (the state store) answers; 503 naming what is not.
 */
import { Hono } from 'hono';
import type { Drain } from '../drain.js';

/** A readiness check: resolves to undefined when fine, or to what is wrong (no secrets). */
export type ReadinessProbe = () => Promise<string | undefined>;

/** The health routes. */
export function healthRoutes(options: { drain: Drain; skills: () => number; probes: Record<string, ReadinessProbe>; probeTimeoutMs?: number }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const problems: Record<string, string> = {};
    if (options.drain.closing) problems.server = 'shutting down';
    if (options.skills() === 0) problems.skills = 'no skills are loaded';
    const timeoutMs = options.probeTimeoutMs ?? 2000;
    await Promise.all(
      Object.entries(options.probes).map(async ([name, probe]) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`did not answer within ${timeoutMs} ms`), timeoutMs)));
        try {
          const problem = await Promise.race([probe().catch((error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : 'failed')), timeout]);
          if (problem !== undefined) problems[name] = problem;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const ok = Object.keys(problems).length === 0;
    return c.json(ok ? { status: 'ready', skills: options.skills() } : { status: 'not ready', problems }, ok ? 200 : 503);
  });
  return app;
}
