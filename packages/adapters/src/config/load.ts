import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Diagnostic, didYouMean, SourceFile } from '@sdl/compiler/core';
import { createRequire } from 'node:module';
import type { Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { listModels, type ModelInfo, resolveModel } from '../models.js';
import type { ModelDescriptor, ModelFeature, Provider } from '../types.js';
import { interpolate } from './interpolate.js';
import { CONFIG_CODES, CONFIG_SPEC, type FieldSpec } from './schema.js';
import { FileSecret } from './file-secret.js';
import { Secret } from './secret.js';

// yaml (its CommonJS build) is required when a config is first parsed, not when the adapters are
// imported: hosts that build their engines in code never load it.
let yamlModule: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
const parseDocument = (text: string, options: import('yaml').DocumentOptions & import('yaml').ParseOptions & import('yaml').SchemaOptions) => yaml().parseDocument(text, options);
const isMap = (node: unknown): node is YAMLMap => yaml().isMap(node);
const isScalar = (node: unknown): node is Scalar => yaml().isScalar(node);
const isSeq = (node: unknown): node is YAMLSeq => yaml().isSeq(node);

/** One engine of `sdl.config.yaml`, validated, with its environment references resolved. */
export interface EngineConfig {
  /** The engine's name (its key under `engines:`). */
  name: string;
  /** Which adapter serves the engine. */
  provider: Provider;
  /** The default model id on this engine (a skill's `engines.models` may override it). */
  model: string;
  /** Redacted when printed or serialized; `apiKey.reveal()` gives the key to the SDK. */
  apiKey?: Secret;
  /** The API's base URL (a proxy or an emulator); the SDK default when absent. */
  baseUrl?: string;
  /** The engine's rate limits: requests and tokens per minute, calls at once. */
  limits?: { rpm?: number; tpm?: number; concurrency?: number; burst_requests?: number };
  /** Per-call deadline in milliseconds. */
  timeoutMs?: number;
  /** `model_info` as configured: describes a model that is not built in, or overrides fields of one that is. */
  modelInfo?: ModelInfo;
  /** The model's descriptor: the built-in one with `model_info` laid over it. */
  descriptor: ModelDescriptor;
}

/** The `state:` section of `sdl.config.yaml`: where the runtime keeps sessions, caches and limits. */
export interface StateConfig {
  /** Which backend holds sessions and snapshots. */
  store: 'memory' | 'file' | 'redis';
  /** May hold a password, so it is a Secret too. */
  url?: Secret;
  /** The directory of a `file` store. */
  path?: string;
  /** Record lifetime in seconds. */
  ttlS?: number;
  /** Key prefix of a `redis` store. */
  prefix?: string;
}

/** Where a config entry was written: 1-based line and column in {@link SdlConfig.file}. */
export interface ConfigLocation {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** One server of the `mcp:` section: started over stdio (`command`) or reached over Streamable HTTP (`url`). See spec/mcp.md. */
export interface McpServerConfig {
  /** The server's name (its key under `mcp:`). */
  name: string;
  /** `stdio` when `command` is given, `http` when `url` is. */
  transport: 'stdio' | 'http';
  /** The program to start (stdio). */
  command?: string;
  /** Its arguments (stdio). */
  args?: string[];
  /** Extra environment variables of the server process; secrets, revealed only when it is spawned. */
  env?: Record<string, Secret>;
  /** The directory the process starts in, absolute (relative paths are taken from the config file's directory). */
  cwd: string;
  /** The Streamable HTTP endpoint (http). */
  url?: string;
  /** Headers of every HTTP request; secrets, revealed only when a request is sent. */
  headers?: Record<string, Secret>;
  /** Deadline of one tool call in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Explicit bindings: a skill's tool name to this server's tool name. */
  tools: Record<string, string>;
  /** Where the server's key is, and where each of its `tools:` bindings is. */
  at: ConfigLocation & { tools: Record<string, ConfigLocation> };
}

/** Per-caller limits of the HTTP server: runs started per minute, the burst, runs in flight. */
export interface CallerLimits {
  /** Runs started per minute. */
  rpm?: number;
  /** Runs that may start at once after a quiet spell (the bucket size; default `rpm`). */
  burstRequests?: number;
  /** Runs in flight at once. */
  concurrency?: number;
}

/** One caller of the HTTP server (`server.callers.<name>`). */
export interface ServerCallerConfig extends CallerLimits {
  /** The caller's name: rate limits, sessions and logs are keyed by it, never by the token. */
  name: string;
  /** The bearer token; redacted when printed. */
  token: Secret;
}

/** The `server:` section of `sdl.config.yaml`, read by `skillc serve`. */
export interface ServerConfig {
  /** The interface to listen on. */
  host?: string;
  /** The TCP port. */
  port?: number;
  /** The callers allowed, by name. */
  callers: Record<string, ServerCallerConfig>;
  /** Limits for callers that set none of their own. */
  rateLimit?: CallerLimits;
  /** Largest request body in bytes. */
  bodyLimitBytes?: number;
  /** Deadline of one run in milliseconds. */
  timeoutMs?: number;
  /** How long in-flight runs may take to finish on shutdown. */
  shutdownTimeoutMs?: number;
}

/** A validated `sdl.config.yaml`: the engines a host may use, the default one, and the state store. */
export interface SdlConfig {
  /** The file it came from, as given. */
  file: string;
  /** The configured engines, by name. */
  engines: Record<string, EngineConfig>;
  /** `default_engine`, or the first engine declared. */
  defaultEngine: string;
  /** Where the runtime keeps state. */
  state: StateConfig;
  /** The MCP servers by name (empty when the config has no `mcp:`). */
  mcp: Record<string, McpServerConfig>;
  /** The HTTP server's settings, when the file has a `server:` section. */
  server?: ServerConfig;
}

/** What {@link loadConfig} and {@link parseConfig} return: the config when valid, and every diagnostic found. */
export interface ConfigResult {
  /** Present when there are no errors. */
  config?: SdlConfig;
  /** Every problem found, each with file, line and column (and a hint where there is a fix). */
  diagnostics: Diagnostic[];
}

/** Options of {@link loadConfig} and {@link parseConfig}. */
export interface LoadConfigOptions {
  /** Where `${env:NAME}` looks; default process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * Reads and validates a config file (`sdl.config.yaml`, see spec/config.md), resolving `${env:NAME}`
 * references; a file that cannot be read is a diagnostic, not an exception.
 *
 * @param file - path of the config file; diagnostics name it as given
 * @param options - where `${env:...}` references are looked up
 * @returns the config when there are no errors, and every diagnostic (file, line, column, hint)
 *
 * @example
 * ```ts
 * import { loadConfig } from '@sdl/adapters';
 *
 * const { config, diagnostics } = await loadConfig('sdl.config.yaml', { env: { ANTHROPIC_API_KEY: 'sk-test' } });
 * for (const d of diagnostics) console.error(`${d.file}:${d.range.start.line}:${d.range.start.column} ${d.code} ${d.message}`);
 * if (config) console.log(Object.keys(config.engines), config.defaultEngine);
 * ```
 */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'I/O error'})`;
    return {
      diagnostics: [
        {
          code: CONFIG_CODES.unreadable,
          severity: 'error',
          message: `the config file ${file} ${reason}`,
          file,
          range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
          hint: 'create sdl.config.yaml (see spec/config.md) or pass the right path',
        },
      ],
    };
  }
  return parseConfig(text, file, options);
}

interface Context {
  source: SourceFile;
  env: Record<string, string | undefined>;
  diagnostics: Diagnostic[];
  /** Where relative `${file:...}` paths start: the config file's folder. */
  baseDir: string;
}

/** Parses and validates config text; `file` is used in diagnostics. */
export function parseConfig(text: string, file: string, options: LoadConfigOptions = {}): ConfigResult {
  const source = new SourceFile(file, text);
  const ctx: Context = { source, env: options.env ?? process.env, diagnostics: [], baseDir: path.dirname(path.resolve(file)) };
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  for (const error of doc.errors) {
    report(ctx, CONFIG_CODES.yamlSyntax, error.message.split('\n')[0]!, error.pos[0], error.pos[1], 'fix the YAML syntax at this position');
  }
  if (doc.errors.length > 0) return { diagnostics: ctx.diagnostics };
  const raw = check(ctx, doc.contents, CONFIG_SPEC, 'the configuration', undefined) as Raw | undefined;
  if (!raw || !isMap(doc.contents)) return { diagnostics: ctx.diagnostics };

  const engines: Record<string, EngineConfig> = {};
  const engineNodes = doc.contents.get('engines', true) as YAMLMap | undefined;
  for (const [name, value] of Object.entries((raw.engines ?? {}) as Record<string, Raw>)) {
    const node = isMap(engineNodes) ? (engineNodes.get(name, true) as Node | undefined) : undefined;
    const engine = toEngine(ctx, name, value, node);
    if (engine) engines[name] = engine;
  }
  const mcp: Record<string, McpServerConfig> = {};
  const mcpNodes = doc.contents.get('mcp', true) as YAMLMap | undefined;
  for (const [name, value] of Object.entries((raw.mcp ?? {}) as Record<string, Raw>)) {
    const node = isMap(mcpNodes) ? (mcpNodes.get(name, true) as Node | undefined) : undefined;
    const keyNode = isMap(mcpNodes) ? (mcpNodes.items.find((pair) => isScalar(pair.key) && String((pair.key as Scalar).value) === name)?.key as Node | undefined) : undefined;
    const server = toMcpServer(ctx, name, value, node, keyNode);
    if (server) mcp[name] = server;
  }
  const names = Object.keys(engines);
  let defaultEngine = raw.default_engine as string | undefined;
  if (defaultEngine !== undefined && raw.engines && !(defaultEngine in (raw.engines as Raw))) {
    const node = doc.contents.get('default_engine', true) as Node | undefined;
    reportNode(ctx, CONFIG_CODES.unknownDefaultEngine, `default_engine \`${defaultEngine}\` is not one of the engines (${Object.keys(raw.engines as Raw).join(', ') || 'none'})`, node, didYouMean(defaultEngine, Object.keys(raw.engines as Raw)) ?? 'name an engine declared under `engines:`');
  }
  defaultEngine ??= names[0];
  const hasErrors = ctx.diagnostics.some((d) => d.severity === 'error');
  if (hasErrors || defaultEngine === undefined) {
    if (!hasErrors) {
      reportNode(ctx, CONFIG_CODES.missingKey, 'no engines are configured', engineNodes ?? doc.contents, 'add at least one engine under `engines:`');
    }
    return { diagnostics: ctx.diagnostics };
  }
  const state = (raw.state ?? {}) as Raw;
  const config: SdlConfig = {
    file,
    engines,
    defaultEngine,
    state: {
      store: (state.store as StateConfig['store'] | undefined) ?? 'memory',
      ...(state.url !== undefined ? { url: new Secret(state.url as string) } : {}),
      ...(state.path !== undefined ? { path: state.path as string } : {}),
      ...(state.ttl_s !== undefined ? { ttlS: state.ttl_s as number } : {}),
      ...(state.prefix !== undefined ? { prefix: state.prefix as string } : {}),
    },
    mcp,
  };
  if (raw.server !== undefined) config.server = toServer(raw.server as Raw);
  return { config, diagnostics: ctx.diagnostics };
}

