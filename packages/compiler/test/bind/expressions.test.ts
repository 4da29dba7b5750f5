import { describe, expect, it } from 'vitest';
import { bindSkill, checkText, type Diagnostic, parseSkill, SourceFile } from '@sdl/compiler';

const HEAD = `sdl: "1.0"
name: demo
version: 1.0.0
description: Demo.
inputs:
  type: object
  required: [text]
  properties:
    text: { type: string }
    tags: { type: array, items: { type: string } }
    count: { type: integer }
`; // 11 lines

const at = (d: Diagnostic) => `${d.code}@${d.range.start.line}:${d.range.start.column}-${d.range.end.line}:${d.range.end.column}`;
const errorsOf = (steps: string, extra = '') => checkText(`${HEAD}steps:\n${steps}${extra}`, 'demo.skill.yaml').diagnostics.filter((d) => d.code.startsWith('SDL4'));

describe('expression stage: positions in the YAML file', () => {
  it.each([
    ['plain scalar', '  - id: a\n    prompt: { user: x }\n    when: inputs.txt != ""\n', 'SDL4102@15:18-15:21'],
    ['double-quoted with escapes before the error', '  - id: a\n    prompt:\n      user: "say \\"hi\\" {{ inputs.txt }}"\n', 'SDL4102@15:35-15:38'],
    ['single-quoted', "  - id: a\n    prompt:\n      user: 'it''s {{ inputs.txt }}'\n", 'SDL4102@15:30-15:33'],
    ['literal block, third line', '  - id: a\n    prompt:\n      user: |\n        Line one.\n        Line two.\n        Use {{ inputs.txt }} here.\n', 'SDL4102@18:23-18:26'],
    ['folded block', '  - id: a\n    prompt:\n      user: >\n        Folded\n        text {{ inputs.txt }}\n', 'SDL4102@17:24-17:27'],
    ['flow mapping in with:', '  - id: a\n    tool: t\n    with: { q: inputs.txt }\n', 'SDL4102@15:23-15:26'],
  ])('%s', (_name, steps, expected) => {
    const tools = steps.includes('tool: t') ? 'tools:\n  t: { description: T, parameters: { type: object, properties: { q: { type: string } } } }\n' : '';
    const ds = errorsOf(steps, tools);
    expect(ds.map(at)).toEqual([expected]);
    expect(ds[0]!.hint).toBe('did you mean `text`?');
  });

  it('reports several syntax errors of one template, each at its place', () => {
    const ds = errorsOf('  - id: a\n    prompt:\n      user: |\n        {{ inputs.text + }}\n        {{#if}}x{{/if}}\n        {{ 1 + }}\n');
    expect(ds.map(at)).toEqual(['SDL4002@16:26-16:26', 'SDL4002@17:14-17:14', 'SDL4002@18:16-18:16']);
  });
});

describe('expression stage: types of the places', () => {
  it('`when:` must be bool and `for_each:` a list', () => {
    const ds = errorsOf('  - id: a\n    when: inputs.tags\n    for_each: inputs.count\n    prompt: { user: x }\n');
    expect(ds.map(at)).toEqual(['SDL4105@14:11-14:22', 'SDL4105@15:15-15:27']);
    expect(ds[0]!.message).toContain('`when:` must be bool');
    expect(ds[1]!.message).toContain('`for_each:` must be a list');
  });

  it('types the loop variable (`as:`), `index` and `#each` variables from the schema', () => {
    const ok = errorsOf('  - id: a\n    for_each: inputs.tags\n    as: tag\n    prompt:\n      user: "{{ tag + index }}{{#each inputs.tags as t, i}}{{ t + string(i) }}{{/each}}"\n');
    expect(ok.map(at)).toEqual(['SDL4103@17:21-17:22']);
    expect(ok[0]!.message).toBe('`+` cannot be applied to (string, int)');
  });

  it('types steps.<id>.output from the step: text, `outputs`, an inline schema, a for_each list', () => {
    const ds = errorsOf(
      [
        '  - id: a',
        '    prompt: { user: x }',
        '    output: { type: object, properties: { title: { type: string } } }',
        '  - id: b',
        '    for_each: inputs.tags',
        '    prompt: { user: x }',
        '  - id: c',
        '    prompt:',
        '      user: "{{ steps.a.output.titel }} {{ steps.b.output[0].size() }} {{ size(steps.b.output) }}"',
        '',
      ].join('\n'),
    );
    expect(ds.map(at)).toEqual(['SDL4102@21:32-21:37']);
    expect(ds[0]!.hint).toBe('did you mean `title`?');
  });
});

