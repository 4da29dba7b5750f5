/**
 * Request-side content through each provider's official SDK over HTTP to its emulator: images and
 * documents in user turns, the `reasoning` parameter, cache marks. The emulators check the shapes
 * as the providers do (media types, base64, magic bytes, breakpoint count, thinking constraints).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicAdapter,
  CohereAdapter,
  type EmulatedProvider,
  type Emulator,
  type EngineAdapter,
  EngineError,
  type EngineRequest,
  OpenAIAdapter,
  startEmulator,
  type StreamEvent,
  type UserMessage,
} from '@sdl/adapters';

const API_KEY = 'sk-test-content-0123456789';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n').toString('base64');
const TEXT_DOC = Buffer.from('Clause 4: payment is due in 30 days.').toString('base64');

const ADAPTERS = { anthropic: AnthropicAdapter, openai: OpenAIAdapter, cohere: CohereAdapter } as const;
const PROVIDERS: EmulatedProvider[] = ['anthropic', 'openai', 'cohere'];
const engines = new Map<EmulatedProvider, { adapter: EngineAdapter; emulator: Emulator }>();

beforeAll(async () => {
  for (const provider of PROVIDERS) {
    const emulator = await startEmulator({ provider });
    engines.set(provider, { emulator, adapter: new ADAPTERS[provider]({ apiKey: API_KEY, baseURL: emulator.url }) });
  }
});
afterAll(async () => {
  for (const { emulator } of engines.values()) await emulator.close();
});

const engine = (p: EmulatedProvider) => engines.get(p)!;
const lastBody = (p: EmulatedProvider) => engine(p).emulator.requests.at(-1)!.body as Record<string, unknown>;
const turn = (content: string, attachments: UserMessage['attachments']): UserMessage => ({ role: 'user', content, ...(attachments ? { attachments } : {}) });
const ask = (message: UserMessage, extra: Partial<EngineRequest> = {}): EngineRequest => ({ model: 'test-model', messages: [message], ...extra });

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected the call to fail');
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const image = { type: 'image' as const, source: { kind: 'base64' as const, mediaType: 'image/png', data: PNG } };
const pdf = { type: 'document' as const, title: 'contract.pdf', source: { kind: 'base64' as const, mediaType: 'application/pdf', data: PDF } };

describe.each(PROVIDERS)('attachments on %s', (provider) => {
  it('sends a base64 image before the text, on generate and on stream', async () => {
    const request = ask(turn('What is this?', [image]));
    const res = await engine(provider).adapter.generate(request);
    expect(res.text).toBe('echo: What is this? [attachments: image image/png base64 70 B]');
    const events = await collect(engine(provider).adapter.stream(request));
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('')).toBe(res.text);
  });

  it('sends an image by URL', async () => {
    const res = await engine(provider).adapter.generate(ask(turn('Describe.', [{ type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } }])));
    expect(res.text).toBe('echo: Describe. [attachments: image image/* url]');
  });

  it('sends a plain-text document', async () => {
    const doc = { type: 'document' as const, title: 'terms', source: { kind: 'base64' as const, mediaType: 'text/plain', data: TEXT_DOC } };
    const res = await engine(provider).adapter.generate(ask(turn('When is payment due?', [doc])));
    if (provider === 'openai') expect(res.text).toBe('echo: terms\n\nClause 4: payment is due in 30 days.When is payment due?');
    else expect(res.text).toMatch(/^echo: When is payment due\? \[attachments: document text\/plain text \d+ B\]$/);
    if (provider === 'cohere') expect(lastBody('cohere').documents).toEqual([{ id: 'doc_0', data: { title: 'terms', snippet: 'Clause 4: payment is due in 30 days.' } }]);
  });

  it('answers 400 (invalid_request) for an image whose bytes are not the declared type', async () => {
    const broken = { type: 'image' as const, source: { kind: 'base64' as const, mediaType: 'image/png', data: PDF } };
    const err = await failure(engine(provider).adapter.generate(ask(turn('x', [broken]))));
    expect(err.kind).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/not a valid image\/png file/);
  });

  it('refuses an unsupported image media type before sending', async () => {
    const before = engine(provider).emulator.requests.length;
    const tiff = { type: 'image' as const, source: { kind: 'base64' as const, mediaType: 'image/tiff', data: PNG } };
    const err = await failure(engine(provider).adapter.generate(ask(turn('x', [tiff]))));
    expect(err.kind).toBe('invalid_request');
    expect(err.message).toBe(`${provider}: image media type \`image/tiff\` is not one of image/png, image/jpeg, image/gif, image/webp`);
    expect(engine(provider).emulator.requests.length).toBe(before);
  });
});

describe('PDF documents', () => {
  it('anthropic: a base64 `document` block with its title', async () => {
    const res = await engine('anthropic').adapter.generate(ask(turn('Summarize.', [image, pdf])));
    expect(res.text).toBe(`echo: Summarize. [attachments: image image/png base64 70 B, document application/pdf base64 ${Buffer.from(PDF, 'base64').length} B]`);
    const content = (lastBody('anthropic').messages as Array<{ content: Array<Record<string, unknown>> }>)[0]!.content;
    expect(content.map((b) => b.type)).toEqual(['image', 'document', 'text']);
    expect(content[1]).toEqual({ type: 'document', title: 'contract.pdf', source: { type: 'base64', media_type: 'application/pdf', data: PDF } });
  });

  it('openai: a `file` part with the PDF as a data URL', async () => {
    const res = await engine('openai').adapter.generate(ask(turn('Summarize.', [image, pdf])));
    expect(res.text).toBe(`echo: Summarize. [attachments: image image/png base64 70 B, document application/pdf base64 ${Buffer.from(PDF, 'base64').length} B]`);
    const content = (lastBody('openai').messages as Array<{ content: Array<Record<string, unknown>> }>)[0]!.content;
    expect(content).toEqual([
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
      { type: 'file', file: { filename: 'contract.pdf', file_data: `data:application/pdf;base64,${PDF}` } },
      { type: 'text', text: 'Summarize.' },
    ]);
  });

  it('openai: a PDF by URL is refused (Chat Completions takes file data only)', async () => {
    const err = await failure(engine('openai').adapter.generate(ask(turn('x', [{ type: 'document', source: { kind: 'url', url: 'https://example.com/a.pdf' } }]))));
    expect(err.kind).toBe('invalid_request');
    expect(err.message).toMatch(/takes a PDF as file data, not by URL/);
  });

  it('cohere: a PDF is refused before sending (no Cohere model has the `pdf` feature)', async () => {
    const before = engine('cohere').emulator.requests.length;
    const err = await failure(engine('cohere').adapter.generate(ask(turn('x', [pdf]))));
    expect(err.kind).toBe('invalid_request');
    expect(err.message).toMatch(/^cohere: Cohere chat takes no PDF documents/);
    expect(engine('cohere').emulator.requests.length).toBe(before);
  });
});

describe('reasoning', () => {
  it('anthropic: a budget is extended thinking; max_tokens counts it', async () => {
    await engine('anthropic').adapter.generate(ask(turn('think', undefined), { reasoning: { budgetTokens: 2048 } }));
    expect(lastBody('anthropic')).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 2048 + 4096 });
    await engine('anthropic').adapter.generate(ask(turn('think', undefined), { reasoning: { budgetTokens: 2048, effort: 'high' }, maxTokens: 3000 }));
    expect(lastBody('anthropic')).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 3000, output_config: { effort: 'high' } });
    expect(engine('anthropic').emulator.requests.at(-1)!.parsed!.reasoning).toEqual({ budgetTokens: 2048, effort: 'high' });
  });

  it('anthropic: an effort alone is adaptive thinking with output_config.effort', async () => {
    await engine('anthropic').adapter.generate(ask(turn('think', undefined), { reasoning: { effort: 'low' } }));
    expect(lastBody('anthropic')).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'low' } });
  });

  it('anthropic: max_tokens not above the budget is refused before sending', async () => {
    const err = await failure(engine('anthropic').adapter.generate(ask(turn('x', undefined), { reasoning: { budgetTokens: 4000 }, maxTokens: 4000 })));
    expect(err.kind).toBe('invalid_request');
    expect(err.message).toBe('anthropic: max_tokens (4000) must be greater than the reasoning budget (4000): Anthropic counts thinking in max_tokens');
  });

  it('anthropic emulator: thinking with a forced tool is a 400, as the API answers', async () => {
    const tools = [{ name: 'lookup', parameters: { type: 'object' } }];
    const err = await failure(engine('anthropic').adapter.generate(ask(turn('x', undefined), { reasoning: { budgetTokens: 2048 }, tools, toolChoice: 'required' })));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/Thinking may not be enabled when tool_choice forces tool use/);
  });

  it('openai: reasoning_effort (a budget maps to a level); temperature is not sent with it', async () => {
    await engine('openai').adapter.generate(ask(turn('think', undefined), { reasoning: { effort: 'medium' }, temperature: 0.2 }));
    expect(lastBody('openai').reasoning_effort).toBe('medium');
    expect(lastBody('openai')).not.toHaveProperty('temperature');
    for (const [budget, effort] of [[1024, 'low'], [2048, 'low'], [8192, 'medium'], [8193, 'high']] as const) {
      await engine('openai').adapter.generate(ask(turn('think', undefined), { reasoning: { budgetTokens: budget } }));
      expect(lastBody('openai').reasoning_effort).toBe(effort);
    }
  });

  it('cohere: thinking with a token budget (an effort maps to a budget)', async () => {
    await engine('cohere').adapter.generate(ask(turn('think', undefined), { reasoning: { budgetTokens: 3000 } }));
    expect(lastBody('cohere').thinking).toEqual({ type: 'enabled', token_budget: 3000 });
    for (const [effort, budget] of [['low', 1024], ['medium', 4096], ['high', 16384]] as const) {
      await engine('cohere').adapter.generate(ask(turn('think', undefined), { reasoning: { effort } }));
      expect(lastBody('cohere').thinking).toEqual({ type: 'enabled', token_budget: budget });
    }
  });
});

describe('cache marks', () => {
  const tools = [{ name: 'lookup', description: 'Look up', parameters: { type: 'object' } }, { name: 'save', parameters: { type: 'object' } }];
  const cachedDoc = (n: number) => ({ ...pdf, title: `doc-${n}.pdf`, cache: true });

  it('anthropic: breakpoints on the last tool, the system prompt and marked documents', async () => {
    await engine('anthropic').adapter.generate(
      ask(turn('Summarize.', [cachedDoc(1)]), { system: 'You are terse.', tools, cache: { system: true, tools: true } }),
    );
    const body = lastBody('anthropic');
    expect(body.system).toEqual([{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }]);
    expect((body.tools as Array<Record<string, unknown>>).map((t) => t.cache_control)).toEqual([undefined, { type: 'ephemeral' }]);
    const content = (body.messages as Array<{ content: Array<Record<string, unknown>> }>)[0]!.content;
    expect(content[0]!.cache_control).toEqual({ type: 'ephemeral' });
  });

  it('anthropic: more than 4 marks keep tools, system and the latest documents', async () => {
    const messages: UserMessage[] = [turn('Summarize.', [cachedDoc(1), cachedDoc(2), cachedDoc(3)])];
    await engine('anthropic').adapter.generate({ model: 'm', messages, system: 'S', tools, cache: { system: true, tools: true } });
    const content = (lastBody('anthropic').messages as Array<{ content: Array<Record<string, unknown>> }>)[0]!.content;
    expect(content.map((b) => b.cache_control)).toEqual([undefined, { type: 'ephemeral' }, { type: 'ephemeral' }, undefined]);
    expect(engine('anthropic').emulator.requests.at(-1)!.status).toBe(200);
  });

  it('anthropic emulator: 5 breakpoints are a 400, as the API answers', async () => {
    const emulator = engine('anthropic').emulator;
    const block = { type: 'text', text: 'x', cache_control: { type: 'ephemeral' } };
    const res = await fetch(`${emulator.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: [block, block, block, block, block] }] }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/A maximum of 4 blocks with cache_control may be provided. Found 5./);
  });

  it.each(['openai', 'cohere'] as const)('%s: marks send nothing (automatic caching)', async (provider) => {
    await engine(provider).adapter.generate(ask(turn('x', undefined), { system: 'S', tools, cache: { system: true, tools: true } }));
    expect(JSON.stringify(lastBody(provider))).not.toMatch(/cache/);
  });
});

describe('anthropic user turns', () => {
  const turns = () => lastBody('anthropic').messages as Array<{ role: string; content: unknown }>;

  it('a turn of text alone goes as a string, as a bare SDK call sends it', async () => {
    await engine('anthropic').adapter.generate({ model: 'm', messages: [{ role: 'user', content: 'hello' }] });
    expect(turns()).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it('consecutive user turns, and a tool result after a user turn, share one turn of blocks', async () => {
    const call = { id: 'call_toolu_9', name: 'lookup', arguments: { q: 'x' } };
    await engine('anthropic').adapter.generate({
      model: 'm',
      tools: [{ name: 'lookup', parameters: { type: 'object' } }],
      messages: [
        { role: 'user', content: 'first' },
        { role: 'user', content: 'second' },
        { role: 'assistant', content: '', toolCalls: [call] },
        { role: 'user', content: 'an aside' },
        { role: 'tool', toolCallId: call.id, name: 'lookup', content: '{"hit":true}' },
      ],
    });
    expect(turns()).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'second' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_toolu_9', name: 'lookup', input: { q: 'x' } }] },
      { role: 'user', content: [{ type: 'text', text: 'an aside' }, { type: 'tool_result', tool_use_id: 'call_toolu_9', content: '{"hit":true}' }] },
    ]);
  });

  it('a turn with an attachment is blocks, and a text turn after it joins them', async () => {
    await engine('anthropic').adapter.generate({ model: 'm', messages: [turn('look', [image]), { role: 'user', content: 'and this' }] });
    expect(turns()).toEqual([
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: 'look' }, { type: 'text', text: 'and this' }] },
    ]);
  });
});

describe('reasoning in history', () => {
  const tools = [{ name: 'lookup', parameters: { type: 'object' } }];
  const call = { id: 'call_toolu_1', name: 'lookup', arguments: { q: 'x' } };
  const history = (reasoning: NonNullable<import('@sdl/adapters').AssistantMessage['reasoning']>): EngineRequest['messages'] => [
    { role: 'user', content: 'look it up' },
    { role: 'assistant', content: '', toolCalls: [call], reasoning },
    { role: 'tool', toolCallId: call.id, name: 'lookup', content: '{"hit":true}' },
  ];
  const claude = { type: 'reasoning' as const, text: 'I should look it up.', signature: 'sig-abc', provider: 'anthropic' as const };

  it('anthropic: signed thinking goes back first and unchanged; the emulator accepts the tool continuation', async () => {
    const res = await engine('anthropic').adapter.generate({ model: 'm', messages: history([claude]), tools, reasoning: { budgetTokens: 1024 } });
    expect(res.text).toBe('tool lookup returned: {"hit":true}');
    const assistant = (lastBody('anthropic').messages as Array<{ content: Array<Record<string, unknown>> }>)[1]!.content;
    expect(assistant[0]).toEqual({ type: 'thinking', thinking: 'I should look it up.', signature: 'sig-abc' });
    expect(assistant[1]).toMatchObject({ type: 'tool_use', name: 'lookup' });
  });

  it('anthropic: redacted thinking goes back as redacted_thinking', async () => {
    await engine('anthropic').adapter.generate({ model: 'm', messages: history([{ type: 'reasoning', text: '', redacted: 'opaque==', provider: 'anthropic' }]), tools, reasoning: { budgetTokens: 1024 } });
    const assistant = (lastBody('anthropic').messages as Array<{ content: Array<Record<string, unknown>> }>)[1]!.content;
    expect(assistant[0]).toEqual({ type: 'redacted_thinking', data: 'opaque==' });
  });

  it('anthropic emulator: a tool continuation with thinking on and no thinking block is a 400, as the API answers', async () => {
    const foreign = { type: 'reasoning' as const, text: 'other engine thought', provider: 'openai' as const };
    const err = await failure(engine('anthropic').adapter.generate({ model: 'm', messages: history([foreign]), tools, reasoning: { budgetTokens: 1024 } }));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/must start with a thinking block/);
  });

  it.each(['openai', 'cohere'] as const)('%s: reasoning of another provider is not sent', async (provider) => {
    await engine(provider).adapter.generate({ model: 'm', messages: history([claude]), tools });
    expect(JSON.stringify(lastBody(provider))).not.toMatch(/look it up\.|sig-abc/);
  });

  it('cohere: its own thinking goes back as a thinking content item', async () => {
    const messages: EngineRequest['messages'] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello', reasoning: [{ type: 'reasoning', text: 'greet back', provider: 'cohere' }] },
      { role: 'user', content: 'again' },
    ];
    await engine('cohere').adapter.generate({ model: 'm', messages });
    expect((lastBody('cohere').messages as unknown[])[1]).toEqual({ role: 'assistant', content: [{ type: 'thinking', thinking: 'greet back' }, { type: 'text', text: 'hello' }] });
  });
});