type Raw = Record<string, unknown>;

function toLimits(raw: Raw | undefined): CallerLimits {
  if (raw === undefined) return {};
  return {
    ...(raw.rpm !== undefined ? { rpm: raw.rpm as number } : {}),
    ...(raw.burst_requests !== undefined ? { burstRequests: raw.burst_requests as number } : {}),
    ...(raw.concurrency !== undefined ? { concurrency: raw.concurrency as number } : {}),
  };
}

function toServer(raw: Raw): ServerConfig {
  const callers: Record<string, ServerCallerConfig> = {};
  for (const [name, caller] of Object.entries((raw.callers ?? {}) as Record<string, Raw>)) {
    callers[name] = { name, token: caller.token instanceof Secret ? caller.token : new Secret(caller.token as string), ...toLimits(caller) };
  }
  return {
    callers,
    ...(raw.host !== undefined ? { host: raw.host as string } : {}),
    ...(raw.port !== undefined ? { port: raw.port as number } : {}),
    ...(raw.rate_limit !== undefined ? { rateLimit: toLimits(raw.rate_limit as Raw) } : {}),
    ...(raw.body_limit_bytes !== undefined ? { bodyLimitBytes: raw.body_limit_bytes as number } : {}),
    ...(raw.timeout_ms !== undefined ? { timeoutMs: raw.timeout_ms as number } : {}),
    ...(raw.shutdown_timeout_ms !== undefined ? { shutdownTimeoutMs: raw.shutdown_timeout_ms as number } : {}),
  };
}

