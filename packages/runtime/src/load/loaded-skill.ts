/**
 * The runtime's in-memory form of a compiled skill: what an IR loader produces and what the
 * scheduler runs. Everything here is plain data except expressions and templates, which are
 * reached through the narrow {@link CompiledExpression} / {@link CompiledTemplate} seam so that the
 * runtime never parses or type-checks source text at run time.
 */
import type { JsonSchema, JsonValue, ModelFeature } from '@sdl/adapters';

/** Where something came from in the skill's YAML (1-based line and column, code points). */
export interface SourceLocation {
  /** The skill file, as the compiler named it. */
  file: string;
  /** Line, from 1. */
  line: number;
  /** Column in code points, from 1. */
  column: number;
}

/** Renders a location as `file:line:col`. */
export function formatLocation(location: SourceLocation | undefined): string {
  return location === undefined ? '<unknown>' : `${location.file}:${location.line}:${location.column}`;
}

/** Variables visible to expressions and templates while a step runs. */
export interface ScopeVariables {
  /** The run's input, after validation and defaults. */
  inputs: JsonValue;
  /** Outputs of the steps finished so far, by step id. */
  steps: { [stepId: string]: { output: JsonValue } };
  [loopVariable: string]: JsonValue | { [stepId: string]: { output: JsonValue } };
}

/** A compiled CEL expression (`when`, `for_each`, `with:` values, `return`). */
export interface CompiledExpression {
  /**
   * Evaluates against the scope; throws on evaluation errors (missing key, overflow...).
   * `interrupt` is asked every thousand or so steps of work; true stops the evaluation (a run's
   * deadline or cancellation).
   */
  evaluate(vars: ScopeVariables, interrupt?: () => boolean): JsonValue;
  /** The expression text as the author wrote it, for error messages. */
  readonly text: string;
  /** Where the expression is in the skill file. */
  readonly source: SourceLocation;
  /** Maps an offset into `text` to its place in the file (exact even in block scalars), when known. */
  locate?(offset: number): SourceLocation;
}

/** A compiled prompt template (`prompt.system`, `prompt.user`). */
export interface CompiledTemplate {
  /** Renders the template against the scope; throws on evaluation errors like {@link CompiledExpression.evaluate}. */
  render(vars: ScopeVariables, interrupt?: () => boolean): string;
  /** The template text as the author wrote it, for error messages. */
  readonly text: string;
  /** Where the template is in the skill file. */
  readonly source: SourceLocation;
  /** Maps an offset into `text` to its place in the file, when known. */
  locate?(offset: number): SourceLocation;
}

/** How a prompt step's reply is interpreted. */
export type OutputMode = { kind: 'text' } | { kind: 'schema'; schema: JsonSchema; name?: string };

/** A step's `for_each:` loop: the list expression, the loop variable and the concurrency bound. */
export interface ForEach {
  /** The list (or map) to iterate. */
  over: CompiledExpression;
  /** The loop variable's name (`item` unless `as:` says otherwise). The index is always `index`. */
  as: string;
  /** At most this many items run at once; `undefined` means no bound beyond the runtime's. */
  concurrency?: number;
}

interface StepBase {
  /** The step's id, unique in the skill; its output is `steps.<id>.output`. */
  id: string;
  /** What the step does, as the author described it. */
  description?: string;
  /** Step ids whose outputs this step reads; the scheduler starts the step once they are done. */
  dependsOn: string[];
  /** The step runs only when this is true; otherwise it is skipped with a null output. */
  when?: CompiledExpression;
  /** Runs the step once per item of a list, its output being the list of results. */
  forEach?: ForEach;
  /** Where the step is in the skill file. */
  source: SourceLocation;
}

/** A step that renders a prompt and calls a model (with tools, and a JSON Schema when `output` asks for one). */
export interface PromptStep extends StepBase {
  /** Discriminates prompt steps. */
  kind: 'prompt';
  /** The system prompt template. */
  system?: CompiledTemplate;
  /** The user message template. */
  user: CompiledTemplate;
  /** Plain text, or JSON validated against a schema. */
  output: OutputMode;
  /** Names of skill-declared tools the model may call in this step. */
  tools: string[];
  /** Most tool-call round trips before the step fails. */
  maxToolIterations: number;
  /** Pins this step to an engine (overrides the run's engine choice). */
  engine?: string;
  /** Sampling parameters for this step, over the skill's `engines.params`. */
  params?: ModelParams;
  /** Few-shot example turns sent before the user turn. */
  messages?: PromptExample[];
  /** Images and documents placed in the user turn, before its text. */
  attachments?: PromptAttachment[];
  /** Cacheable prefixes the step marks. */
  cache?: { system: boolean; tools: boolean };
}

