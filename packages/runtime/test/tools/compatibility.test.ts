import { describe, expect, it } from 'vitest';
import { subsetProblems, toolIncompatibilities, ToolRegistry } from '@sdl/runtime';

describe('tool schema compatibility', () => {
  it.each([
    ['identical', { type: 'object', properties: { q: { type: 'string' } } }, { type: 'object', properties: { q: { type: 'string' } } }, []],
    ['host accepts number for an integer', { properties: { n: { type: 'integer' } } }, { properties: { n: { type: 'number' } } }, []],
    ['host wants integer, skill declares number', { properties: { n: { type: 'number' } } }, { properties: { n: { type: 'integer' } } }, ['`n`: host expects integer, skill declares number']],
    ['host closes properties', { properties: { a: {}, b: {} } }, { properties: { a: {} }, additionalProperties: false }, ['`b` is declared by the skill but not accepted by the host']],
    ['enum narrowed by host', { properties: { u: { enum: ['c', 'f', 'k'] } } }, { properties: { u: { enum: ['c', 'f'] } } }, ['`u`: host does not accept "k"']],
    ['required only by host', { properties: { a: {} } }, { required: ['a'] }, ['`a` is required by the host but optional in the skill\'s declaration']],
    ['nested items', { properties: { xs: { type: 'array', items: { type: 'string' } } } }, { properties: { xs: { type: 'array', items: { type: 'integer' } } } }, ['`xs[]`: host expects integer, skill declares string']],
    ['host accepts anything', { type: 'object' }, true, []],
  ])('%s', (_, narrow, wide, expected) => {
    expect(subsetProblems(narrow, wide)).toEqual(expected);
  });

  it('checks results in the other direction', () => {
    expect(toolIncompatibilities({ parameters: {}, returns: { type: 'string' } }, { parameters: {}, returns: { type: ['string', 'null'] } })).toEqual([
      'result: host expects string, skill declares string or null',
    ]);
  });
});

describe('ToolRegistry', () => {
  it('refuses bad names and schemas that do not compile', () => {
    const registry = new ToolRegistry();
    expect(() => registry.register('bad name', { parameters: {}, execute: () => null })).toThrow('tool name `bad name` is invalid');
    expect(() => registry.register('t', { parameters: { type: 'nonsense' }, execute: () => null })).toThrow('tool `t`: its parameters schema does not compile');
    registry.register('ok', { parameters: { type: 'object' }, execute: () => null });
    expect(registry.names()).toEqual(['ok']);
  });
});