function toEngine(ctx: Context, name: string, raw: Raw, node: Node | undefined): EngineConfig | undefined {
  const provider = raw.provider as Provider | undefined;
  const model = raw.model as string | undefined;
  if (!provider || !model) return undefined;
  const map = isMap(node) ? node : undefined;
  const info = raw.model_info as Raw | undefined;
  const pricing = info?.pricing as Raw | undefined;
  const modelInfo: ModelInfo | undefined = info
    ? {
        ...(info.context_window !== undefined ? { contextWindow: info.context_window as number } : {}),
        ...(info.max_output_tokens !== undefined ? { maxOutputTokens: info.max_output_tokens as number } : {}),
        ...(info.features !== undefined ? { features: info.features as ModelFeature[] } : {}),
        ...(pricing
          ? {
              pricing: {
                ...(pricing.input_per_mtok !== undefined ? { inputPerMTok: pricing.input_per_mtok as number } : {}),
                ...(pricing.output_per_mtok !== undefined ? { outputPerMTok: pricing.output_per_mtok as number } : {}),
                ...(pricing.cache_read_per_mtok !== undefined ? { cacheReadPerMTok: pricing.cache_read_per_mtok as number } : {}),
                ...(pricing.cache_write_per_mtok !== undefined ? { cacheWritePerMTok: pricing.cache_write_per_mtok as number } : {}),
              },
            }
          : {}),
      }
    : undefined;
  const descriptor = resolveModel(provider, model, modelInfo);
  if (!descriptor) {
    reportNode(
      ctx,
      CONFIG_CODES.unknownModel,
      `engine \`${name}\`: \`${model}\` is not a known ${provider} model`,
      map?.get('model', true) as Node | undefined,
      didYouMeanModel(provider, model) ?? 'describe it with `model_info: { context_window, max_output_tokens, features, pricing }`',
    );
    return undefined;
  }
  if (raw.api_key === undefined && provider !== 'scripted') {
    reportNode(ctx, CONFIG_CODES.missingApiKey, `engine \`${name}\` has no api_key`, map?.items[0]?.key as Node | undefined ?? map, `add \`api_key: "\${env:${provider.toUpperCase()}_API_KEY}"\``);
  }
  const limits = raw.limits as EngineConfig['limits'] | undefined;
  return {
    name,
    provider,
    model,
    ...(raw.api_key !== undefined ? { apiKey: raw.api_key instanceof Secret ? raw.api_key : new Secret(raw.api_key as string) } : {}),
    ...(raw.base_url !== undefined ? { baseUrl: raw.base_url as string } : {}),
    ...(limits ? { limits: { ...limits } } : {}),
    ...(raw.timeout_ms !== undefined ? { timeoutMs: raw.timeout_ms as number } : {}),
    ...(modelInfo ? { modelInfo } : {}),
    descriptor,
  };
}

