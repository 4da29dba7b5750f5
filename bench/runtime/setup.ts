/**
 * What the runtime benchmark and its harnesses share: the emulator process and the contenders' clients.
 * SDL comes from the built packages (`@sdl/runtime`, `@sdl/adapters`: the bundles a host imports), not
 * from the sources through tsx, whose transform wraps every function and closure SDL creates in an
 * `Object.defineProperty` call for its name (esbuild's keepNames) that the bundles do not have
 * (`bundle-vs-source.ts`, 2026-12-04, in process: the bundles take 0.76x the CPU of the sources per
 * `runtime.run` with the engine bound directly, 0.83x through the default chain).
 * Run `npm run build` first: importing this module fails when a source file is newer than its bundle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { AnthropicAdapter, findModel, type EngineAdapter } from '@sdl/adapters';
import {
  CircuitBreakers,
  createDefaultChain,
  createRuntime,
  EngineRegistry,
  EngineRouter,
  loadSkillSource,
  MemoryBreakerStore,
  MemoryRateLimiter,
  type MiddlewareChain,
  systemClock,
  type LoadedSkill,
  type Runtime,
  type TelemetryOptions,
} from '@sdl/runtime';

export const MODEL = 'claude-sonnet-5';
export const QUESTION = 'What is the capital of France? Answer in one word.';

/** A file beside this one. */
export const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Throws when a source file of `packages/<name>` is newer than the package's bundle: the bench would measure old code. */
function assertBuilt(name: string): void {
  const root = here(`../../packages/${name}`);
  const bundle = statSync(`${root}/dist/bundle/index.js`, { throwIfNoEntry: false });
  const newest = (readdirSync(`${root}/src`, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .reduce((latest, entry) => Math.max(latest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs), 0);
  if (bundle === undefined || bundle.mtimeMs < newest) throw new Error(`packages/${name} has changed since it was built: run \`npm run build\` first (the benches measure the built bundles)`);
}
for (const name of ['adapters', 'runtime']) assertBuilt(name);

/** Starts the Anthropic emulator in its own process (so only the client's work is in this one). */
export async function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', here('./emulator.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  for await (const chunk of child.stdout!) {
    buffered += String(chunk);
    if (buffered.includes('\n')) break;
  }
  return { url: buffered.trim(), child };
}

/**
 * Replaces `globalThis.fetch` (before the clients are made: the SDK takes it at construction) with
 * one that answers every request in process, after one event-loop turn, with the reply the emulator
 * at `url` gave to one real request (status, headers, body). The SDK still serializes the request and
 * parses the reply; there is no socket, undici or emulator round trip. Over HTTP, SDL's per-call work
 * costs 10-30x what it costs beside an adapter that answers at once; beside the real SDK code
 * answering in process it is already ~8x (bench/README.md, 2026-12-03), so this is a low-noise stand-in.
 */
export async function answerInProcess(url: string): Promise<void> {
  const realFetch = globalThis.fetch;
  const recorded = await realFetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] }),
  });
  const body = await recorded.text();
  const headers = [...recorded.headers.entries()].filter(([name]) => name !== 'content-length' && name !== 'transfer-encoding');
  globalThis.fetch = async (_input: unknown, init?: RequestInit) => {
    // What a server would do with the body: read it.
    if (init?.body !== undefined) JSON.parse(String(init.body));
    await new Promise((resolve) => setImmediate(resolve));
    return new Response(body, { status: recorded.status, headers });
  };
}

/**
 * Replaces `globalThis.fetch` (before the clients are made) with one that answers every streamed
 * request to `http…` in process with the SSE bytes the in-process emulator sent for the same
 * question, recorded once per question in `questions` and handed over one SSE event per chunk: the
 * SDK still decodes the SSE and parses each event's JSON; there is no socket. With one question the
 * request body is not read (as stream-inproc.ts always did); with several, its last message picks
 * the reply. Returns the number of `content_block_delta` events of each reply.
 */
