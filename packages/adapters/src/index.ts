export * from './types.js';
export * from './errors.js';
export { AnthropicAdapter } from './anthropic/adapter.js';
export { DEFAULT_TIMEOUT_MS, type ProviderAdapterOptions } from './shared/options.js';
export { markDeadlineSignal } from './shared/deadline.js';
export { DRAIN_STREAM, drainStream, STREAM_TEXT, type DrainableStream } from './shared/provider-stream.js';
export { OpenAIAdapter } from './openai/adapter.js';
export { CohereAdapter } from './cohere/adapter.js';
export { ScriptedAdapter, type ScriptedEngineOptions, type ScriptedReply } from './scripted/adapter.js';
export { retryAfterMsFrom, parseDurationMs, type HeaderSource } from './shared/retry-after.js';
export { toNeutralToolCallId, toWireToolCallId, fromNeutralToolCallId } from './shared/tool-ids.js';
export {
  startEmulator,
  FAULT_HEADER,
  type Emulator,
  type EmulatorOptions,
  type EmulatedProvider,
  type RecordedRequest,
} from './emulators/start.js';
export { FAULT_NAMES, FaultSpecError, parseFault, parseFaultSpec, type Fault, type FaultName, type FaultRule } from './emulators/faults.js';
export { defaultReply, thinkingSignature, type EmulatorReply, type EmulatorCitation, type EmulatorRequest, type EmulatorMessage, type ReplySource } from './emulators/reply.js';
export { standInReply, type StandInOptions } from './emulators/stand-in.js';
export { readRepliesFile, RepliesFileError } from './emulators/replies-file.js';
export { listModels, findModel, resolveModel, costOf, type ModelInfo } from './models.js';
export { loadConfig, parseConfig, type SdlConfig, type EngineConfig, type StateConfig, type McpServerConfig, type ServerConfig, type ServerCallerConfig, type CallerLimits, type ConfigLocation, type ConfigResult, type LoadConfigOptions } from './config/load.js';
export { interpolate, type Interpolated, type InterpolationProblem } from './config/interpolate.js';
export { CONFIG_CODES } from './config/schema.js';
export { Secret } from './config/secret.js';
export { FileSecret, type FileSecretOptions } from './config/file-secret.js';
export {
  ProviderCredential,
  type Credential,
  type CredentialCallback,
  type IssuedCredential,
  type ProviderCredentialOptions,
} from './shared/credential.js';
export { printRedacted } from './shared/redacted.js';
export { watchSends } from './shared/send-watch.js';
export { createEngine, createEngines, type CreateEngineOptions, type CreateEnginesOptions } from './create-engine.js';
