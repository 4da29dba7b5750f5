/**
 * `@sdl/server`: serves compiled skills over HTTP — JSON and server-sent-event runs, sessions,
 * health and readiness, Prometheus metrics and an OpenAPI 3.1 document generated from the skills,
 * behind bearer-token auth, body limits, per-caller rate limits and graceful shutdown. See
 * `spec/server.md`.
 */
export * from './server.js';
export { bearerAuth, matchCaller, type CallerLimits, type ServerCaller, type TokenSource } from './auth.js';
export type { ServerEnv } from './env.js';
export { errorBody, failureOf, type ErrorBody, type HttpFailure } from './errors.js';
export { Drain, type Ticket } from './drain.js';
export { openApiDocument } from './openapi.js';
export { loadSkillsDir, type ServedSkill, type SkillsDirResult } from './skills.js';
export { runAnswer, eventData, type RunAnswer } from './wire.js';
export type { ReadinessProbe } from './routes/health.js';
export { renderTraceViewerPage, type TraceViewerPage } from './trace-viewer/page.js';
