/**
 * The tool loop's rule (spec/response-content.md): the complete tool calls of a reply run whatever its
 * stop reason, except after a refusal (`content_filter`), which ends the step with no tool run.
 */
import { describe, expect, it } from 'vitest';
import { ScriptedAdapter, type JsonSchema, type StopReason } from '@sdl/adapters';
import { createRuntime, ModelRefusedError, type HostTool } from '@sdl/runtime';
import { binding } from './support/fake-engine.js';
import { promptStep, skill } from './support/skill-builder.js';

const schema: JsonSchema = { type: 'object', required: ['city'], properties: { city: { type: 'string' } } };
const declared = { name: 'weather', description: 'Weather for a city', parameters: schema, source: { file: 'w.skill.yaml', line: 12, column: 3 } };

describe.each<[StopReason, boolean]>([
  ['tool_use', true],
  ['end', true],
  ['max_tokens', true],
  ['stop_sequence', true],
  ['other', true],
  ['content_filter', false],
])('a reply with a tool call and stop reason %s', (stopReason, runs) => {
  it(runs ? 'runs the tool and calls the model again' : 'runs no tool and ends the step with the reply', async () => {
    const ran: unknown[] = [];
    const weather: HostTool = { parameters: schema, execute: (args) => (ran.push(args), { temp_c: 21 }) };
    const engine = new ScriptedAdapter({
      replies: { ask: [{ text: 'Checking.', toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }] }, 'It is 21°C.'] },
    });
    let calls = 0;
    const runtime = createRuntime({
      engines: { s: binding(engine) },
      tools: { weather },
      callModel: async (call) => {
        const response = await call.binding.adapter.generate(call.request);
        return { response: calls++ === 0 ? { ...response, stopReason } : response, engine: call.engine };
      },
    });
    const result = await runtime.run(skill({ tools: { weather: declared }, steps: [promptStep('ask', 'weather?', { tools: ['weather'], maxToolIterations: 3 })] }), {});
    expect(ran).toEqual(runs ? [{ city: 'Paris' }] : []);
    expect(calls).toBe(runs ? 2 : 1);
    expect(result.output).toBe(runs ? 'It is 21°C.' : 'Checking.');
  });
});

describe('a refusal in a step that needs JSON output', () => {
  it('is a ModelRefusedError with the model’s words, not an output-validation repair loop', async () => {
    const engine = new ScriptedAdapter({ replies: { ask: ['{"city": "Paris"}'] } });
    let calls = 0;
    const runtime = createRuntime({
      engines: { s: binding(engine) },
      callModel: async (call) => {
        calls++;
        const response = await call.binding.adapter.generate(call.request);
        return { response: { ...response, text: '', stopReason: 'content_filter', refusal: { text: 'I cannot help with that.' } }, engine: call.engine };
      },
    });
    const s = skill({ outputs: schema, steps: [promptStep('ask', 'weather?', { output: { kind: 'schema', schema } })] });
    const error = await runtime.run(s, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRefusedError);
    expect((error as ModelRefusedError).code).toBe('model_refused');
    expect((error as ModelRefusedError).refusal).toBe('I cannot help with that.');
    expect((error as Error).message).toMatch(/step `ask`: the model refused to answer \("I cannot help with that\."\)/);
    expect(calls).toBe(1);
  });
});
