import { describe, expect, it } from 'vitest';
import { parseExpression, parseTemplate } from '@sdl/compiler';
import { parseTokens, parseTokensWithParser } from '../../src/expr/parser.js';
import { expressionLexer } from '../../src/expr/tokens.js';

/**
 * The emitter writes expression and template ASTs into the IR with one `JSON.stringify`, without
 * sorting them (see ast.ts): every node must be built with its members in sorted (UTF-16) order and
 * none may start with a digit. This walks every object of an AST and names the first one that is not.
 */
function outOfOrder(value: unknown, at = '$'): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = outOfOrder(value[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (/^[0-9]/.test(key) || (i > 0 && !(keys[i - 1]! < key))) return `${at}: ${keys.join(', ')}`;
    if ((value as Record<string, unknown>)[key] === undefined) return `${at}.${key} is undefined`;
    const found = outOfOrder((value as Record<string, unknown>)[key], `${at}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Every node kind (literals, operators, macros with and without a filter, receiver calls, maps, lists, `has`). */
const expressions = [
  'null',
  'true && false',
  '1 + 2u - 3.5 * -4 / 5 % 6',
  '-9223372036854775808',
  '-2.5e3',
  '"text" + \'single\' + """triple""" + r"raw"',
  'b"bytes"',
  'inputs.a.b',
  'inputs.`content-type`',
  'inputs.list[0]',
  'inputs.map["k"]',
  '!inputs.flag',
  '-inputs.n',
  'inputs.a < 1 || inputs.a >= 2 && inputs.b != 3 && inputs.c in [1, 2]',
  'inputs.a ? 1 : inputs.b ? 2 : 3',
  '[1, [2, 3], []]',
  '{"a": 1, "b": {"c": [2]}, 3: 4}',
  '{}',
  'has(inputs.a)',
  'size(inputs.list) > 0',
  'inputs.text.split("\\n\\n")',
  'inputs.list.all(x, x > 0)',
  'inputs.list.exists(x, x == 1)',
  'inputs.list.exists_one(x, x == 1)',
  'inputs.list.map(x, x * 2)',
  'inputs.list.map(x, x > 0, x * 2)',
  'inputs.list.filter(x, x > 0)',
  'int(inputs.s) + uint(1) + double(2)',
  '(inputs.a)',
  '((inputs.a.b))',
  'steps.step_0.output',
];

const templates = [
  'plain text',
  'Hello {{ inputs.name }}!',
  '{{#if inputs.a}}A{{/if}}',
  '{{#if inputs.a}}A{{else}}B{{/if}}',
  '{{#if inputs.a}}A{{else if inputs.b}}B{{else}}C{{/if}}',
  '{{#if inputs.a}}\n  A\n{{else if inputs.b}}\n  B\n{{/if}}\n',
  '{{#each inputs.list as item}}{{ item }}{{/each}}',
  '{{#each inputs.list as item, i}}{{ i }}: {{ item }}{{/each}}',
  '{{#each inputs.list as item, i}}{{#if i > 0}}, {{/if}}{{ item }}{{/each}}',
  '{{! a comment }}after',
  'Section {{ index + 1 }}: {{ section }}',
];

describe('AST member order (what the emitter serializes as it is)', () => {
  it.each(expressions)('expression %s: every node in sorted member order, through the direct and the general parser', (src) => {
    const parsed = parseExpression(src);
    expect(parsed.diagnostics.filter((d) => d.severity !== 'warning')).toEqual([]);
    expect(outOfOrder(parsed.ast), src).toBeUndefined();
    const tokens = expressionLexer.tokenize(src).tokens;
    for (const parse of [parseTokens, parseTokensWithParser]) {
      const again = parse(tokens, src.length);
      expect(outOfOrder(again.ast), src).toBeUndefined();
    }
  });

  it.each(templates)('template %j: every node in sorted member order', (src) => {
    const parsed = parseTemplate(src);
    expect(parsed.diagnostics.filter((d) => d.severity !== 'warning')).toEqual([]);
    expect(outOfOrder(parsed.ast), src).toBeUndefined();
  });

  it('the walk notices a node out of order, a digit key and an undefined member', () => {
    expect(outOfOrder({ kind: 'ident', end: 1 })).toBeDefined();
    expect(outOfOrder({ a: [{ '1': 1 }] })).toBeDefined();
    expect(outOfOrder({ a: undefined })).toBeDefined();
    expect(outOfOrder({ a: [{ b: 1, c: { d: 2 } }] })).toBeUndefined();
  });
});
