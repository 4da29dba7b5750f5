import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { IToken } from 'chevrotain';
import { lexExpression, lexTemplate } from '../../src/expr/fast-lexer.js';
import { expressionLexer, templateLexer } from '../../src/expr/tokens.js';

const view = (tokens: IToken[]) => tokens.map((t) => [t.image, t.startOffset, t.tokenType.name, t.tokenTypeIdx]);

/** The hand-written lexer either gives chevrotain's tokens for input chevrotain lexes cleanly, or gives up. */
function compare(text: string, template: boolean): boolean {
  const fast = template ? lexTemplate(text) : lexExpression(text);
  const slow = (template ? templateLexer : expressionLexer).tokenize(text);
  if (fast === undefined) return false;
  expect(slow.errors, JSON.stringify(text)).toEqual([]);
  expect(view(fast), JSON.stringify(text)).toEqual(view(slow.tokens));
  return true;
}

const EXPRESSIONS = [
  'steps.step_0.output != ""', 'inputs.contract.split("\\n\\n")', 'index + 1', 'a ? b : c', '!a && -b >= 1.5e3 || c <= .5 && d < 0x1F && e > 2u',
  'x in [1, 2,] && {"k": r"raw\\d", b\'bytes\': """tri"pl"e""", \'\'\'x\'\'\': rb"y"}', 'true || false || null || trueish || nullable || int(in_x)',
  'a // comment\n + b', 'a/b%c*d', '1.5.x', '1..2', '12abc', 'r', 'rb', 'b', 'R"x"', 'Br\'y\'', '"unterminated', "'also", 'a = b', 'a & b', 'a | b', '#', 'a @ b', 'é', '',
  '\t\f\r\n a \t', '{}', '}', 'a}}b', '"\\"" + \'\\\'\'',
];
const TEMPLATES = [
  'Hello {{ inputs.name }}!', '{{#if a}}x{{else if b}}y{{else}}z{{/if}}', '{{#each xs as x, i}}{{ i }}: {{ x }}\n{{/each}}', '{{! comment }}{{!-- long }} --}}text',
  '{{!unclosed', '{{ a', '{{ "}}" }}', '{{ a // }} comment\n }}', '{{#unless x}}{{/unless}}', '{{ {"a": 1} }}', '{{ {"a": 1}}}', '{ {x} }', 'plain text only', '',
  '{{ a ? b : c }}{{{ d }}}', '{{ 1.5 }}{{.5}}{{ x.y.z }}', '{{ "unterminated }}', '{{ # }}', '{{  else   if x }}', '{{/each}}{{/if}}', '{{ é }}', 'é {{ a }} ü',
];

describe('the hand-written lexer', () => {
  it.each(EXPRESSIONS)('lexes expression %j as chevrotain does, or leaves it', (text) => void compare(text, false));
  it.each(TEMPLATES)('lexes template %j as chevrotain does, or leaves it', (text) => void compare(text, true));

  it('handles the error-free cases itself', () => {
    expect(compare('steps.step_0.output != "" && x in [1, 2u, 3.5] || !y', false)).toBe(true);
    expect(compare('Hi {{ inputs.name }}, {{#each xs as x}}{{ x }}{{/each}}{{! c }}', true)).toBe(true);
    expect(lexExpression('"open')).toBeUndefined();
    expect(lexTemplate('{{ a # b }}')).toBeUndefined();
  });

  it('lexes random text as chevrotain does, or leaves it', () => {
    const pieces = fc.constantFrom(
      'a', 'x1', '_', 'in', 'int', 'true', 'null', 'r', 'b', 'rb', 'R', '0', '12', '0x1f', '3u', '.', '.5', '1.5e3', '1e', 'e', '"', "'", '"""', '\\', '"s"', "'t'",
      ' ', '\t', '\n', '\r', '/', '//', '*', '%', '+', '-', '=', '==', '!', '!=', '<', '<=', '>', '>=', '&', '&&', '|', '||', '?', ':', ',', '(', ')', '[', ']',
      '{', '}', '{{', '}}', '{{#if', '{{/if}}', '{{else', '{{else if', '{{#each', '{{/each}}', '{{!', '{{!--', '--}}', '{{#x', '#', 'é', '😀', '~',
    );
    let handled = 0;
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), fc.boolean(), (parts, template) => {
        if (compare(parts.join(''), template)) handled++;
      }),
      { numRuns: 6000, seed: 20261122 },
    );
    expect(handled).toBeGreaterThan(1000);
  });
});