describe('expression stage: the step graph', () => {
  it('an unknown step is an error with a did-you-mean hint', () => {
    const ds = errorsOf('  - id: summary\n    prompt: { user: x }\n  - id: b\n    prompt: { user: "{{ steps.sumary.output }}" }\n');
    expect(ds.map(at)).toEqual(['SDL4107@16:31-16:37']);
    expect(ds[0]!.message).toBe('there is no step `sumary`');
    expect(ds[0]!.hint).toBe('did you mean `summary`?');
  });

  it('a cycle is an error naming the whole loop; reading a later step without a cycle is fine', () => {
    const cycle = errorsOf(
      '  - id: a\n    prompt: { user: "{{ steps.c.output }}" }\n  - id: b\n    prompt: { user: "{{ steps.a.output }}" }\n  - id: c\n    prompt: { user: "{{ steps.b.output }}" }\n',
    );
    expect(cycle.map((d) => d.code)).toEqual(['SDL4108']);
    expect(cycle[0]!.message).toBe("steps read each other's outputs in a cycle: `a` → `c` → `b` → `a`");
    // Found at `b`'s read of `a`, where the depth-first search closes the loop.
    expect(at(cycle[0]!)).toBe('SDL4108@16:31-16:32');
    const self = errorsOf('  - id: a\n    when: steps.a.output != ""\n    prompt: { user: x }\n');
    expect(self.map(at)).toEqual(['SDL4108@14:17-14:18']);
    expect(self[0]!.message).toBe('step `a` reads its own output');
  });

  it('derives depends_on from every place a step reads and orders the steps topologically', () => {
    const text = `${HEAD}steps:
  - id: late_reader
    when: steps.first.output != ""
    prompt: { user: "{{ steps.second.output }}" }
  - id: first
    prompt: { user: x }
  - id: second
    for_each: "[steps.first.output]"
    prompt: { user: x }
return: steps.late_reader.output
`;
    const parsed = parseSkill(new SourceFile('demo.skill.yaml', text));
    const { diagnostics, bound } = bindSkill(parsed);
    expect(diagnostics).toEqual([]);
    expect(bound.steps.map((s) => [s.id, s.dependsOn])).toEqual([['late_reader', ['first', 'second']], ['first', []], ['second', ['first']]]);
    expect(bound.order).toEqual(['first', 'second', 'late_reader']);
  });
});

describe('expression stage: tool arguments', () => {
  const tools = `tools:
  search:
    description: Search.
    parameters:
      type: object
      required: [query]
      properties:
        query: { type: string }
        limit: { type: integer, default: 5 }
`;
  it('checks missing, unknown and mistyped arguments against the tool parameters', () => {
    const ds = errorsOf('  - id: s\n    tool: search\n    with: { limt: 3, query: inputs.count }\n  - id: t\n    tool: search\n    with: { query: "inputs.text", limit: \'"x"\' }\n', tools);
    expect(ds.map(at)).toEqual(['SDL4109@15:13-15:17', 'SDL4105@15:29-15:41', 'SDL4105@18:42-18:47']);
    expect(ds[0]!.hint).toBe('did you mean `limit`?');
    const missing = errorsOf('  - id: s\n    tool: search\n    with: { limit: 2 }\n', tools);
    expect(missing.map(at)).toEqual(['SDL4110@15:5-15:9']);
    expect(missing[0]!.message).toContain('requires the argument `query`');
  });
});
