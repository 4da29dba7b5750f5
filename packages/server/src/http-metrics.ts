/**
 * HTTP metrics on the runtime's Prometheus registry, so `/metrics` shows engine calls, tokens,
 * cost, breakers and the server's requests together: requests by route, method and status, their
 * duration, and runs in flight.
 */
import { createRequire } from 'node:module';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Registry } from 'prom-client';

/** Counts and times every request; `route` is the matched route pattern, never the raw path. */
export function httpMetrics(registry: Registry, inFlight: () => number): MiddlewareHandler {
  // prom-client (CommonJS) is required when a server is created, not when the package is imported.
  const { Counter, Gauge, Histogram } = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
  const registers = [registry];
  const requests = new Counter({ name: 'sdl_http_requests_total', help: 'HTTP requests by route, method and status.', labelNames: ['route', 'method', 'status'], registers });
  const duration = new Histogram({
    name: 'sdl_http_request_duration_seconds',
    help: 'Time to the end of the answer (for event streams: to the end of the stream start), by route and method.',
    labelNames: ['route', 'method'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers,
  });
  new Gauge({ name: 'sdl_http_runs_in_flight', help: 'Skill runs in flight in this server process.', registers, collect() { this.set(inFlight()); } });
  return async (c, next) => {
    const started = performance.now();
    await next();
    // The handler's pattern: the last match that is not a `*` middleware.
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL' && !r.path.includes('*'))?.path ?? 'unmatched';
    requests.inc({ route, method: c.req.method, status: String(c.res.status) });
    duration.observe({ route, method: c.req.method }, (performance.now() - started) / 1000);
  };
}