/** A few-shot example turn of a prompt step (`prompt.messages`). */
export interface PromptExample {
  /** Who speaks. */
  role: 'user' | 'assistant';
  /** The turn's text. */
  content: CompiledTemplate;
}

/** An image or document of a prompt step's user turn (`prompt.attach`). */
export interface PromptAttachment {
  /** `image` or `document`. */
  kind: 'image' | 'document';
  /** What it needs of a model: `image` (the `vision` feature), `pdf` (the `pdf` feature) or `text` (nothing). */
  media: 'image' | 'pdf' | 'text';
  /** Gives the attachment: an https URL, a `data:` URL, or a file path inside the runtime's media directory. */
  value: CompiledExpression;
  /** A document's title, shown to the model. */
  title?: string;
  /** Marks the prompt up to here as cacheable. */
  cache: boolean;
}

/** A step that runs another skill (`use:`) with arguments computed from `with:`. */
export interface UseStep extends StepBase {
  /** Discriminates `use:` steps. */
  kind: 'use';
  /** Alias in `uses:`; resolved to {@link LoadedSkill.dependencies}. */
  use: string;
  /** The dependency's input: compiled expressions or literal values, by input name. */
  with: { [arg: string]: CompiledExpression | JsonValue };
}

/** A step that calls a host tool directly (`tool:`) with arguments computed from `with:`. */
export interface ToolStep extends StepBase {
  /** Discriminates tool steps. */
  kind: 'tool';
  /** The name of the tool to call (declared in `tools:`, registered by the host). */
  tool: string;
  /** The tool's arguments: compiled expressions or literal values, by name. */
  with: { [arg: string]: CompiledExpression | JsonValue };
}

/** Any step of a loaded skill; `kind` tells which. */
export type LoadedStep = PromptStep | UseStep | ToolStep;

/** Sampling parameters passed to the model (`engines.params` or a step's `params`), as written in the skill. */
export interface ModelParams {
  /** Sampling temperature; lower is more deterministic. */
  temperature?: number;
  /** Most tokens the reply may have. */
  max_tokens?: number;
  /** Nucleus sampling: the probability mass sampled from. */
  top_p?: number;
  /** Sequences that end the reply when generated. */
  stop?: string[];
  /** Let the model think first: an effort level and/or a thinking token budget. */
  reasoning?: { effort?: 'low' | 'medium' | 'high'; budget_tokens?: number };
}

/** What an engine's model must offer to serve this skill (`requires:`); checked when the skill is resolved. */
export interface Requirements {
  /** Smallest context window (tokens) the model must have. */
  context_window?: number;
  /** Capabilities the model must support. */
  features?: ModelFeature[];
}

/** The skill's `engines:` section: failover order, model per engine and default parameters. */
export interface EnginePreferences {
  /** Engine names in failover order. */
  prefer: string[];
  /** Model id per engine name, overriding the engine's configured model. */
  models: { [engine: string]: string };
  /** Default sampling parameters for every prompt step. */
  params: ModelParams;
}

/** A tool the skill declares (`tools:`); the host registers its implementation. */
export interface DeclaredTool {
  /** The tool's name, as steps and the model call it. */
  name: string;
  /** What the tool does; shown to the model. */
  description: string;
  /** JSON Schema of the argument object; arguments are validated against it before the host's `execute`. */
  parameters: JsonSchema;
  /** JSON Schema of the tool's result, when declared. */
  returns?: JsonSchema;
  /** Where the tool is declared in the skill file. */
  source: SourceLocation;
}

