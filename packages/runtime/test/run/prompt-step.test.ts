import { describe, expect, it } from 'vitest';
import { ScriptedAdapter, type EngineRequest, type JsonSchema, type ScriptedReply } from '@sdl/adapters';
import { createRuntime, OutputValidationError, ToolLoopLimitError, type HostTool, type LoadedSkill } from '@sdl/runtime';
import { binding } from './support/fake-engine.js';
import { promptStep, skill } from './support/skill-builder.js';

const weatherSchema: JsonSchema = { type: 'object', required: ['city'], properties: { city: { type: 'string' } } };
const declaredWeather = { name: 'weather', description: 'Weather for a city', parameters: weatherSchema, source: { file: 'w.skill.yaml', line: 12, column: 3 } };

function toolSkill(maxToolIterations = 3): LoadedSkill {
  return skill({ tools: { weather: declaredWeather }, steps: [promptStep('ask', 'weather in Paris?', { tools: ['weather'], maxToolIterations })] });
}

describe('prompt steps: model tool-use loop', () => {
  it('calls the host tool, sends the result back, and returns the final reply', async () => {
    const seen: unknown[] = [];
    const weather: HostTool = { parameters: weatherSchema, execute: (args) => (seen.push(args), { temp_c: 21 }) };
    const engine = new ScriptedAdapter({
      replies: { ask: [{ toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }] }, 'It is 21°C in Paris.'] },
    });
    const requests: EngineRequest[] = [];
    const runtime = createRuntime({
      engines: { s: binding(engine) },
      tools: { weather },
      callModel: async (call) => (requests.push(call.request), { response: await call.binding.adapter.generate(call.request), engine: call.engine }),
    });
    const result = await runtime.run(toolSkill(), {});
    expect(result.output).toBe('It is 21°C in Paris.');
    expect(seen).toEqual([{ city: 'Paris' }]);
    expect(requests[0]!.tools).toEqual([{ name: 'weather', description: 'Weather for a city', parameters: weatherSchema }]);
    expect(requests[1]!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', toolCallId: 'call_1', name: 'weather', content: '{"temp_c":21}' },
    ]);
    expect(result.trace[0]).toMatchObject({ modelCalls: 2, toolCalls: 1 });
  });

  it('returns tool failures and invalid arguments to the model as error results', async () => {
    const weather: HostTool = {
      parameters: weatherSchema,
      execute: (args) => {
        throw new Error(`no station in ${String(args.city)}`);
      },
    };
    const requests: EngineRequest[] = [];
    const engine = new ScriptedAdapter({
      handler: (request, index): ScriptedReply => {
        requests.push(request);
        if (index === 0) return { toolCalls: [{ id: 'c1', name: 'weather', arguments: { town: 'Paris' } }, { id: 'c2', name: 'weather', arguments: { city: 'Atlantis' } }] };
        if (index === 1) return { toolCalls: [{ id: 'c3', name: 'launch_rockets', arguments: {} }] };
        return 'Sorry, I could not get the weather.';
      },
    });
    const runtime = createRuntime({ engines: { s: binding(engine) }, tools: { weather } });
    const result = await runtime.run(toolSkill(), {});
    expect(result.output).toBe('Sorry, I could not get the weather.');
    expect(requests[1]!.messages.slice(-2)).toEqual([
      { role: 'tool', toolCallId: 'c1', name: 'weather', content: 'error: invalid arguments: /city: required property `city` is missing', isError: true },
      { role: 'tool', toolCallId: 'c2', name: 'weather', content: 'error: no station in Atlantis', isError: true },
    ]);
    expect(requests[2]!.messages.at(-1)).toMatchObject({ isError: true, content: expect.stringContaining('tool `launch_rockets` is not available in this step') });
  });

  it('stops a model that keeps calling tools after max_tool_iterations', async () => {
    let executions = 0;
    const weather: HostTool = { parameters: weatherSchema, execute: () => ++executions };
    const engine = new ScriptedAdapter({ handler: () => ({ toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }] }) });
    const runtime = createRuntime({ engines: { s: binding(engine) }, tools: { weather } });
    const s = toolSkill(2);
    const error = await runtime.run(s, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolLoopLimitError);
    expect((error as Error).message).toMatch(/^test\.skill\.yaml:\d+:5: step `ask`: the model was still calling tools after 2 round trips/);
    expect(executions).toBe(2);
    expect(engine.callCount).toBe(3);
  });
});

describe('prompt steps: structured output', () => {
  const schema: JsonSchema = { type: 'object', required: ['summary'], properties: { summary: { type: 'string' } }, additionalProperties: false };
  const structured = () => skill({ outputs: schema, steps: [promptStep('final', 'summarize', { output: { kind: 'schema', schema } })] });

  it.each([
    ['bare JSON', '{"summary":"ok"}'],
    ['a fenced block', 'Here you go:\n```json\n{"summary": "ok"}\n```\nAnything else?'],
    ['JSON inside prose', 'Sure! {"summary": "ok"} Hope that helps.'],
  ])('extracts the value from %s', async (_, reply) => {
    const runtime = createRuntime({ engines: { s: binding(new ScriptedAdapter({ replies: { final: reply } })) } });
    expect((await runtime.run(structured(), {})).output).toEqual({ summary: 'ok' });
  });

  it('repairs an invalid reply once, telling the model exactly what was wrong', async () => {
    const requests: EngineRequest[] = [];
    const engine = new ScriptedAdapter({ handler: (r, i) => (requests.push(r), i === 0 ? '{"summry": "ok"}' : '{"summary": "fixed"}') });
    const runtime = createRuntime({ engines: { s: binding(engine) } });
    const result = await runtime.run(structured(), {});
    expect(result.output).toEqual({ summary: 'fixed' });
    expect(requests[0]!.output).toEqual({ schema });
    const repair = requests[1]!.messages.at(-1)!.content;
    expect(repair).toContain('/summary: required property `summary` is missing');
    expect(repair).toContain('/summry: unknown property `summry` is not allowed');
    expect(requests[1]!.messages.at(-2)).toEqual({ role: 'assistant', content: '{"summry": "ok"}' });
    expect(result.trace[0]!.repairs).toBe(1);
  });

  it('gives up with a typed error showing the problems and the reply', async () => {
    const engine = new ScriptedAdapter({ replies: { final: ['not json at all', '{"summary": 3}'] } });
    const runtime = createRuntime({ engines: { s: binding(engine) } });
    const s = structured();
    const error = (await runtime.run(s, {}).catch((e: unknown) => e)) as OutputValidationError;
    expect(error).toBeInstanceOf(OutputValidationError);
    expect(error.problems).toEqual([{ path: '/summary', message: 'must be string' }]);
    expect(error.replies).toEqual(['not json at all', '{"summary": 3}']);
    expect(error.message).toBe(
      `test.skill.yaml:${s.steps[0]!.source.line}:5: step \`final\`: the model's reply does not match the output schema (after 1 repair attempt):\n` +
        '  - /summary: must be string\nreply was:\n{"summary": 3}',
    );
  });

  it('the number of repair round trips is configurable (0 = fail on the first invalid reply)', async () => {
    const engine = new ScriptedAdapter({ replies: { final: ['nope', '{"summary": "late"}'] } });
    const strict = createRuntime({ engines: { s: binding(engine) }, repairAttempts: 0 });
    const error = (await strict.run(structured(), {}).catch((e: unknown) => e)) as OutputValidationError;
    expect(error.problems[0]!.message).toBe('no JSON value found in the reply (expected a JSON object or array)');
    expect(engine.callCount).toBe(1);
  });
});
