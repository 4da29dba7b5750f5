import { createRequire } from 'node:module';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The runtime's Prometheus metrics, on a registry of its own (never prom-client's global one). */
export interface RuntimeMetrics {
  readonly registry: Registry;
  readonly callDuration: Histogram<'engine' | 'model' | 'outcome'>;
  readonly errors: Counter<'engine' | 'kind'>;
  readonly retries: Counter<'engine'>;
  readonly tokens: Counter<'engine' | 'model' | 'direction'>;
  readonly cost: Counter<'engine' | 'model'>;
  readonly breakerState: Gauge<'engine'>;
  readonly limiterQueueDepth: Gauge<'engine' | 'scope'>;
  readonly engineSwitches: Counter<'from' | 'to' | 'reason'>;
  readonly cacheRequests: Counter<'result'>;
}

/** Gauge values for `sdl_circuit_breaker_state`. */
export const BREAKER_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Creates the metric set on `registry` (a fresh one by default). */
export function createMetrics(registry?: Registry): RuntimeMetrics {
  // prom-client (CommonJS) is required on first use, so importing the runtime does not load it.
  const { Counter, Gauge, Histogram, Registry } = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
  registry ??= new Registry();
  const registers = [registry];
  return {
    registry,
    callDuration: new Histogram({
      name: 'sdl_engine_call_duration_seconds',
      help: 'Duration of one engine attempt, by engine, model and outcome (ok or the error kind).',
      labelNames: ['engine', 'model', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    }),
    errors: new Counter({
      name: 'sdl_engine_errors_total',
      help: 'Engine errors by kind (the EngineError taxonomy).',
      labelNames: ['engine', 'kind'],
      registers,
    }),
    retries: new Counter({ name: 'sdl_engine_retries_total', help: 'Retries scheduled.', labelNames: ['engine'], registers }),
    tokens: new Counter({
      name: 'sdl_tokens_total',
      help: 'Tokens reported by engines; direction is in or out.',
      labelNames: ['engine', 'model', 'direction'],
      registers,
    }),
    cost: new Counter({ name: 'sdl_cost_usd_total', help: 'Cost in US dollars from model pricing.', labelNames: ['engine', 'model'], registers }),
    breakerState: new Gauge({
      name: 'sdl_circuit_breaker_state',
      help: 'Circuit breaker state per engine: 0 closed, 1 half-open, 2 open.',
      labelNames: ['engine'],
      registers,
    }),
    limiterQueueDepth: new Gauge({
      name: 'sdl_rate_limit_queue_depth',
      help: 'Calls waiting in this process for a rate-limit slot.',
      labelNames: ['engine', 'scope'],
      registers,
    }),
    engineSwitches: new Counter({
      name: 'sdl_engine_switches_total',
      help: 'Failovers from one engine to the next.',
      labelNames: ['from', 'to', 'reason'],
      registers,
    }),
    cacheRequests: new Counter({ name: 'sdl_cache_requests_total', help: 'Cache lookups by result.', labelNames: ['result'], registers }),
  };
}