/** The skill's `policies:` as written (snake_case); combined with engine config and defaults per call. */
export interface Policies {
  /** Retry with exponential backoff and jitter on retryable engine errors. */
  retry?: { max_attempts?: number; base_ms?: number; max_ms?: number; jitter?: number };
  /** Requests and tokens per minute and calls at once, for this skill's calls. */
  rate_limit?: { rpm?: number; tpm?: number; concurrency?: number };
  /** Deadline of one model call, in milliseconds. */
  timeout_ms?: number;
  /** Consecutive failures that open an engine's breaker, and how long it stays open. */
  circuit_breaker?: { failures?: number; reset_ms?: number };
  /** Cache identical model calls for `ttl_s` seconds. */
  cache?: { ttl_s?: number };
  /** Personal data and secrets to scrub from prompts: built-in kinds or `{ name, pattern }` rules. */
  redact?: Array<string | { name: string; pattern: string }>;
  /** Hard limits per run (dollars, tokens); the run stops with an error when one is exceeded. */
  budget?: { max_cost_usd?: number; max_tokens?: number };
}

/** The skill's `memory:` section: whether to keep the conversation per session, for how long and how many turns. */
export interface MemoryPolicy {
  /** Keep the conversation history per session. */
  conversation: boolean;
  /** How long a session's history is kept after its last turn, in seconds. */
  ttl_s?: number;
  /** Most turns kept; older turns are dropped first (folded into the summary first, with `summarize`). */
  max_turns?: number;
  /** Fold the oldest turns into a running summary instead of dropping them (spec/state.md, "Summaries"). */
  summarize?: SummarizePolicy;
}

/** `memory.summarize`: who writes the summary, with which instructions, and how many turns stay verbatim. */
export interface SummarizePolicy {
  /** The engine of the summary call; the engine of the run's last prompt step when absent. */
  engine?: string;
  /** Instructions of the summary call; the built-in default when absent. */
  prompt?: string;
  /** Turns kept verbatim after a fold; half of `max_turns` when absent. */
  keep_recent?: number;
}

/** A `uses:` entry together with the skill it resolved to. */
export interface Dependency {
  /** The key under `uses:`, which `use:` steps name. */
  alias: string;
  /** The reference as written (`./chunk.skill.yaml`, `pkg/skill`). */
  reference: string;
  /** The semver range the author asked for, if any. */
  versionRange?: string;
  /** The content hash the compiler (lockfile) pinned, if any. */
  expectedHash?: string;
  /** The loaded dependency. */
  skill: LoadedSkill;
  /** Where the `uses:` entry is in the skill file. */
  source: SourceLocation;
}

/**
 * A compiled skill ready to run: the IR validated and turned into compiled expressions, templates and
 * validators, with its dependencies loaded. Produced by {@link loadIr}, {@link loadIrFile} or {@link loadSkillSource}.
 */
export interface LoadedSkill {
  /** The skill's name. */
  name: string;
  /** The skill's semantic version. */
  version: string;
  /** Content hash of the compiled skill (e.g. `sha256:...`). */
  hash: string;
  /** The skill file the IR was compiled from. */
  file: string;
  /** What the skill does. */
  description: string;
  /** JSON Schema of the run's input; validated (defaults applied) before the first step. */
  inputs: JsonSchema;
  /** JSON Schema of the result, when declared; the result is validated against it. */
  outputs?: JsonSchema;
  /** What an engine's model must offer to run the skill. */
  requires: Requirements;
  /** Preferred engines, models and parameters. */
  engines: EnginePreferences;
  /** Tools the skill declares, by name. */
  tools: { [name: string]: DeclaredTool };
  /** In declaration order (the scheduler uses `dependsOn`, not the order, to decide what may run). */
  steps: LoadedStep[];
  /** Defaults to the last step's output. */
  returns?: CompiledExpression;
  /** Retry, rate limit, timeout, breaker, cache, redaction and budget policies. */
  policies: Policies;
  /** Conversation memory, when the skill keeps one. */
  memory?: MemoryPolicy;
  /** The skills this one uses, by `uses:` alias. */
  dependencies: { [alias: string]: Dependency };
  /** Node id to its place in the YAML, for runtime errors: JSON pointers (`/steps/2`, `/engines/prefer/0`) from IR, dotted paths (`steps.2.prompt.user`) for expressions loaded from source. */
  sourceMap: { [nodeId: string]: SourceLocation };
}