function locationOf(ctx: Context, node: Node | null | undefined): ConfigLocation {
  const { line, column } = ctx.source.rangeAt(node?.range?.[0] ?? 0, node?.range?.[0] ?? 0).start;
  return { line, column };
}

function secrets(values: unknown): Record<string, Secret> | undefined {
  if (values === undefined) return undefined;
  return Object.fromEntries(Object.entries(values as Record<string, string>).map(([k, v]) => [k, new Secret(v)]));
}

function toMcpServer(ctx: Context, name: string, raw: Raw, node: Node | undefined, keyNode: Node | undefined): McpServerConfig | undefined {
  const map = isMap(node) ? node : undefined;
  const hasCommand = raw.command !== undefined;
  const hasUrl = raw.url !== undefined;
  if (hasCommand === hasUrl) {
    reportNode(
      ctx,
      CONFIG_CODES.mcpTransport,
      hasCommand ? `MCP server \`${name}\` has both \`command\` and \`url\`` : `MCP server \`${name}\` has neither \`command\` nor \`url\``,
      keyNode ?? map,
      'give `command:` (and `args:`) to start it over stdio, or `url:` to reach it over Streamable HTTP — one of the two',
    );
    return undefined;
  }
  const stdioOnly = ['args', 'env', 'cwd'].filter((k) => raw[k] !== undefined);
  const httpOnly = ['headers'].filter((k) => raw[k] !== undefined);
  const misplaced = hasUrl ? stdioOnly : httpOnly;
  if (misplaced.length > 0) {
    reportNode(
      ctx,
      CONFIG_CODES.mcpTransport,
      `MCP server \`${name}\`: \`${misplaced[0]}\` applies to ${hasUrl ? 'a server started with `command`' : 'a server reached by `url`'} only`,
      map?.items.find((pair) => isScalar(pair.key) && String((pair.key as Scalar).value) === misplaced[0])?.key as Node | undefined,
      hasUrl ? 'remove it, or start the server with `command:` instead of `url:`' : 'remove it; a stdio server gets its settings from `env:`',
    );
    return undefined;
  }
  const toolsNode = map?.get('tools', true);
  const toolLocations: Record<string, ConfigLocation> = {};
  if (isMap(toolsNode)) {
    for (const pair of toolsNode.items) if (isScalar(pair.key)) toolLocations[String(pair.key.value)] = locationOf(ctx, pair.key as Node);
  }
  const configDir = path.dirname(path.resolve(ctx.source.path));
  const env = secrets(raw.env);
  const headers = secrets(raw.headers);
  return {
    name,
    transport: hasCommand ? 'stdio' : 'http',
    ...(hasCommand ? { command: raw.command as string } : {}),
    ...(raw.args !== undefined ? { args: [...(raw.args as string[])] } : {}),
    ...(env ? { env } : {}),
    cwd: path.resolve(configDir, (raw.cwd as string | undefined) ?? '.'),
    ...(hasUrl ? { url: raw.url as string } : {}),
    ...(headers ? { headers } : {}),
    ...(raw.timeout_ms !== undefined ? { timeoutMs: raw.timeout_ms as number } : {}),
    tools: { ...((raw.tools ?? {}) as Record<string, string>) },
    at: { ...locationOf(ctx, keyNode ?? map), tools: toolLocations },
  };
}

