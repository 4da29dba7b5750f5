// The runtime pieces this benchmark measures, imported by file so the benchmark depends only on
// the middleware, engines and observability modules (not on the rest of the runtime).
export * from '../../packages/runtime/src/time/clock.js';
export * from '../../packages/runtime/src/middleware/types.js';
export * from '../../packages/runtime/src/middleware/policies.js';
export * from '../../packages/runtime/src/middleware/default-chain.js';
export * from '../../packages/runtime/src/middleware/rate-limiter-memory.js';
export * from '../../packages/runtime/src/middleware/circuit-breaker.js';
export * from '../../packages/runtime/src/middleware/circuit-breaker-store.js';
export * from '../../packages/runtime/src/engines/registry.js';
export * from '../../packages/runtime/src/engines/router.js';
export * from '../../packages/runtime/src/observability/metrics.js';
export * from '../../packages/runtime/src/observability/cost.js';
