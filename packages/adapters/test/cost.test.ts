/**
 * Cost of a call by each provider's published formula, from usage shaped like the providers' real
 * replies (this project's own bodies) going through the adapters: an Anthropic cache read (input_tokens
 * excludes cache reads and writes), an OpenAI reply with cached and reasoning tokens (prompt_tokens
 * includes cached_tokens, completion_tokens includes reasoning), and a Cohere reply billed in billed_units.
 * The expected dollars are worked out by hand from models.json's prices, in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf, findModel, type ModelDescriptor } from '@sdl/adapters';
import { startWireServer, type WireServer } from './support/wire-server.js';

let wire: WireServer;
beforeAll(async () => {
  wire = await startWireServer();
});
afterAll(() => wire.close());

const model = (provider: 'anthropic' | 'openai' | 'cohere', id: string): ModelDescriptor => {
  const found = findModel(provider, id);
  if (!found) throw new Error(`${provider}/${id} is not in models.json`);
  return found;
};

describe('cost by the provider formula', () => {
  it('Anthropic cache read: uncached input, cache reads and cache writes at their own prices', async () => {
    const r = await wire.generate('anthropic', {
      id: 'msg_cost',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-5',
      content: [{ type: 'text', text: 'Summary.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 120, cache_read_input_tokens: 18000, cache_creation_input_tokens: 400, output_tokens: 300 },
    });
    expect(r.usage).toEqual({ inputTokens: 18520, outputTokens: 300, cacheReadTokens: 18000, cacheWriteTokens: 400 });
    // claude-sonnet-5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per MTok
    // 120*3 + 18000*0.3 + 400*3.75 + 300*15 = 360 + 5400 + 1500 + 4500 = 11760 micro-dollars
    expect(costOf(model('anthropic', 'claude-sonnet-5'), r.usage)).toBeCloseTo(0.01176, 10);
    // Without the cache prices the same call would have been billed as 18520 full-price input tokens.
    expect(costOf({ ...model('anthropic', 'claude-sonnet-5'), pricing: { inputPerMTok: 3, outputPerMTok: 15 } }, r.usage)).toBeCloseTo(0.06006, 10);
  });

  it('OpenAI cached and reasoning tokens: cached part of prompt_tokens at the cached price, reasoning inside output', async () => {
    const r = await wire.generate('openai', {
      id: 'chatcmpl-cost',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-5',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Done.' }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 4000,
        completion_tokens: 1200,
        total_tokens: 5200,
        prompt_tokens_details: { cached_tokens: 3072 },
        completion_tokens_details: { reasoning_tokens: 900 },
      },
    });
    expect(r.usage).toEqual({ inputTokens: 4000, outputTokens: 1200, cacheReadTokens: 3072, reasoningTokens: 900 });
    // gpt-5: $1.25 input, $0.125 cached input, $10 output per MTok
    // (4000-3072)*1.25 + 3072*0.125 + 1200*10 = 1160 + 384 + 12000 = 13544 micro-dollars
    expect(costOf(model('openai', 'gpt-5'), r.usage)).toBeCloseTo(0.013544, 10);
  });

  it('Cohere billed units: cost from billed_units, not from the token counts', async () => {
    const r = await wire.generate('cohere', {
      id: 'cohere-cost',
      finish_reason: 'COMPLETE',
      message: { role: 'assistant', content: [{ type: 'text', text: 'Bonjour.' }] },
      usage: { billed_units: { input_tokens: 45, output_tokens: 12 }, tokens: { input_tokens: 731, output_tokens: 12 } },
    });
    expect(r.usage).toEqual({ inputTokens: 731, outputTokens: 12, billedInputTokens: 45, billedOutputTokens: 12 });
    // command-a-03-2025: $2.5 input, $10 output per MTok; billed 45*2.5 + 12*10 = 112.5 + 120 = 232.5 micro-dollars
    expect(costOf(model('cohere', 'command-a-03-2025'), r.usage)).toBeCloseTo(0.0002325, 12);
  });

  it('batch prices apply when asked for', () => {
    const usage = { inputTokens: 1000, outputTokens: 1000 };
    // claude-sonnet-5 batch: $1.5 input, $7.5 output per MTok
    expect(costOf(model('anthropic', 'claude-sonnet-5'), usage, { batch: true })).toBeCloseTo(0.009, 10);
    expect(costOf(model('anthropic', 'claude-sonnet-5'), usage)).toBeCloseTo(0.018, 10);
  });
});
