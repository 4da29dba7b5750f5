/**
 * Every public object that can hold an API key or a Redis password prints without it: under
 * `util.inspect` (what `console.log` uses, with hidden properties and unlimited depth too),
 * `JSON.stringify` and string conversion. The keys are planted; the test fails if any printout
 * contains one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startMcpHttpServer } from '../../../../test/support/mcp-http-server.js';
import { AnthropicAdapter, CohereAdapter, createEngines, FileSecret, OpenAIAdapter, parseConfig, ProviderCredential, Secret } from '@sdl/adapters';
import {
  CircuitBreakers,
  createDefaultChain,
  createRuntime,
  createStateStore,
  EngineRegistry,
  EngineRouter,
  MemoryBreakerStore,
  McpServers,
  MemoryRateLimiter,
  RedisBreakerStore,
  RedisRateLimiter,
  RedisResponseCache,
  RedisStore,
  systemClock,
} from '../../src/index.js';

const KEYS = {
  anthropic: 'sk-ant-PLANTED-anthropic-9f8e7d6c',
  openai: 'sk-PLANTED-openai-5b4a3928',
  cohere: 'PLANTED-cohere-17263544',
  redisPassword: 'PLANTED-redis-pw-0a1b2c',
};

/** Every way a host commonly turns an object into text. */
function printouts(value: unknown): string[] {
  const out = [
    inspect(value),
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    String(value),
    `${value as string}`,
  ];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch (err) {
    out.push(String(err)); // a cycle: the error text must not carry the key either
  }
  return out;
}

const server = net.createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const closedPort = (server.address() as net.AddressInfo).port;
await new Promise<void>((resolve) => server.close(() => resolve()));
const redisUrl = `redis://:${KEYS.redisPassword}@127.0.0.1:${closedPort}`;

const lazyRedis = new Redis(redisUrl, { lazyConnect: true });
// An MCP server over Streamable HTTP that wants the planted key as its bearer token, so a live connection holds it.
const mcpServer = await startMcpHttpServer(KEYS.anthropic);
const parsed = parseConfig(
  [
    'engines:',
    '  claude: { provider: anthropic, model: claude-sonnet-4-5, api_key: "${env:K1}", base_url: "http://127.0.0.1:1" }',
    '  gpt: { provider: openai, model: gpt-5-mini, api_key: "${env:K2}" }',
    '  cmd: { provider: cohere, model: command-a-03-2025, api_key: "${env:K3}" }',
    'state: { store: redis, url: "${env:RURL}" }',
    'mcp:',
    '  local: { command: node, args: [server.js], env: { API_TOKEN: "${env:K3}" } }',
    `  remote: { url: "${mcpServer.url}", headers: { Authorization: "Bearer \${env:K1}" } }`,
  ].join('\n'),
  'sdl.config.yaml',
  { env: { K1: KEYS.anthropic, K2: KEYS.openai, K3: KEYS.cohere, RURL: redisUrl } },
);
if (!parsed.config) throw new Error(`test bug: ${JSON.stringify(parsed.diagnostics)}`);
const config = parsed.config;
const adapters = createEngines(config);
const registry = new EngineRegistry(
  Object.values(config.engines).map((e) => ({ name: e.name, provider: e.provider, model: e.model, adapter: adapters[e.name]! })),
  'claude',
);
const chain = createDefaultChain({
  breakers: new CircuitBreakers(new RedisBreakerStore(lazyRedis), systemClock),
  limiter: new RedisRateLimiter({ redis: lazyRedis }),
  cache: new RedisResponseCache(lazyRedis),
});
const router = new EngineRouter({ registry, chain });
const redisStore = new RedisStore({ redis: redisUrl });
const configuredStore = createStateStore({ store: 'redis', url: redisUrl });
const mcpServers = new McpServers(config.mcp ?? {});
// Connected: the transport now sends the header on every request.
await mcpServers.connection('remote')!.tools();
afterAll(async () => {
  await mcpServers.close();
  await mcpServer.close();
  await redisStore.close();
  await configuredStore.close();
  lazyRedis.disconnect();
});