function didYouMeanModel(provider: Provider, model: string): string | undefined {
  const hint = didYouMean(model, listModels(provider).map((m) => m.id));
  return hint ? `${hint} Or describe the model with \`model_info\`.` : undefined;
}

/** Validates `node` against `spec`; returns the plain value (strings interpolated) or undefined on error. */
function check(ctx: Context, node: unknown, spec: FieldSpec, what: string, keyName: string | undefined): unknown {
  const n = node as Node | null | undefined;
  switch (spec.kind) {
    case 'map':
    case 'dict': {
      if (!isMap(n)) {
        reportNode(ctx, CONFIG_CODES.wrongType, `${what} must be a mapping (key: value pairs)`, n, undefined);
        return undefined;
      }
      const out: Raw = {};
      let ok = true;
      for (const pair of n.items) {
        const keyNode = pair.key as Node;
        const key = isScalar(keyNode) ? String(keyNode.value) : '';
        if (spec.kind === 'map') {
          const field = spec.fields[key];
          if (!field) {
            reportNode(ctx, CONFIG_CODES.unknownKey, `unknown key \`${key}\` in ${what}`, keyNode, didYouMean(key, Object.keys(spec.fields)) ?? `valid keys: ${Object.keys(spec.fields).join(', ')}`);
            ok = false;
            continue;
          }
          const value = check(ctx, pair.value, field, `\`${key}\``, key);
          if (value === undefined) ok = false;
          else out[key] = value;
        } else {
          if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) {
            reportNode(ctx, CONFIG_CODES.invalidValue, `\`${key}\` is not a valid name for ${spec.description}`, keyNode, 'use letters, digits, `_` and `-`, starting with a letter');
            ok = false;
            continue;
          }
          const value = check(ctx, pair.value, spec.values, `${spec.item ?? 'engine'} \`${key}\``, key);
          if (value === undefined) ok = false;
          else out[key] = value;
        }
      }
      if (spec.kind === 'map') {
        for (const required of spec.required ?? []) {
          if (!n.has(required)) {
            reportNode(ctx, CONFIG_CODES.missingKey, `${what} has no \`${required}\``, n, `add \`${required}:\` (${(spec.fields[required] as FieldSpec).description})`, true);
            ok = false;
          }
        }
      }
      return ok ? out : undefined;
    }
    case 'list': {
      if (!isSeq(n)) {
        reportNode(ctx, CONFIG_CODES.wrongType, `${what} must be a list`, n, undefined);
        return undefined;
      }
      const out: unknown[] = [];
      for (const item of n.items) {
        const value = check(ctx, item, spec.items, `an item of ${what}`, keyName);
        if (value === undefined) return undefined;
        out.push(value);
      }
      return out;
    }
    default:
      return checkScalar(ctx, n, spec, what, keyName);
  }
}