export async function streamInProcess(questions: string[]): Promise<number[]> {
  const { startEmulator } = await import('@sdl/adapters');
  const emulator = await startEmulator({ provider: 'anthropic' });
  const encoder = new TextEncoder();
  const replies = new Map<string, Uint8Array[]>();
  const deltas: number[] = [];
  for (const question of questions) {
    const recorded = await fetch(`${emulator.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: MODEL, max_tokens: 4000, stream: true, messages: [{ role: 'user', content: question }] }),
    });
    const events = (await recorded.text()).split(/(?<=\n\n)/);
    replies.set(question, events.map((event) => encoder.encode(event)));
    deltas.push(events.filter((event) => event.includes('content_block_delta')).length);
  }
  await emulator.close();
  const only = questions.length === 1 ? replies.get(questions[0]!)! : undefined;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    if (!String(input instanceof Request ? input.url : input).startsWith('http')) return realFetch(input, init);
    const chunks = only ?? replies.get((JSON.parse(String(init!.body)) as { messages: { content: string }[] }).messages.at(-1)!.content)!;
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]!);
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', 'request-id': 'req_inproc' } });
  }) as typeof fetch;
  return deltas;
}

/** The base URL the in-process clients use (no such host: {@link streamInProcess} answers every request). */
export const IN_PROCESS_BASE_URL = 'http://sdl-inproc.invalid';

/**
 * The stream benches' contenders in process (call {@link streamInProcess} first): the bare SDK client
 * and the adapter on the in-process fetch, the stream skill, the router + default chain on its own and
 * behind a runtime, and a runtime with the engine bound directly.
 */
export async function inProcessStreamClients(): Promise<{
  client: Anthropic;
  adapter: AnthropicAdapter;
  skill: LoadedSkill;
  routed: Runtime;
  router: EngineRouter;
  direct: Runtime;
}> {
  const baseURL = IN_PROCESS_BASE_URL;
  const client = new Anthropic({ apiKey: 'k', baseURL, maxRetries: 0, timeout: 60_000, logLevel: 'off' });
  const adapter = new AnthropicAdapter({ apiKey: 'k', baseURL, timeoutMs: 60_000, defaultMaxTokens: 200 });
  const skill = await loadSkillSource(here('./stream.skill.yaml'));
  const direct = createRuntime({ engines: { claude: { adapter, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
  direct.load(skill);
  return { client, adapter, skill, routed: routedRuntime(adapter, [skill]), router: defaultChainRouter(adapter), direct };
}

/** The bare SDK client, the adapter, and a runtime with the one-step skill loaded and the engine bound directly. */
export async function benchClients(url: string): Promise<{ client: Anthropic; adapter: AnthropicAdapter; skill: LoadedSkill; direct: Runtime }> {
  const client = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0, timeout: 60_000, logLevel: 'off' });
  const skill = await loadSkillSource(here('./one-step.skill.yaml'));
  const adapter = new AnthropicAdapter({ apiKey: 'k', baseURL: url, timeoutMs: 60_000, defaultMaxTokens: 200 });
  const direct = createRuntime({ engines: { claude: { adapter, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
  direct.load(skill);
  return { client, adapter, skill, direct };
}

/** The default chain as a host gets it, no policy configured, on in-memory stores and the real clock. */
export function defaultChain(): MiddlewareChain {
  return createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), limiter: new MemoryRateLimiter(systemClock) });
}

/** The path a host runs: one engine (`claude` on `adapter`) behind `EngineRouter` and `chain` (the default chain unless given). */
export function defaultChainRouter(adapter: EngineAdapter, chain: MiddlewareChain = defaultChain()): EngineRouter {
  const registry = new EngineRegistry([{ name: 'claude', provider: 'anthropic', model: MODEL, adapter, config: {} }], 'claude');
  return new EngineRouter({ registry, chain, describeModel: findModel });
}

/** A runtime on {@link defaultChainRouter} (with `options.chain` when given) with `skills` loaded, and telemetry when given (bench/runtime/tracing.ts). */
export function routedRuntime(adapter: EngineAdapter, skills: LoadedSkill[], options: { telemetry?: TelemetryOptions; chain?: MiddlewareChain } = {}): Runtime {
  const runtime = createRuntime({ router: defaultChainRouter(adapter, options.chain), ...(options.telemetry ? { telemetry: options.telemetry } : {}) });
  for (const skill of skills) runtime.load(skill);
  return runtime;
}