// The SDK client is made on the adapter's first call (LazySdk); load it so its printout is checked too.
const gptSdk = await (adapters.gpt as unknown as { sdk: { load(key: string): Promise<{ client: unknown }> } }).sdk.load(KEYS.openai);

// Keys that rotate: a mounted key file, and a host callback after its first fetch.
const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'sdl-secret-')), 'anthropic');
writeFileSync(keyFile, `${KEYS.anthropic}\n`);
const fileSecret = new FileSecret(keyFile);
const fromCallback = new ProviderCredential(async () => ({ apiKey: KEYS.openai, ttlMs: 60_000 }), { engine: 'gpt', provider: 'openai' });
await fromCallback.current();

const objects: [string, unknown][] = [
  ['Secret', new Secret(KEYS.anthropic)],
  ['the loaded config', config],
  ['an engine config', config.engines.claude],
  ['the state config', config.state],
  ['AnthropicAdapter', new AnthropicAdapter({ apiKey: KEYS.anthropic })],
  ['OpenAIAdapter', new OpenAIAdapter({ apiKey: KEYS.openai, baseURL: 'http://127.0.0.1:1/v1' })],
  ['CohereAdapter', new CohereAdapter({ apiKey: KEYS.cohere })],
  ['FileSecret (${file:...})', fileSecret],
  ['ProviderCredential, after a fetch', fromCallback],
  ['AnthropicAdapter on a FileSecret', new AnthropicAdapter({ apiKey: fileSecret })],
  ['OpenAIAdapter on a ProviderCredential', new OpenAIAdapter({ apiKey: fromCallback })],
  ['the adapters of createEngines', adapters],
  ["an adapter's SDK client", gptSdk.client],
  ['EngineRegistry', registry],
  ['an EngineRegistry entry', registry.get('claude')],
  ['EngineRouter', router],
  ['the default chain with Redis stages', chain],
  ['RedisStore', redisStore],
  ['the RedisStore of createStateStore', configuredStore],
  ["a RedisStore's own client", (redisStore as unknown as { redis: unknown }).redis],
  ['RedisRateLimiter', new RedisRateLimiter({ redis: lazyRedis })],
  ['RedisBreakerStore', new RedisBreakerStore(lazyRedis)],
  ['RedisResponseCache', new RedisResponseCache(lazyRedis)],
  ['a runtime on the router', createRuntime({ router })],
  ['a runtime with engines', createRuntime({ engines: { gpt: { adapter: adapters.gpt!, model: 'gpt-5-mini' } } })],
  ['CircuitBreakers (memory)', new CircuitBreakers(new MemoryBreakerStore(), systemClock)],
  ['MemoryRateLimiter', new MemoryRateLimiter(systemClock)],
  ['the mcp: config (stdio env, HTTP headers)', config.mcp],
  ['McpServers with a connected HTTP server', mcpServers],
  ['a connected McpConnection', mcpServers.connection('remote')],
  ['a runtime with MCP servers', createRuntime({ router, mcp: mcpServers })],
];

describe('objects that can hold a key print redacted', () => {
  it.each(objects)('%s', (_name, value) => {
    for (const text of printouts(value)) {
      for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
    }
  });

  it('still says what the object is', () => {
    expect(inspect(registry)).toBe(
      "EngineRegistry { default: 'claude', engines: [ { name: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5' }, { name: 'gpt', provider: 'openai', model: 'gpt-5-mini' }, { name: 'cmd', provider: 'cohere', model: 'command-a-03-2025' } ] }",
    );
    expect(String(redisStore)).toBe(`RedisStore { address: '127.0.0.1:${closedPort}', prefix: 'sdl:' }`);
    expect(JSON.parse(JSON.stringify(adapters.claude))).toEqual({
      AnthropicAdapter: { provider: 'anthropic', baseURL: 'http://127.0.0.1:1', timeoutMs: 60_000 },
    });
  });
});
