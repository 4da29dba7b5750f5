/**
 * A local HTTP server that answers every request with one wire reply (a JSON body or an SSE stream in
 * the provider's framing), so tests drive the real adapters through the official SDKs on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnthropicAdapter, CohereAdapter, type EngineAdapter, type EngineResponse, OpenAIAdapter, type StreamEvent } from '@sdl/adapters';

/** The providers with a wire format. */
export type WireProvider = 'anthropic' | 'openai' | 'cohere';

/** One wire reply: a JSON body, or stream events (Anthropic and Cohere events are named by their `type`). */
export type WireReply = { json: unknown } | { events: unknown[] };

function sseOf(provider: WireProvider, events: unknown[]): string {
  if (provider === 'openai') return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
  return events.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

/** The server and helpers that send one request through an adapter and collect what it produced. */
export interface WireServer {
  generate(provider: WireProvider, json: unknown): Promise<EngineResponse>;
  stream(provider: WireProvider, events: unknown[]): Promise<{ events: StreamEvent[]; response: EngineResponse }>;
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port. */
export async function startWireServer(): Promise<WireServer> {
  let current: { provider: WireProvider; reply: WireReply } | undefined;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { provider, reply } = current!;
      const body = Buffer.from('json' in reply ? JSON.stringify(reply.json) : sseOf(provider, reply.events));
      res.writeHead(200, { 'content-type': 'json' in reply ? 'application/json' : 'text/event-stream', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adapterFor = (provider: WireProvider): EngineAdapter => {
    const options = { apiKey: 'sk-wire-test', timeoutMs: 5000 };
    if (provider === 'anthropic') return new AnthropicAdapter({ ...options, baseURL: origin });
    if (provider === 'openai') return new OpenAIAdapter({ ...options, baseURL: `${origin}/v1` });
    return new CohereAdapter({ ...options, baseURL: origin });
  };
  const request = { model: 'fixture-model', messages: [{ role: 'user' as const, content: 'hi' }] };
  return {
    generate(provider, json) {
      current = { provider, reply: { json } };
      return adapterFor(provider).generate(request);
    },
    async stream(provider, events) {
      current = { provider, reply: { events } };
      const out: StreamEvent[] = [];
      for await (const e of adapterFor(provider).stream(request)) out.push(e);
      const last = out.at(-1);
      if (last?.type !== 'stop') throw new Error('no stop event');
      return { events: out, response: last.response };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
