import { describe, expect, it } from 'vitest';
import { EngineError, ScriptedAdapter, type StreamEvent } from '@sdl/adapters';

const req = (stepId?: string, content = 'hi') => ({ model: 'scripted', messages: [{ role: 'user' as const, content }], ...(stepId ? { stepId } : {}) });

describe('scripted engine', () => {
  it('replies by step id, in order, the last one repeating', async () => {
    const engine = new ScriptedAdapter({ replies: { a: ['one', 'two'], final: { json: { summary: 'Short.' } } } });
    expect((await engine.generate(req('a'))).text).toBe('one');
    expect((await engine.generate(req('final'))).text).toBe('{"summary":"Short."}');
    expect((await engine.generate(req('a'))).text).toBe('two');
    expect((await engine.generate(req('a'))).text).toBe('two');
    expect(engine.callCount).toBe(4);
  });

  it('falls back to the call sequence, then fails with a clear error', async () => {
    const engine = new ScriptedAdapter({ sequence: ['first'] });
    expect((await engine.generate(req())).text).toBe('first');
    const err = await engine.generate(req('summarize')).catch((e: unknown) => e as EngineError);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: 'invalid_request', provider: 'scripted' });
    expect((err as Error).message).toContain('step `summarize`');
  });

  it('echo fallback, tool calls and scripted errors', async () => {
    const engine = new ScriptedAdapter({
      fallback: 'echo',
      replies: {
        tool: { toolCalls: [{ name: 'lookup', arguments: { term: 'sdl' } }] },
        busy: { error: 'rate_limited', retryAfterMs: 1500 },
      },
    });
    expect((await engine.generate(req(undefined, 'hello'))).text).toBe('hello');
    const withTool = await engine.generate(req('tool'));
    expect(withTool.stopReason).toBe('tool_use');
    expect(withTool.toolCalls[0]).toMatchObject({ name: 'lookup', arguments: { term: 'sdl' } });
    expect(withTool.toolCalls[0]?.id).toMatch(/^call_/);
    await expect(engine.generate(req('busy'))).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 1500 });
  });

  it('streams the same reply as typed events', async () => {
    const engine = new ScriptedAdapter({ replies: { s: { text: 'a b c', toolCalls: [{ id: 'call_1', name: 't', arguments: { x: 1 } }] } } });
    const events: StreamEvent[] = [];
    for await (const e of engine.stream(req('s'))) events.push(e);
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e.type === 'text-delta' ? e.text : '')).join('')).toBe('a b c');
    expect(events.map((e) => e.type).slice(-5)).toEqual(['tool-call-delta', 'tool-call-delta', 'tool-call-end', 'usage', 'stop']);
    const stop = events.at(-1);
    expect(stop?.type === 'stop' && stop.response.toolCalls).toEqual([{ id: 'call_1', name: 't', arguments: { x: 1 } }]);
  });

  it('honours an aborted signal', async () => {
    const engine = new ScriptedAdapter({ fallback: 'echo' });
    await expect(engine.generate({ ...req(), signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: 'cancelled' });
  });
});

describe('scripted engine: step paths through use steps', () => {
  const at = (stepPath: string, stepId: string) => ({ model: 'scripted', messages: [{ role: 'user' as const, content: 'hi' }], stepId, stepPath });

  it('matches the full path first, then the plain step id', async () => {
    const engine = new ScriptedAdapter({ replies: { 'triage.classify': ['nested 1', 'nested 2'], classify: 'top level', draft: 'plain' } });
    expect((await engine.generate(at('triage.classify', 'classify'))).text).toBe('nested 1');
    expect((await engine.generate(at('classify', 'classify'))).text).toBe('top level');
    expect((await engine.generate(at('triage.classify', 'classify'))).text).toBe('nested 2');
    // A nested step with no path entry falls back to its plain id (scripts written before paths).
    expect((await engine.generate(at('review.draft', 'draft'))).text).toBe('plain');
  });

  it('keeps a separate cursor per path, and names the path when nothing matches', async () => {
    const engine = new ScriptedAdapter({ replies: { 'a.x': ['a1', 'a2'], 'b.x': ['b1'] } });
    expect((await engine.generate(at('a.x', 'x'))).text).toBe('a1');
    expect((await engine.generate(at('b.x', 'x'))).text).toBe('b1');
    expect((await engine.generate(at('a.x', 'x'))).text).toBe('a2');
    await expect(engine.generate(at('c.x', 'x'))).rejects.toThrow('no reply scripted for step `c.x`');
  });

  it('streams the reply matched by path', async () => {
    const engine = new ScriptedAdapter({ replies: { 'outer.inner.step': 'deep reply' } });
    let text = '';
    for await (const event of engine.stream(at('outer.inner.step', 'step'))) if (event.type === 'text-delta') text += event.text;
    expect(text).toBe('deep reply');
  });
});
