/**
 * The shape of `sdl.config.yaml`, as data the validator in `load.ts` walks. Keys are snake_case in the
 * file; `load.ts` hands back camelCase objects.
 */
export type FieldSpec =
  | { kind: 'map'; fields: Record<string, FieldSpec>; required?: string[]; description: string }
  | { kind: 'dict'; values: FieldSpec; description: string; /** How an entry is named in messages (default `engine`). */ item?: string }
  | { kind: 'string'; enum?: readonly string[]; format?: 'url'; secret?: boolean; description: string }
  | { kind: 'int'; min: number; description: string }
  | { kind: 'number'; min: number; description: string }
  | { kind: 'list'; items: FieldSpec; description: string };

export const PROVIDERS = ['anthropic', 'openai', 'cohere', 'scripted'] as const;
const STATE_STORES = ['memory', 'file', 'redis'] as const;
const FEATURES = ['tools', 'json_schema', 'streaming', 'vision', 'pdf', 'reasoning'] as const;

const positiveInt = (description: string): FieldSpec => ({ kind: 'int', min: 1, description });

const ENGINE_SPEC: FieldSpec = {
  kind: 'map',
  description: 'an engine',
  required: ['provider', 'model'],
  fields: {
    provider: { kind: 'string', enum: PROVIDERS, description: 'the provider' },
    model: { kind: 'string', description: "the provider's model id" },
    api_key: { kind: 'string', secret: true, description: 'the API key, e.g. "${env:ANTHROPIC_API_KEY}"' },
    base_url: { kind: 'string', format: 'url', description: 'the API base URL (a proxy or an emulator)' },
    timeout_ms: positiveInt('the per-call timeout in milliseconds'),
    limits: {
      kind: 'map',
      description: 'rate limits',
      fields: {
        rpm: positiveInt('requests per minute'),
        tpm: positiveInt('tokens per minute'),
        concurrency: positiveInt('calls in flight at once'),
        burst_requests: positiveInt('requests that may go at once after a quiet spell (the bucket size; default rpm)'),
      },
    },
    model_info: {
      kind: 'map',
      description: 'what the model offers, for models not in the built-in list or to override it',
      fields: {
        context_window: positiveInt('the context window in tokens'),
        max_output_tokens: positiveInt('the maximum output in tokens'),
        features: { kind: 'list', items: { kind: 'string', enum: FEATURES, description: 'a feature' }, description: 'the features' },
        pricing: {
          kind: 'map',
          description: 'prices',
          fields: {
            input_per_mtok: { kind: 'number', min: 0, description: 'US dollars per million input tokens' },
            output_per_mtok: { kind: 'number', min: 0, description: 'US dollars per million output tokens' },
            cache_read_per_mtok: { kind: 'number', min: 0, description: 'US dollars per million input tokens read from the prompt cache' },
            cache_write_per_mtok: { kind: 'number', min: 0, description: 'US dollars per million input tokens written to the prompt cache' },
          },
        },
      },
    },
  },
};

const stringDict = (description: string, item: string, secret: boolean): FieldSpec => ({
  kind: 'dict',
  item,
  description,
  values: { kind: 'string', ...(secret ? { secret: true } : {}), description: `the value of ${item}` },
});

/** One MCP server under `mcp:`: a command to start (stdio) or a URL (Streamable HTTP). See spec/mcp.md. */
export const MCP_SERVER_SPEC: FieldSpec = {
  kind: 'map',
  description: 'an MCP server',
  fields: {
    command: { kind: 'string', description: 'the program that starts the server over stdio, e.g. `npx`' },
    args: { kind: 'list', items: { kind: 'string', description: 'an argument' }, description: 'its arguments' },
    env: stringDict('environment variables of the server process (values are secrets)', 'variable', true),
    cwd: { kind: 'string', description: 'the directory the server starts in, relative to the config file' },
    url: { kind: 'string', format: 'url', description: 'the Streamable HTTP endpoint, e.g. `https://mcp.example.com/mcp`' },
    headers: stringDict('HTTP headers sent with every request (values are secrets)', 'header', true),
    timeout_ms: positiveInt('the deadline of one tool call in milliseconds (default 30000)'),
    tools: stringDict("the skill's tool names bound to this server's tool names (`skill_name: server-name`)", 'tool', false),
  },
};

export const CONFIG_SPEC: FieldSpec = {
  kind: 'map',
  description: 'the configuration',
  required: ['engines'],
  fields: {
    engines: { kind: 'dict', values: ENGINE_SPEC, description: 'the engines by name' },
    mcp: { kind: 'dict', item: 'MCP server', values: MCP_SERVER_SPEC, description: 'the MCP servers whose tools skills may use' },
    default_engine: { kind: 'string', description: 'the name of the engine used when a call names none' },
    state: {
      kind: 'map',
      description: 'where conversation state lives',
      fields: {
        store: { kind: 'string', enum: STATE_STORES, description: 'the store' },
        url: { kind: 'string', secret: true, description: 'the Redis URL' },
        path: { kind: 'string', description: 'the directory of the file store' },
        ttl_s: positiveInt('how long records live, in seconds'),
        prefix: { kind: 'string', description: 'the Redis key prefix' },
      },
    },
    server: {
      kind: 'map',
      description: 'the HTTP server of `skillc serve`',
      fields: {
        host: { kind: 'string', description: 'the interface to listen on (default 127.0.0.1)' },
        port: { kind: 'int', min: 0, description: 'the TCP port (default 8080; 0 picks a free one)' },
        callers: {
          kind: 'dict',
          item: 'caller',
          description: 'the callers allowed to use the server, by name',
          values: {
            kind: 'map',
            description: 'a caller',
            required: ['token'],
            fields: {
              token: { kind: 'string', secret: true, description: 'the bearer token, e.g. "${env:SDL_WEB_TOKEN}"' },
              rpm: positiveInt('runs this caller may start per minute'),
              burst_requests: positiveInt('runs that may start at once after a quiet spell (default rpm)'),
              concurrency: positiveInt('runs of this caller in flight at once'),
            },
          },
        },
        rate_limit: {
          kind: 'map',
          description: 'the per-caller limit for callers that set none',
          fields: {
            rpm: positiveInt('runs a caller may start per minute'),
            burst_requests: positiveInt('runs that may start at once after a quiet spell (default rpm)'),
            concurrency: positiveInt('runs of one caller in flight at once'),
          },
        },
        body_limit_bytes: positiveInt('the largest request body accepted, in bytes (default 1048576)'),
        timeout_ms: positiveInt('the deadline of one run, in milliseconds (default none)'),
        shutdown_timeout_ms: positiveInt('how long in-flight runs may take to finish on SIGTERM before they are cancelled (default 30000)'),
      },
    },
  },
};

/** Config diagnostic codes; documented in spec/config.md. */
export const CONFIG_CODES = {
  yamlSyntax: 'SDL1901',
  unknownKey: 'SDL2901',
  wrongType: 'SDL2902',
  missingKey: 'SDL2903',
  invalidValue: 'SDL2904',
  unsetVariable: 'SDL3901',
  malformedReference: 'SDL3902',
  unknownDefaultEngine: 'SDL3903',
  unknownModel: 'SDL3904',
  literalSecret: 'SDL3905',
  missingApiKey: 'SDL3906',
  mcpTransport: 'SDL3907',
  unreadableSecretFile: 'SDL3908',
  unreadable: 'SDL9901',
} as const;
