import { describe, expect, it } from 'vitest';
import { checkExpression, checkTemplate, ExprCode, formatType, parseExpression, parseTemplate, typeFromSchema, Types, type ExprType } from '@sdl/compiler';

const inputsSchema = {
  type: 'object',
  required: ['text'],
  properties: {
    text: { type: 'string' },
    language: { type: 'string', enum: ['en', 'zh'] },
    count: { type: 'integer' },
    ratio: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
    meta: { type: 'object', additionalProperties: { type: 'integer' } },
    extra: { type: 'object', properties: { a: { type: 'boolean' } }, additionalProperties: true },
    any: {},
  },
};
const scope = {
  inputs: typeFromSchema(inputsSchema),
  steps: Types.object({ parts: Types.object({ output: Types.object({ chunks: Types.list(Types.string) }) }) }),
};

function check(src: string, expectType?: ExprType) {
  const parsed = parseExpression(src);
  expect(parsed.diagnostics).toEqual([]);
  return checkExpression(parsed.ast!, scope, expectType ? { expectType, role: '`when:`' } : {});
}

describe('typeFromSchema', () => {
  it.each([
    [{ type: 'string' }, 'string'], [{ type: 'integer' }, 'int'], [{ type: 'number' }, 'double'], [{ type: 'boolean' }, 'bool'],
    [{ type: 'null' }, 'null_type'], [{ type: 'array' }, 'list(dyn)'], [{ type: 'array', items: { type: 'integer' } }, 'list(int)'],
    [{ type: 'object' }, 'map(string, dyn)'], [{ type: 'object', additionalProperties: { type: 'string' } }, 'map(string, string)'],
    [{ properties: { a: {} } }, 'object {a}'], [{ type: ['string', 'null'] }, 'string'], [{ type: ['string', 'integer'] }, 'dyn'],
    [{ enum: ['a', 'b'] }, 'string'], [{ const: 3 }, 'int'], [{ anyOf: [{ type: 'string' }, { type: 'string' }] }, 'string'],
    [{ oneOf: [{ type: 'string' }, { type: 'integer' }] }, 'dyn'], [true, 'dyn'], [{}, 'dyn'],
  ])('%j -> %s', (schema, want) => expect(formatType(typeFromSchema(schema))).toBe(want));
});

