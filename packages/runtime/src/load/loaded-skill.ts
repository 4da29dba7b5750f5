/**
 * The runtime's in-memory form of a compiled skill: what an IR loader produces and what the
 * scheduler runs. Everything here is plain data except expressions and templates, which are
 * reached through the narrow {@link CompiledExpression} / {@link CompiledTemplate} seam so that the
 * runtime never parses or type-checks source text at run time.
 */
import type { JsonSchema, JsonValue, ModelFeature } from '@sdl/adapters';

/** Where something came from in the skill's YAML (1-based line and column, code points). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Renders a location as `file:line:col`. */
export function formatLocation(location: SourceLocation | undefined): string {
  return location === undefined ? '<unknown>' : `${location.file}:${location.line}:${location.column}`;
}

/** Variables visible to expressions and templates while a step runs. */
export interface ScopeVariables {
  inputs: JsonValue;
  steps: { [stepId: string]: { output: JsonValue } };
  [loopVariable: string]: JsonValue | { [stepId: string]: { output: JsonValue } };
}

/** A compiled CEL expression (`when`, `for_each`, `with:` values, `return`). */
export interface CompiledExpression {
  /** Evaluates against the scope; throws on evaluation errors (missing key, overflow...). */
  evaluate(vars: ScopeVariables): JsonValue;
  /** The expression text as the author wrote it, for error messages. */
  readonly text: string;
  readonly source: SourceLocation;
  /** Maps an offset into `text` to its place in the file (exact even in block scalars), when known. */
  locate?(offset: number): SourceLocation;
}

/** A compiled prompt template (`prompt.system`, `prompt.user`). */
export interface CompiledTemplate {
  /** Renders the template against the scope; throws on evaluation errors like {@link CompiledExpression.evaluate}. */
  render(vars: ScopeVariables): string;
  readonly text: string;
  readonly source: SourceLocation;
  /** Maps an offset into `text` to its place in the file, when known. */
  locate?(offset: number): SourceLocation;
}

/** How a prompt step's reply is interpreted. */
export type OutputMode = { kind: 'text' } | { kind: 'schema'; schema: JsonSchema; name?: string };

/** A step's `for_each:` loop: the list expression, the loop variable and the concurrency bound. */
export interface ForEach {
  over: CompiledExpression;
  /** The loop variable's name (`item` unless `as:` says otherwise). The index is always `index`. */
  as: string;
  /** At most this many items run at once; `undefined` means no bound beyond the runtime's. */
  concurrency?: number;
}

interface StepBase {
  id: string;
  description?: string;
  /** Step ids whose outputs this step reads; the scheduler starts the step once they are done. */
  dependsOn: string[];
  when?: CompiledExpression;
  forEach?: ForEach;
  source: SourceLocation;
}

/** A step that renders a prompt and calls a model (with tools, and a JSON Schema when `output` asks for one). */
export interface PromptStep extends StepBase {
  kind: 'prompt';
  system?: CompiledTemplate;
  user: CompiledTemplate;
  output: OutputMode;
  /** Names of skill-declared tools the model may call in this step. */
  tools: string[];
  maxToolIterations: number;
  /** Pins this step to an engine (overrides the run's engine choice). */
  engine?: string;
  params?: ModelParams;
}

/** A step that runs another skill (`use:`) with arguments computed from `with:`. */
export interface UseStep extends StepBase {
  kind: 'use';
  /** Alias in `uses:`; resolved to {@link LoadedSkill.dependencies}. */
  use: string;
  with: { [arg: string]: CompiledExpression | JsonValue };
}

/** A step that calls a host tool directly (`tool:`) with arguments computed from `with:`. */
export interface ToolStep extends StepBase {
  kind: 'tool';
  tool: string;
  with: { [arg: string]: CompiledExpression | JsonValue };
}

/** Any step of a loaded skill; `kind` tells which. */
export type LoadedStep = PromptStep | UseStep | ToolStep;

/** Sampling parameters passed to the model (`engines.params` or a step's `params`), as written in the skill. */
export interface ModelParams {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  stop?: string[];
}

/** What an engine's model must offer to serve this skill (`requires:`); checked when the skill is resolved. */
export interface Requirements {
  context_window?: number;
  features?: ModelFeature[];
}

/** The skill's `engines:` section: failover order, model per engine and default parameters. */
export interface EnginePreferences {
  /** Engine names in failover order. */
  prefer: string[];
  /** Model id per engine name, overriding the engine's configured model. */
  models: { [engine: string]: string };
  params: ModelParams;
}

/** A tool the skill declares (`tools:`); the host registers its implementation. */
export interface DeclaredTool {
  name: string;
  description: string;
  parameters: JsonSchema;
  returns?: JsonSchema;
  source: SourceLocation;
}

/** The skill's `policies:` as written (snake_case); combined with engine config and defaults per call. */
export interface Policies {
  retry?: { max_attempts?: number; base_ms?: number; max_ms?: number; jitter?: number };
  rate_limit?: { rpm?: number; tpm?: number; concurrency?: number };
  timeout_ms?: number;
  circuit_breaker?: { failures?: number; reset_ms?: number };
  cache?: { ttl_s?: number };
  redact?: Array<string | { name: string; pattern: string }>;
  budget?: { max_cost_usd?: number; max_tokens?: number };
}

/** The skill's `memory:` section: whether to keep the conversation per session, for how long and how many turns. */
export interface MemoryPolicy {
  conversation: boolean;
  ttl_s?: number;
  max_turns?: number;
}

/** A `uses:` entry together with the skill it resolved to. */
export interface Dependency {
  alias: string;
  /** The reference as written (`./chunk.skill.yaml`, `pkg/skill`). */
  reference: string;
  /** The semver range the author asked for, if any. */
  versionRange?: string;
  /** The content hash the compiler (lockfile) pinned, if any. */
  expectedHash?: string;
  skill: LoadedSkill;
  source: SourceLocation;
}

/**
 * A compiled skill ready to run: the IR validated and turned into compiled expressions, templates and
 * validators, with its dependencies loaded. Produced by {@link loadIr}, {@link loadIrFile} or {@link loadSkillSource}.
 */
export interface LoadedSkill {
  name: string;
  version: string;
  /** Content hash of the compiled skill (e.g. `sha256:...`). */
  hash: string;
  /** The skill file the IR was compiled from. */
  file: string;
  description: string;
  inputs: JsonSchema;
  outputs?: JsonSchema;
  requires: Requirements;
  engines: EnginePreferences;
  tools: { [name: string]: DeclaredTool };
  /** In declaration order (the scheduler uses `dependsOn`, not the order, to decide what may run). */
  steps: LoadedStep[];
  /** Defaults to the last step's output. */
  returns?: CompiledExpression;
  policies: Policies;
  memory?: MemoryPolicy;
  dependencies: { [alias: string]: Dependency };
  /** Node id (e.g. `steps.2.prompt.user`) to its place in the YAML, for runtime errors. */
  sourceMap: { [nodeId: string]: SourceLocation };
}