function checkScalar(ctx: Context, n: Node | null | undefined, spec: Extract<FieldSpec, { kind: 'string' | 'int' | 'number' }>, what: string, keyName: string | undefined): unknown {
  if (!isScalar(n) || n.value === null) {
    reportNode(ctx, CONFIG_CODES.wrongType, `${what} must be ${spec.kind === 'string' ? 'a string' : spec.kind === 'int' ? 'an integer' : 'a number'} (${spec.description})`, n, undefined);
    return undefined;
  }
  let value: unknown = n.value;
  let fromEnv = false;
  const fileRef = spec.kind === 'string' && spec.enum === undefined && typeof value === 'string' ? FILE_REF.exec(value) : null;
  if (fileRef !== null) return secretFile(ctx, n, fileRef[1]!, spec.kind === 'string' && spec.secret === true && keyName === 'api_key');
  if (typeof value === 'string') {
    const result = interpolate(value, ctx.env);
    const base = scalarTextStart(ctx, n);
    for (const p of result.problems) {
      if (p.kind === 'unset') {
        report(ctx, CONFIG_CODES.unsetVariable, `the environment variable ${p.name} is not set`, base + p.start, base + p.end, `set ${p.name}, or give a default: \`\${env:${p.name}:-value}\``);
      } else {
        report(ctx, CONFIG_CODES.malformedReference, 'this is not a valid reference', base + p.start, base + p.end, 'write `${env:NAME}`, `${env:NAME:-default}` or (as the whole value) `${file:path}`; `$${` stands for a literal `${`');
      }
    }
    if (result.problems.length > 0) return undefined;
    value = result.value;
    fromEnv = result.fromEnv;
    const credential = keyName === 'api_key' || (keyName !== undefined && /authorization|token|key|secret|password/i.test(keyName));
    if (spec.kind === 'string' && spec.secret && credential && !/\$\{(env|file):/.test(n.value as string)) {
      const what = keyName === 'api_key' ? 'the API key' : keyName === 'token' ? 'the bearer token' : `the secret \`${keyName}\``;
      reportNode(ctx, CONFIG_CODES.literalSecret, `${what} is written in the file`, n, `keep keys out of files: \`${keyName}: "\${env:NAME}"\``, false, 'warning');
    }
  }
  if (spec.kind === 'string') {
    if (typeof value !== 'string') {
      reportNode(ctx, CONFIG_CODES.wrongType, `${what} must be a string (${spec.description})`, n, 'quote the value');
      return undefined;
    }
    if (spec.enum && !spec.enum.includes(value)) {
      // Never echo a value that came from the environment: it may be a secret.
      const shown = fromEnv ? 'the value from the environment' : `\`${value}\``;
      reportNode(ctx, CONFIG_CODES.invalidValue, `${what}: ${shown} is not one of ${spec.enum.join(', ')}`, n, fromEnv ? undefined : didYouMean(value, spec.enum));
      return undefined;
    }
    if (spec.format === 'url') {
      let ok = false;
      try {
        ok = ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        ok = false;
      }
      if (!ok) {
        reportNode(ctx, CONFIG_CODES.invalidValue, `${what} must be an http:// or https:// URL`, n, 'e.g. `https://api.example.com`');
        return undefined;
      }
    }
    return value;
  }
  const num = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof num !== 'number' || !Number.isFinite(num) || (spec.kind === 'int' && !Number.isInteger(num)) || num < spec.min) {
    const expected = spec.kind === 'int' ? (spec.min >= 1 ? 'a positive integer' : 'an integer') : `a number ≥ ${spec.min}`;
    reportNode(ctx, CONFIG_CODES.wrongType, `${what} must be ${expected} (${spec.description})`, n, undefined);
    return undefined;
  }
  return num;
}

