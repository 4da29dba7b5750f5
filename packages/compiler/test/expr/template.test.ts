import { describe, expect, it } from 'vitest';
import { ExprCode, parseTemplate } from '@sdl/compiler';
import { renderText } from './helpers.js';

const vars = { inputs: { name: 'Ann', tags: ['a', 'b'], n: 2, score: 0.5, m: { x: 1 }, none: null, obj: { k: 'v' } } };

describe('rendering', () => {
  it.each([
    ['Hello {{ inputs.name }}!', 'Hello Ann!'],
    ['{{inputs.n}}{{ inputs.n + 1 }}', '23'],
    ['{{ inputs.score }} {{ true }} {{ inputs.none }}|', '0.5 true |'],
    ['{{ inputs.tags }} {{ inputs.obj }} {{ b"hi" }} {{ 7u }}', '["a","b"] {"k":"v"} aGk= 7'],
    ['<b>{{ "<i>&" }}</b>', '<b><i>&</b>'],
    ['{{ "{{ inputs.name }}" }}', '{{ inputs.name }}'],
    ['{{#if inputs.n > 1}}big{{else}}small{{/if}}', 'big'],
    ['{{#if inputs.n > 5}}big{{else if inputs.n > 1}}mid{{else}}small{{/if}}', 'mid'],
    ['{{#if false}}x{{/if}}done', 'done'],
    ['{{#each inputs.tags as t}}[{{ t }}]{{/each}}', '[a][b]'],
    ['{{#each inputs.tags as t, i}}{{ i }}={{ t }};{{/each}}', '0=a;1=b;'],
    ['{{#each inputs.m as k}}{{ k }}:{{ inputs.m[k] }}{{/each}}', 'x:1'],
    ['{{#each [[1, 2], [3]] as row}}({{#each row as v}}{{ v }}{{/each}}){{/each}}', '(12)(3)'],
    ['a{{! a comment }}b{{!-- has }} inside --}}c', 'abc'],
    ['{ single } braces {', '{ single } braces {'],
  ])('%j', (src, want) => expect(renderText(src, vars)).toBe(want));

  it('removes lines holding only a block tag or a comment', () => {
    const src = [
      'Tags:',
      '  {{! list every tag }}',
      '  {{#each inputs.tags as t, i}}',
      '  {{#if i > 0}}',
      '  ---',
      '  {{/if}}',
      '  - {{ t }}',
      '  {{/each}}',
      'End',
    ].join('\n');
    expect(renderText(src, vars)).toBe('Tags:\n  - a\n  ---\n  - b\nEnd');
  });

  it('keeps lines where a block tag shares the line with text or another tag', () => {
    expect(renderText('a {{#if true}}b{{/if}}\nc', vars)).toBe('a b\nc');
    expect(renderText('{{#if true}}{{#if true}}\nx\n{{/if}}{{/if}}', vars)).toBe('\nx\n');
  });

  it('handles CRLF line endings in standalone lines', () => {
    expect(renderText('a\r\n{{#if true}}\r\nb\r\n{{/if}}\r\nc', vars)).toBe('a\r\nb\r\nc');
  });

  it('reports evaluation errors at the failing expression', () => {
    const src = 'x {{ inputs.nope }}';
    expect(() => renderText(src, vars)).toThrow(expect.objectContaining({ code: ExprCode.NoSuchKey, start: 12 }));
    expect(() => renderText('{{#if inputs.n}}x{{/if}}', vars)).toThrow(expect.objectContaining({ code: ExprCode.RuntimeNoOverload }));
  });
});

describe('template errors', () => {
  it('reports every syntax error of a template at once', () => {
    const src = 'a {{ 1 + }} b {{ ) }} c {{#each xs}}{{/each}} {{#unless x}} {{/if}} {{else}} {{#if true}}';
    const { diagnostics } = parseTemplate(src);
    expect(diagnostics.map((d) => [d.code, src.slice(d.start, Math.max(d.end, d.start + 1))])).toEqual([
      [ExprCode.Syntax, '}'],
      [ExprCode.Syntax, ')'],
      [ExprCode.BadEach, '{{#each xs}}'],
      [ExprCode.BadBlock, '{{#unless'],
      [ExprCode.BadBlock, '{{/if}}'],
      [ExprCode.BadBlock, '{{else'],
      [ExprCode.UnclosedBlock, '{{#if'],
    ]);
  });

  it.each([
    ['x {{ y', ExprCode.UnclosedTag, 2],
    ['x {{ y \n more {{ z }}', ExprCode.UnclosedTag, 2],
    ['{{! never closed', ExprCode.UnclosedTag, 0],
    ['{{#if a}}x', ExprCode.UnclosedBlock, 0],
    ['{{#each a as}}{{/each}}', ExprCode.BadEach, 12],
    ['{{#each a as x y}}{{/each}}', ExprCode.BadEach, 15],
    ['{{#if a}}{{else}}{{else}}{{/if}}', ExprCode.BadBlock, 17],
    ['{{#if a}}{{else x}}{{/if}}', ExprCode.Syntax, 16],
    ['{{#if a}}{{/each}}{{/if}}', ExprCode.BadBlock, 9],
    ['{{ "unterminated }}', ExprCode.Lexical, 3],
  ])('%j -> %s at %i', (src, code, start) => {
    const { diagnostics } = parseTemplate(src);
    expect(diagnostics[0]).toMatchObject({ code, start });
  });

  it('keeps the blocks after an error, so later errors are still found', () => {
    const { ast, diagnostics } = parseTemplate('{{ 1 + }}{{#if x}}{{ y. }}{{/if}}');
    expect(diagnostics).toHaveLength(2);
    expect(ast.body[0]).toMatchObject({ kind: 'if' });
  });
});
