/**
 * What the server tests share: the fixture skills, a runtime on the real adapters (official SDKs)
 * over HTTP to the emulators, a server listening on 127.0.0.1, and a reader for server-sent events.
 */
import { fileURLToPath } from 'node:url';
import { findModel, startEmulator, type EmulatedProvider, type Emulator, type EmulatorOptions } from '@sdl/adapters';
import {
  CircuitBreakers,
  createDefaultChain,
  createMetrics,
  createRuntime,
  DEFAULT_POLICIES,
  EngineRegistry,
  EngineRouter,
  loadSkillFile,
  MemoryBreakerStore,
  MemoryRateLimiter,
  systemClock,
  type ConversationStore,
  type LoadedSkill,
  type Runtime,
  type RuntimeMetrics,
} from '@sdl/runtime';
import { createServer, type SdlServer, type ServerOptions } from '@sdl/server';
import { emulatedAdapter } from '../../../test/support/emulated-engines.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/skills/', import.meta.url));
export const API_KEY = 'sk-server-test-0123456789abcdef';
export const TOKENS = { web: 'tok-web-5f0c1d2e3a4b5c6d7e8f', ops: 'tok-ops-a1b2c3d4e5f60718293a' };
export const MODELS: Record<EmulatedProvider, string> = { anthropic: 'claude-sonnet-5', openai: 'gpt-5-mini', cohere: 'command-a-plus-05-2026' };

/** The fixture skills, loaded once. */
export async function fixtureSkills(): Promise<LoadedSkill[]> {
  return Promise.all(['chat', 'greet'].map((name) => loadSkillFile(`${FIXTURES}${name}.skill.yaml`)));
}

/** A runtime whose one engine is `provider`'s adapter against `emulator`, with metrics on a registry of its own. */
export function emulatedRuntime(provider: EmulatedProvider, emulator: Emulator, state?: ConversationStore): { runtime: Runtime; metrics: RuntimeMetrics } {
  const metrics = createMetrics();
  const registry = new EngineRegistry([{ name: provider, provider, model: MODELS[provider], adapter: emulatedAdapter(provider, emulator.url, API_KEY) }], provider);
  const chain = createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), limiter: new MemoryRateLimiter(systemClock) });
  const router = new EngineRouter({ registry, chain, metrics, describeModel: findModel, defaults: { ...DEFAULT_POLICIES, timeoutMs: 5_000 } });
  return { runtime: createRuntime({ router, describeModel: findModel, ...(state === undefined ? {} : { state }) }), metrics };
}

/** A listening server plus its emulator; `close()` shuts both. */
export interface Stack {
  url: string;
  server: SdlServer;
  emulator: Emulator;
  runtime: Runtime;
  close(): Promise<void>;
}

/** Starts an emulator of `provider` and a server on it with callers `web` and `ops`. */
export async function startStack(
  provider: EmulatedProvider,
  options: { emulator?: Partial<EmulatorOptions>; server?: Partial<ServerOptions>; state?: ConversationStore } = {},
): Promise<Stack> {
  const emulator = await startEmulator({ provider, ...options.emulator });
  const { runtime, metrics } = emulatedRuntime(provider, emulator, options.state);
  const server = createServer({
    runtime,
    skills: await fixtureSkills(),
    callers: [
      { name: 'web', token: { reveal: () => TOKENS.web } },
      { name: 'ops', token: { reveal: () => TOKENS.ops } },
    ],
    registry: metrics.registry,
    ...options.server,
  });
  const { url } = await server.listen({ port: 0 });
  return {
    url,
    server,
    emulator,
    runtime,
    async close() {
      await server.shutdown();
      await emulator.close();
    },
  };
}

/** A POST of `body` to a skill's runs endpoint as `caller` (or with the given headers). */
export function postRun(url: string, skill: string, body: unknown, init: { token?: string | null; headers?: Record<string, string>; query?: string } = {}): Promise<Response> {
  const token = init.token === undefined ? TOKENS.web : init.token;
  return fetch(`${url}/v1/skills/${skill}/runs${init.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** One server-sent event as read off the wire. */
export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

/** Reads a whole `text/event-stream` body into events (data parsed as JSON). */
export async function readEvents(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  const events: SseEvent[] = [];
  for (const block of text.split(/\n\n/)) {
    if (block.trim() === '') continue;
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    events.push({ event, ...(id === undefined ? {} : { id }), data: JSON.parse(data.join('\n')) });
  }
  return events;
}
