/** The emulators' wire format, checked with plain fetch (no SDK), plus seeded fault rates. */
import { describe, expect, it } from 'vitest';
import { startEmulator } from '@sdl/adapters';

const anthropicHeaders = { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
const bearerHeaders = { 'content-type': 'application/json', authorization: 'Bearer k' };

function sseEvents(text: string): Array<{ event?: string; data: string }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      return event !== undefined ? { event, data } : { data };
    });
}

describe('emulator wire format', () => {
  it('anthropic: SSE event names and order, ping, headers', async () => {
    const emu = await startEmulator({ provider: 'anthropic' });
    try {
      const res = await fetch(`${emu.url}/v1/messages`, {
        method: 'POST',
        headers: anthropicHeaders,
        body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi you' }] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      expect(res.headers.get('request-id')).toMatch(/^req_/);
      // Headers.get gives null for a missing header, which toBeDefined() would pass.
      expect(res.headers.get('anthropic-ratelimit-requests-remaining')).toMatch(/^\d+$/);
      const events = sseEvents(await res.text());
      expect(events.map((e) => e.event)).toEqual([
        'message_start',
        'content_block_start',
        'ping',
        'content_block_delta',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      for (const e of events) expect(JSON.parse(e.data).type).toBe(e.event);
    } finally {
      await emu.close();
    }
  });

  it('anthropic: validation and auth errors in the documented error shape', async () => {
    const emu = await startEmulator({ provider: 'anthropic' });
    try {
      const noMax = await fetch(`${emu.url}/v1/messages`, { method: 'POST', headers: anthropicHeaders, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
      expect(noMax.status).toBe(400);
      expect(await noMax.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
      const noKey = await fetch(`${emu.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(noKey.status).toBe(401);
      expect(await noKey.json()).toMatchObject({ error: { type: 'authentication_error' } });
      const wrongPath = await fetch(`${emu.url}/v1/complete`, { method: 'POST', headers: anthropicHeaders, body: '{}' });
      expect(wrongPath.status).toBe(404);
    } finally {
      await emu.close();
    }
  });

  it('openai: chunks, usage-only last chunk with include_usage, [DONE]', async () => {
    const emu = await startEmulator({ provider: 'openai' });
    try {
      const res = await fetch(`${emu.url}/chat/completions`, {
        method: 'POST',
        headers: bearerHeaders,
        body: JSON.stringify({ model: 'gpt-5.4', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.headers.get('x-request-id')).toMatch(/^req_/);
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('4000');
      const events = sseEvents(await res.text());
      expect(events.at(-1)?.data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
      const usageChunk = chunks.at(-1);
      expect(usageChunk.choices).toEqual([]);
      expect(usageChunk.usage.total_tokens).toBe(usageChunk.usage.prompt_tokens + usageChunk.usage.completion_tokens);
      for (const c of chunks.slice(0, -1)) {
        expect(c.object).toBe('chat.completion.chunk');
        expect(c.usage).toBeNull();
      }
      expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
      // Without include_usage there is no usage chunk.
      const plain = sseEvents(
        await (
          await fetch(`${emu.url}/chat/completions`, { method: 'POST', headers: bearerHeaders, body: JSON.stringify({ model: 'gpt-5.4', stream: true, messages: [{ role: 'user', content: 'hi' }] }) })
        ).text(),
      );
      expect(plain.slice(0, -1).every((e) => JSON.parse(e.data).choices.length === 1)).toBe(true);
    } finally {
      await emu.close();
    }
  });

  it('cohere: v2 event types with tool calls', async () => {
    const emu = await startEmulator({ provider: 'cohere' });
    try {
      const res = await fetch(`${emu.url}/v2/chat`, {
        method: 'POST',
        headers: bearerHeaders,
        body: JSON.stringify({
          model: 'command-a-plus-05-2026',
          stream: true,
          tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
          messages: [{ role: 'user', content: 'call lookup {"term":"sdl"}' }],
        }),
      });
      const types = sseEvents(await res.text()).map((e) => JSON.parse(e.data).type);
      expect(types[0]).toBe('message-start');
      expect(types).toContain('tool-plan-delta');
      expect(types.filter((t) => t.startsWith('tool-call-'))).toEqual(['tool-call-start', 'tool-call-delta', 'tool-call-delta', 'tool-call-delta', 'tool-call-end']);
      expect(types.at(-1)).toBe('message-end');
    } finally {
      await emu.close();
    }
  });

  it('per-request fault header', async () => {
    const emu = await startEmulator({ provider: 'openai' });
    try {
      const res = await fetch(`${emu.url}/chat/completions`, {
        method: 'POST',
        headers: { ...bearerHeaders, 'x-emulator-fault': '429ms@40' },
        body: JSON.stringify({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after-ms')).toBe('40');
      expect(await res.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
      expect(emu.requests.at(-1)?.fault).toEqual({ name: '429ms', param: 40 });
    } finally {
      await emu.close();
    }
  });

  it('fault rates are seeded: same seed, same sequence', async () => {
    const run = async (seed: number) => {
      const emu = await startEmulator({ provider: 'openai', faults: '500:0.3,503:0.2', seed });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 30; i++) {
          const res = await fetch(`${emu.url}/chat/completions`, { method: 'POST', headers: bearerHeaders, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
        return statuses;
      } finally {
        await emu.close();
      }
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(2);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(8);
    expect(await run(8)).not.toEqual(a);
  });

  it('replies from a handler, and queued replies first', async () => {
    const emu = await startEmulator({
      provider: 'anthropic',
      reply: (request) => ({ text: `model ${request.model} saw ${request.messages.length} message(s)` }),
    });
    try {
      const ask = async () => {
        const res = await fetch(`${emu.url}/v1/messages`, {
          method: 'POST',
          headers: anthropicHeaders,
          body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }),
        });
        return (await res.json()) as { content: Array<{ type: string; text?: string; name?: string; input?: unknown }>; stop_reason: string };
      };
      emu.enqueueReply({ toolCalls: [{ name: 'lookup', arguments: { q: 1 } }] });
      const queued = await ask();
      expect(queued.stop_reason).toBe('tool_use');
      expect(queued.content).toEqual([{ type: 'tool_use', id: 'toolu_emu000001', name: 'lookup', input: { q: 1 } }]);
      const handled = await ask();
      expect(handled.content).toEqual([{ type: 'text', text: 'model claude-sonnet-5 saw 1 message(s)' }]);
    } finally {
      await emu.close();
    }
  });
});
