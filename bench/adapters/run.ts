/**
 * Per-call overhead of each adapter versus the bare SDK call, against the same local emulator, in one
 * run. Calls alternate between the two in blocks so drift (GC, CPU contention) hits both alike.
 *
 *   npx tsx bench/adapters/run.ts [--calls 2000] [--warmup 200]
 */
import { parseArgs } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { CohereClientV2 } from 'cohere-ai';
import OpenAI from 'openai';
import { AnthropicAdapter, CohereAdapter, type EngineAdapter, type EngineRequest, OpenAIAdapter, startEmulator } from '../../packages/adapters/src/index.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' }, warmup: { type: 'string', default: '200' } } });
const CALLS = Number(values.calls);
const WARMUP = Number(values.warmup);
const BLOCK = 100;

const request: EngineRequest = {
  model: 'bench-model',
  system: 'You are terse.',
  messages: [
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'echo: first question' },
    { role: 'user', content: 'second question, a little longer than the first one' },
  ],
  maxTokens: 200,
};

type Provider = 'anthropic' | 'openai' | 'cohere';
type Call = () => Promise<unknown>;

function bareCalls(provider: Provider, url: string): { generate: Call; stream: Call } {
  if (provider === 'anthropic') {
    const client = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0, timeout: 60_000, logLevel: 'off' });
    const body = {
      model: request.model,
      max_tokens: 200,
      system: request.system!,
      messages: [
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'first question' }] },
        { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'echo: first question' }] },
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'second question, a little longer than the first one' }] },
      ],
    };
    return {
      generate: () => client.messages.create(body),
      stream: async () => {
        for await (const _ of await client.messages.create({ ...body, stream: true }));
      },
    };
  }
  if (provider === 'openai') {
    const client = new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0, timeout: 60_000, logLevel: 'off' });
    const body = {
      model: request.model,
      max_completion_tokens: 200,
      messages: [
        { role: 'system' as const, content: request.system! },
        { role: 'user' as const, content: 'first question' },
        { role: 'assistant' as const, content: 'echo: first question' },
        { role: 'user' as const, content: 'second question, a little longer than the first one' },
      ],
    };
    return {
      generate: () => client.chat.completions.create(body),
      stream: async () => {
        for await (const _ of await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }));
      },
    };
  }
  const client = new CohereClientV2({ token: 'k', baseUrl: url, maxRetries: 0, timeoutInSeconds: 60 });
  const body = {
    model: request.model,
    maxTokens: 200,
    messages: [
      { role: 'system' as const, content: request.system! },
      { role: 'user' as const, content: 'first question' },
      { role: 'assistant' as const, content: 'echo: first question' },
      { role: 'user' as const, content: 'second question, a little longer than the first one' },
    ],
  };
  return {
    generate: () => client.chat(body),
    stream: async () => {
      for await (const _ of await client.chatStream(body));
    },
  };
}

function adapterCalls(adapter: EngineAdapter): { generate: Call; stream: Call } {
  return {
    generate: () => adapter.generate(request),
    stream: async () => {
      for await (const _ of adapter.stream(request));
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(a: Call, b: Call): Promise<[number[], number[]]> {
  for (let i = 0; i < WARMUP; i++) {
    await a();
    await b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let done = 0; done < CALLS; done += BLOCK) {
    for (const [call, out] of [
      [a, ta],
      [b, tb],
    ] as const) {
      for (let i = 0; i < BLOCK; i++) {
        const t0 = performance.now();
        await call();
        out.push(performance.now() - t0);
      }
    }
  }
  return [ta.sort((x, y) => x - y), tb.sort((x, y) => x - y)];
}

const fmt = (ms: number) => `${(ms * 1000).toFixed(0).padStart(6)} µs`;

console.log(`adapters bench: ${CALLS} calls per cell after ${WARMUP} warm-up, Node ${process.version}, ${new Date().toISOString()}`);
console.log('provider   mode      bare p50   bare p99   adapter p50  adapter p99  overhead p50  ratio p50');
const ADAPTERS = { anthropic: AnthropicAdapter, openai: OpenAIAdapter, cohere: CohereAdapter } as const;
for (const provider of ['anthropic', 'openai', 'cohere'] as const) {
  const emulator = await startEmulator({ provider });
  try {
    const bare = bareCalls(provider, emulator.url);
    const adapted = adapterCalls(new ADAPTERS[provider]({ apiKey: 'k', baseURL: emulator.url, timeoutMs: 60_000 }));
    for (const mode of ['generate', 'stream'] as const) {
      const [b, a] = await measure(bare[mode], adapted[mode]);
      const bp50 = percentile(b, 50);
      const ap50 = percentile(a, 50);
      console.log(
        `${provider.padEnd(10)} ${mode.padEnd(8)} ${fmt(bp50)}  ${fmt(percentile(b, 99))}  ${fmt(ap50)}    ${fmt(percentile(a, 99))}    ${fmt(ap50 - bp50)}     ${(ap50 / bp50).toFixed(3)}`,
      );
    }
  } finally {
    await emulator.close();
  }
}
