/**
 * Names from the OpenTelemetry semantic conventions for generative AI that the runtime emits, in
 * one place so that spans, metrics, tests and `spec/observability.md` agree. Followed version:
 * {@link GENAI_SEMCONV_VERSION} ("latest experimental": `gen_ai.provider.name`, not the older
 * `gen_ai.system`). Names under `sdl.` are SDL's own.
 */

/** The semantic-conventions release whose GenAI names these are. */
export const GENAI_SEMCONV_VERSION = '1.41.0';

/** Attribute names used on the runtime's spans and metrics. */
export const GENAI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  agentName: 'gen_ai.agent.name',
  conversationId: 'gen_ai.conversation.id',
  outputType: 'gen_ai.output.type',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestStopSequences: 'gen_ai.request.stop_sequences',
  responseId: 'gen_ai.response.id',
  responseModel: 'gen_ai.response.model',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  usageReasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  systemInstructions: 'gen_ai.system_instructions',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  tokenType: 'gen_ai.token.type',
  errorType: 'error.type',
} as const;

/** Metric instrument names (histograms) of the GenAI client metrics. */
export const GENAI_METRICS = {
  operationDuration: 'gen_ai.client.operation.duration',
  tokenUsage: 'gen_ai.client.token.usage',
} as const;

/** Bucket boundaries the conventions advise for the two client metrics. */
export const GENAI_METRIC_BUCKETS = {
  operationDuration: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
  tokenUsage: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
} as const;

/** SDL's own attribute names (skill, step, engine, retry and failover detail). */
export const SDL_ATTR = {
  /** No longer set on spans (the skill is its `invoke_agent` span's `gen_ai.agent.name`); kept for code that names it. */
  skillName: 'sdl.skill.name',
  skillVersion: 'sdl.skill.version',
  skillHash: 'sdl.skill.hash',
  runId: 'sdl.run.id',
  runCostUsd: 'sdl.run.cost_usd',
  runEngines: 'sdl.run.engines',
  stepId: 'sdl.step.id',
  stepKind: 'sdl.step.kind',
  stepPath: 'sdl.step.path',
  stepStatus: 'sdl.step.status',
  forEachIndex: 'sdl.for_each.index',
  forEachItems: 'sdl.for_each.items',
  engine: 'sdl.engine',
  engineRequested: 'sdl.engine.requested',
  costUsd: 'sdl.cost_usd',
  attempt: 'sdl.attempt',
  retryDelayMs: 'sdl.retry.delay_ms',
  failoverReason: 'sdl.failover.reason',
  failoverFrom: 'sdl.failover.from',
  failoverTo: 'sdl.failover.to',
} as const;