/** Offset of a scalar's first content character (inside the quotes when quoted). */
/** A value that is one `${file:path}` reference, as a whole. */
const FILE_REF = /^\$\{file:([^}]+)\}$/;

/**
 * `${file:path}`: the file's content, trailing newlines cut (mounted secrets end with one). For
 * `api_key` a {@link FileSecret}, read again when the file changes; elsewhere the content, read
 * once. A relative path starts at the config's folder and may not leave it; absolute paths
 * (`/run/secrets/...`) are the operator's to choose. The content is never quoted in a diagnostic.
 */
function secretFile(ctx: Context, n: Scalar, ref: string, rotating: boolean): unknown {
  const start = scalarTextStart(ctx, n);
  const end = start + String(n.value).length;
  const resolved = path.resolve(ctx.baseDir, ref);
  const relative = path.relative(ctx.baseDir, resolved);
  if (!path.isAbsolute(ref) && (relative.startsWith('..') || path.isAbsolute(relative))) {
    report(ctx, CONFIG_CODES.unreadableSecretFile, `\`${ref}\` leaves the config's folder`, start, end, 'give an absolute path (e.g. /run/secrets/name) or a path inside the project');
    return undefined;
  }
  try {
    const secret = new FileSecret(resolved);
    return rotating ? secret : secret.reveal();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'I/O error'})`;
    report(ctx, CONFIG_CODES.unreadableSecretFile, `the secret file ${ref} ${reason}`, start, end, 'mount or create the file, or fix the path (relative paths start at the config file\'s folder)');
    return undefined;
  }
}

function scalarTextStart(ctx: Context, n: Scalar): number {
  const start = n.range?.[0] ?? 0;
  const first = ctx.source.text[start];
  return first === '"' || first === "'" ? start + 1 : start;
}

function reportNode(
  ctx: Context,
  code: string,
  message: string,
  node: Node | null | undefined,
  hint: string | undefined,
  firstLineOnly = false,
  severity: Diagnostic['severity'] = 'error',
): void {
  const range = node?.range;
  const start = range?.[0] ?? 0;
  let end = range?.[1] ?? start;
  if (firstLineOnly) {
    const lineEnd = ctx.source.text.indexOf('\n', start);
    if (lineEnd >= 0 && lineEnd < end) end = lineEnd;
  }
  report(ctx, code, message, start, end, hint, severity);
}

function report(ctx: Context, code: string, message: string, start: number, end: number, hint: string | undefined, severity: Diagnostic['severity'] = 'error'): void {
  ctx.diagnostics.push({
    code,
    severity,
    message,
    file: ctx.source.path,
    range: ctx.source.rangeAt(start, end),
    ...(hint ? { hint } : {}),
  });
}
