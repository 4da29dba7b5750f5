import { describe, expect, it } from 'vitest';
import { parseTemplate } from '@sdl/compiler';
import { compileTemplate, fromJsonLazy, render } from '@sdl/compiler/eval';
import { celTemplate } from '@sdl/runtime/source';
import { plainTemplate } from '../../src/load/plain-template.js';

const at = { file: 't.skill.yaml', line: 1, column: 1 };
const ast = (text: string) => parseTemplate(text).ast;

/** The evaluator's answer: its text, or its error's message. */
function evaluator(text: string, inputs: unknown, limits?: { maxStringLength: number }): { text: string } | { error: string } {
  try {
    return { text: render(compileTemplate(ast(text)), { inputs: fromJsonLazy(inputs), steps: new Map() }, limits) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function runtime(text: string, inputs: unknown, limits?: { maxStringLength: number }): { text: string } | { error: string } {
  try {
    return { text: celTemplate(text, at, limits).render({ inputs: inputs as never, steps: {} }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const long = 'x'.repeat(1500);
const inherited = Object.create({ question: 'from the prototype' }) as object;

describe('plain templates (text and inputs.x insertions)', () => {
  it('takes only text and inputs paths', () => {
    expect(plainTemplate(ast('{{ inputs.question }}'))).toBeTypeOf('function');
    expect(plainTemplate(ast('Q: {{ inputs.a.b }} and {{inputs.c}}.'))).toBeTypeOf('function');
    expect(plainTemplate(ast('no insertion'))).toBeTypeOf('function');
    for (const other of ['{{ inputs }}', '{{ steps.a.output }}', '{{ inputs["a"] }}', '{{ inputs.a + "x" }}', '{{ doc }}', '{{#if inputs.a}}x{{/if}}', '{{#each inputs.a as x}}{{ x }}{{/each}}', long])
      expect(plainTemplate(ast(other)), other).toBeUndefined();
  });

  const templates = ['{{ inputs.question }}', 'Q: {{ inputs.a.b }} and {{inputs.c}}.', '{{ inputs.question }}{{ inputs.question }}'];
  const inputs: unknown[] = [
    { question: 'What?' }, { question: '' }, { question: long }, { question: 1 }, { question: 2.5 }, { question: true }, { question: null },
    { question: ['a'] }, { question: { a: 1 } }, {}, inherited, { toString: 'own' }, [], null, 'text', undefined,
    { a: { b: 'deep' }, c: 'see' }, { a: { b: 3 }, c: 'see' }, { a: ['b'], c: 'see' }, { a: { b: 'deep' } }, { a: null, c: 'x' }, { a: { b: long }, c: 'x' },
    { question: '\ud800 lone surrogate' },
  ];
  for (const text of templates)
    it(`renders as the evaluator does: ${text}`, () => {
      for (const input of inputs) {
        expect(runtime(text, input), JSON.stringify(input)).toEqual(evaluator(text, input));
        // The plain render answers or steps aside; it never gives another text.
        const plain = plainTemplate(ast(text))!(input);
        if (plain !== undefined) expect({ text: plain }).toEqual(evaluator(text, input));
      }
    });

  it('keeps the rendered text limit', () => {
    const limits = { maxStringLength: 12 };
    for (const question of ['short', 'twelve chars', 'thirteen char'])
      expect(runtime('Q {{ inputs.question }}', { question }, limits)).toEqual(evaluator('Q {{ inputs.question }}', { question }, limits));
    expect(runtime('Q {{ inputs.question }}', { question: 'thirteen char' }, limits)).toHaveProperty('error');
  });

  it('renders the common shape itself', () => {
    expect(plainTemplate(ast('Q: {{ inputs.a.b }} and {{inputs.c}}.'))!({ a: { b: 'deep' }, c: 'see' })).toBe('Q: deep and see.');
    expect(plainTemplate(ast('{{ inputs.question }}'))!({ question: 1 })).toBeUndefined();
  });
});
