import { describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '@sdl/adapters';
import { createRuntime, ExpressionEvaluationError, SdlRuntimeError, type LoadedSkill } from '@sdl/runtime';
import { celExpression, celTemplate } from '@sdl/runtime/source';
import { binding } from '../run/support/fake-engine.js';

const at = (line: number, column = 9) => ({ file: 'digest.skill.yaml', line, column });

/** A skill written with real CEL expressions and templates, as the IR loader builds it. */
function digestSkill(): LoadedSkill {
  return {
    name: 'digest',
    version: '1.0.0',
    hash: 'sha256:digest',
    file: 'digest.skill.yaml',
    description: 'Summarize documents, then merge',
    inputs: {
      type: 'object',
      required: ['docs'],
      properties: { docs: { type: 'array', items: { type: 'string' } }, language: { type: 'string', default: 'en' } },
    },
    requires: {},
    engines: { prefer: [], models: {}, params: {} },
    tools: {},
    policies: {},
    dependencies: {},
    sourceMap: {},
    steps: [
      {
        kind: 'prompt',
        id: 'partials',
        dependsOn: [],
        forEach: { over: celExpression('inputs.docs.filter(d, size(d) > 0)', at(10)), as: 'doc', concurrency: 2 },
        user: celTemplate('Summarize in {{ inputs.language }} (#{{ index + 1 }}): {{ doc }}', at(12)),
        output: { kind: 'text' },
        tools: [],
        maxToolIterations: 4,
        source: at(8, 5),
      },
      {
        kind: 'prompt',
        id: 'merge',
        dependsOn: ['partials'],
        when: celExpression('size(steps.partials.output) > 1', at(15)),
        user: celTemplate('Merge:\n{{#each steps.partials.output as p}}- {{ p }}\n{{/each}}', at(17)),
        output: { kind: 'text' },
        tools: [],
        maxToolIterations: 4,
        source: at(14, 5),
      },
    ],
    returns: celExpression('steps.merge.output != null ? steps.merge.output : steps.partials.output[0]', at(20)),
  };
}

describe('real CEL expressions and templates behind the runtime seam', () => {
  it('evaluates for_each, when, templates and return', async () => {
    const engine = new ScriptedAdapter({ fallback: 'echo' });
    const runtime = createRuntime({ engines: { s: binding(engine) } });
    const many = await runtime.run(digestSkill(), { docs: ['alpha', '', 'beta'] });
    expect(many.output).toBe('Merge:\n- Summarize in en (#1): alpha\n- Summarize in en (#2): beta\n');
    const one = await runtime.run(digestSkill(), { docs: ['solo'], language: 'ja' });
    expect(one.output).toBe('Summarize in ja (#1): solo');
    expect(one.trace.find((t) => t.step === 'merge')?.status).toBe('skipped');
  });

  it('reports evaluation errors at the expression’s place in the YAML', async () => {
    const skill = digestSkill();
    skill.steps[0]!.when = celExpression('inputs.missing == 1', at(9));
    const runtime = createRuntime({ engines: { s: binding(new ScriptedAdapter({ fallback: 'echo' })) } });
    const error = await runtime.run(skill, { docs: ['x'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpressionEvaluationError);
    expect((error as Error).message).toMatch(/^digest\.skill\.yaml:9:9: `when` of step `partials` `inputs\.missing == 1` failed: .*missing/);
  });

  it('refuses an expression that does not parse, with its location', () => {
    expect(() => celExpression('inputs.(', at(3))).toThrow(SdlRuntimeError);
    expect(() => celExpression('inputs.(', at(3))).toThrow(/^digest\.skill\.yaml:3:9: expression `inputs\.\(` does not parse: /);
    expect(() => celTemplate('{{#if x}}open', at(4))).toThrow(/^digest\.skill\.yaml:4:9: template/);
  });

  it('keeps integers exact and maps typed the CEL way', () => {
    const e = celExpression('inputs.n * 2 + size(inputs.m)', at(1));
    expect(e.evaluate({ inputs: { n: 21, m: { a: 1, b: 2 } }, steps: {} })).toBe(44);
    expect(() => celExpression('inputs.n / 0', at(1)).evaluate({ inputs: { n: 1 }, steps: {} })).toThrow(/zero/);
  });

  it('converts step outputs as expressions read them: a value over the limits is refused only where an expression reaches it, at its place', () => {
    const big = { huge: Array.from({ length: 100_001 }, (_, i) => i), note: 'ok' };
    const scope = { inputs: { n: 1 }, steps: { fetch: { output: big } } };
    expect(celExpression('steps.fetch.output.note + string(inputs.n)', at(2)).evaluate(scope)).toBe('ok1');
    const reach = celExpression('size(steps.fetch.output.huge) > 0', at(3));
    expect(() => reach.evaluate(scope)).toThrow(/list at \$\.huge has 100001 elements; the limit is 100000/);
    try {
      reach.evaluate(scope);
    } catch (e) {
      // SDL4210 at `huge`, the select that reached the list.
      expect(e).toMatchObject({ code: 'SDL4210', start: 24, end: 28 });
    }
  });

  it('sees the current values of an input object the host reuses and changes between runs', () => {
    // Conversions into CEL are cached per scope (one run), not by the object across runs.
    const t = celTemplate('{{ inputs.q.text }}', at(1));
    const input = { q: { text: 'first' } };
    expect(t.render({ inputs: input, steps: {} })).toBe('first');
    input.q.text = 'second';
    expect(t.render({ inputs: input, steps: {} })).toBe('second');
  });
});
