import { describe, expect, it } from 'vitest';
import { checkExpression, checkTemplate, formatType, parseExpression, parseTemplate, Types, type ExprNode, type TemplateAst } from '../../src/index.js';

describe('checkExpression onType', () => {
  const scope = new Map([['inputs', Types.object({ tags: Types.list(Types.string), n: Types.int })]]);

  it('reports the type of every sub-expression, innermost first', () => {
    const src = 'inputs.tags.map(t, t.size() + inputs.n)';
    const seen: [string, string][] = [];
    checkExpression(parseExpression(src).ast as ExprNode, scope, { onType: (node, type) => seen.push([src.slice(node.start, node.end), formatType(type)]) });
    expect(seen).toContainEqual(['inputs.tags', 'list(string)']);
    expect(seen).toContainEqual(['t', 'string']);
    expect(seen).toContainEqual(['t.size()', 'int']);
    expect(seen).toContainEqual(['t.size() + inputs.n', 'int']);
    expect(seen[seen.length - 1]).toEqual([src, 'list(int)']);
    expect(seen.findIndex(([s]) => s === 'inputs')).toBeLessThan(seen.findIndex(([s]) => s === 'inputs.tags'));
  });

  it('types {{#each}} variables in templates', () => {
    const src = '{{#each inputs.tags as tag, i}}{{ tag }}{{ i }}{{/each}}';
    const seen = new Map<string, string>();
    checkTemplate(parseTemplate(src).ast as TemplateAst, scope, { onType: (node, type) => seen.set(src.slice(node.start, node.end), formatType(type)) });
    expect(Object.fromEntries(seen)).toMatchObject({ tag: 'string', i: 'int', 'inputs.tags': 'list(string)' });
  });
});