describe('checkExpression', () => {
  it.each([
    ['inputs.text', 'string'], ['inputs.count + 1', 'int'], ['inputs.ratio * 2.0', 'double'], ['inputs.tags', 'list(string)'],
    ['inputs.tags[0]', 'string'], ['inputs.meta.anything', 'int'], ['inputs.extra.other', 'dyn'], ['inputs.any.deep.path', 'dyn'],
    ['steps.parts.output.chunks.map(c, size(c))', 'list(int)'], ['inputs.tags.filter(t, t.startsWith("a"))', 'list(string)'],
    ['inputs.tags.all(t, t != "")', 'bool'], ['size(inputs.text) > 10 && inputs.language == "en"', 'bool'],
    ['inputs.count > 1 ? "a" : "b"', 'string'], ['inputs.count > 1 ? "a" : 1', 'dyn'], ['[1, 2]', 'list(int)'], ['{"a": 1}', 'map(string, int)'],
    ['has(inputs.language)', 'bool'], ['int(inputs.ratio) + inputs.count', 'int'], ['dyn(inputs.text) + 1', 'int'], ['type(1)', 'type'],
    ['inputs.count < inputs.ratio', 'bool'], ['"en" in inputs.tags', 'bool'], ['"text" in inputs', 'bool'], ['inputs.tags.join(", ")', 'string'],
  ])('%s : %s', (src, want) => {
    const r = check(src);
    expect(r.diagnostics).toEqual([]);
    expect(formatType(r.type)).toBe(want);
  });

  it('reports an unknown field with a did-you-mean hint, at the field', () => {
    const r = check('inputs.txt + "!"');
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: ExprCode.UnknownField, start: 7, end: 10, hint: 'did you mean `text`?' })]);
    expect(check('has(inputs.langauge)').diagnostics[0]).toMatchObject({ code: ExprCode.UnknownField, start: 11, hint: 'did you mean `language`?' });
    expect(check('steps.parts.output.chunk').diagnostics[0]).toMatchObject({ hint: 'did you mean `chunks`?' });
  });

  it('reports unknown variables and functions with hints', () => {
    expect(check('input.text').diagnostics[0]).toMatchObject({ code: ExprCode.UnknownVariable, start: 0, end: 5, hint: 'did you mean `inputs`?' });
    expect(check('inputs.tags.map(t, tt)').diagnostics[0]).toMatchObject({ code: ExprCode.UnknownVariable, hint: 'did you mean `t`?' });
    expect(check('inputs.text.startWith("a")').diagnostics[0]).toMatchObject({ code: ExprCode.UnknownFunction, start: 12, hint: 'did you mean `startsWith`?' });
    expect(check('sise(inputs.text)').diagnostics[0]).toMatchObject({ code: ExprCode.UnknownFunction, hint: 'did you mean `size`?' });
    expect(check('size(inputs.text, 1)').diagnostics[0]).toMatchObject({ code: ExprCode.UnknownFunction });
  });

  it.each([
    ['inputs.count + inputs.ratio', 13, 'CEL does not mix number types'],
    ['inputs.text + 1', 12, 'string(x)'],
    ['inputs.count && true', 13, 'both sides must be bool'],
    ['inputs.text < 1', 12, undefined],
    ['inputs.text == 1', 12, 'never equal'],
    ['1 in inputs.text', 2, 'list or a map'],
    ['-inputs.text', 0, undefined],
    ['!inputs.count', 0, undefined],
    ['inputs.tags["a"]', 11, 'a list index is an int'],
    ['inputs.text.contains(1)', 0, undefined],
    ['inputs.count % 2.0', 13, undefined],
  ])('operator mismatch in %s is reported at the operator', (src, start, hint) => {
    const d = check(src).diagnostics[0]!;
    expect(d).toMatchObject({ code: ExprCode.NoOverload, start });
    if (hint) expect(d.hint).toContain(hint);
  });

  it('checks macro predicates, ternary conditions and constant regexes', () => {
    expect(check('inputs.tags.all(t, size(t))').diagnostics[0]).toMatchObject({ code: ExprCode.WrongType });
    expect(check('inputs.count ? 1 : 2').diagnostics[0]).toMatchObject({ code: ExprCode.WrongType, start: 0 });
    expect(check('inputs.text.map(c, c)').diagnostics[0]).toMatchObject({ code: ExprCode.NoOverload });
    expect(check('inputs.text.matches("(a")').diagnostics[0]).toMatchObject({ code: ExprCode.BadRegex, start: 20 });
    expect(check('inputs.text.matches("(a)\\\\1")').diagnostics[0]!.message).toContain('backreferences');
  });

  it('enforces the expected type (when: bool, for_each: list)', () => {
    expect(check('inputs.count > 1', Types.bool).diagnostics).toEqual([]);
    expect(check('inputs.any', Types.bool).diagnostics).toEqual([]);
    const d = check('inputs.tags', Types.bool).diagnostics[0]!;
    expect(d).toMatchObject({ code: ExprCode.WrongType, start: 0, end: 11, hint: 'test it, e.g. `size(x) > 0`' });
    expect(d.message).toBe('`when:` must be bool, but this expression is list(string)');
    expect(check('inputs.text', Types.list(Types.dyn)).diagnostics[0]).toMatchObject({ code: ExprCode.WrongType });
    expect(check('steps.parts.output.chunks', Types.list(Types.dyn)).diagnostics).toEqual([]);
  });
});

describe('checkTemplate', () => {
  it('checks every tag, binds loop variables and requires bool conditions', () => {
    const t = parseTemplate('{{#each inputs.tags as t, i}}{{ t.size() + i }}{{ tt }}{{/each}}{{#if inputs.tags}}x{{/if}}{{#each inputs.count as c}}{{/each}}{{ inputs.txt }}');
    expect(t.diagnostics).toEqual([]);
    const { diagnostics } = checkTemplate(t.ast, scope);
    expect(diagnostics.map((d) => [d.code, d.hint])).toEqual([
      [ExprCode.UnknownVariable, 'did you mean `t`?'],
      [ExprCode.WrongType, 'test the size, e.g. `size(x) > 0`'],
      [ExprCode.WrongType, undefined],
      [ExprCode.UnknownField, 'did you mean `text`?'],
    ]);
  });
});

describe('Object.prototype names as schema properties', () => {
  it('types `__proto__`, `constructor` and `toString` as the declared fields, and only those', () => {
    const schema = JSON.parse('{"type": "object", "properties": {"__proto__": {"type": "string"}, "constructor": {"type": "integer"}}}') as object;
    const inputs = typeFromSchema(schema);
    expect(formatType(inputs)).toBe('object {__proto__, constructor}');
    const typeOf = (src: string) => {
      const r = checkExpression(parseExpression(src).ast!, { inputs });
      return r.diagnostics.length > 0 ? r.diagnostics.map((d) => d.code).join(',') : formatType(r.type);
    };
    expect(typeOf('inputs.__proto__')).toBe('string');
    expect(typeOf('inputs["__proto__"] + "x"')).toBe('string');
    expect(typeOf('inputs.constructor + 1')).toBe('int');
    expect(typeOf('has(inputs.__proto__)')).toBe('bool');
    expect(typeOf('inputs.toString')).toBe(ExprCode.UnknownField);
    // not declared: an unknown field, not something inherited
    expect(typeOf('{"a": 1}.__proto__')).toBe('int');
    expect(formatType(typeFromSchema({ type: 'object', properties: { a: {} } }))).toBe('object {a}');
  });
});
