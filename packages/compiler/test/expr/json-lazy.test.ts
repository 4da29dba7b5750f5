// fromJsonLazy wraps JSON and converts it as expressions read it: every expression must give what
// the eagerly converted input (fromJson) gives, and limits must hold for the values reached.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileExpression, compileTemplate, EvalError, evaluate, evaluateJsonText, ExprCode, fromJson, fromJsonLazy, JsonInputError, parseExpression, parseTemplate, render,
  stringifyJson, toJson, type EvalLimits, type Value,
} from '@sdl/compiler';

/**
 * The outcome of an expression as text: the JSON of its value and CEL type (written inside the
 * evaluation, as the runtime does), or the error with its offsets.
 */
function outcome(src: string, vars: Record<string, Value>): string {
  try {
    return `value ${evaluateJsonText(compile(`[${src}, type(${src})]`), vars)}`;
  } catch (e) {
    if (e instanceof EvalError) return `error ${e.code} ${e.start}-${e.end}: ${e.message}`;
    throw e;
  }
}
function rendered(run: () => string): string {
  try {
    return `text ${run()}`;
  } catch (e) {
    if (e instanceof EvalError) return `error ${e.code} ${e.start}-${e.end}: ${e.message}`;
    throw e;
  }
}
const compiled = new Map<string, ReturnType<typeof compileExpression>>();
function compile(src: string) {
  let c = compiled.get(src);
  if (!c) {
    const p = parseExpression(src);
    if (!p.ast) throw new Error(`${src}: ${JSON.stringify(p.diagnostics)}`);
    compiled.set(src, (c = compileExpression(p.ast)));
  }
  return c;
}

// Expressions over `inputs` that reach its values every way the evaluator can: select, index,
// has, in, size, equality (with itself, a copy and literals), macros over maps and lists, JSON
// output, conversions and templates.
const EXPRESSIONS = [
  'inputs',
  'inputs.a',
  'inputs["b"]',
  'inputs.a.b',
  'inputs.a[0]',
  'inputs.a[1].c',
  'has(inputs.a)',
  'has(inputs.a.c)',
  '"c" in inputs',
  '1 in inputs.a',
  'inputs.a in [inputs.b, inputs.c]',
  'size(inputs)',
  'size(inputs.a)',
  'inputs.a.size() > 1',
  'inputs == inputs',
  'inputs == copy',
  'inputs.a == copy.a',
  'inputs.a != inputs.b',
  'inputs == {"a": 1}',
  'inputs.a == [1, "x"]',
  '[inputs] == [copy]',
  '{"k": inputs}.k == copy',
  'inputs.exists(k, k == "a")',
  'inputs.all(k, has(inputs.a) || k != "a")',
  'inputs.map(k, inputs[k])',
  'inputs.filter(k, k.size() == 1)',
  'inputs.exists_one(k, k == "c")',
  'inputs.a.map(x, x)',
  'inputs.a.filter(x, type(x) == map)',
  'inputs.a.all(x, x == x)',
  'inputs.a + inputs.b',
  'inputs.a > inputs.b',
  'inputs.a * 2',
  'string(inputs.a)',
  'int(inputs.a)',
  'double(inputs.b)',
  'type(inputs.a)',
  'dyn(inputs).c',
  'inputs.a.startsWith("x")',
  'inputs.a.join(",")',
  '[inputs.a, inputs.b].size()',
  'inputs.b.a.b',
];
const TEMPLATE = '{{ inputs }}|{{#each inputs as k}}{{ k }}={{ inputs[k] }};{{/each}}|{{#if has(inputs.a)}}{{ inputs.a }}{{/if}}';

// JSON objects whose keys often hit the expressions' names (a, b, c), nesting lists and objects.
const key = fc.constantFrom('a', 'b', 'c', 'd', '__proto__', 'toString');
const leaf = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)), fc.constantFrom(1.5, 2 ** 60, -(2 ** 63), 2 ** 64), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null));
const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('object')),
  list: fc.array(tie('json'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('json'), { maxKeys: 4 }),
}));
const input = fc.dictionary(key, json, { maxKeys: 4 });

/** Does the eager conversion refuse `value`? */
function eagerRefuses(value: unknown, limits?: Partial<EvalLimits>): boolean {
  try {
    fromJson(value, undefined, limits);
    return false;
  } catch (e) {
    if (e instanceof JsonInputError) return true;
    throw e;
  }
}

describe('fromJsonLazy', () => {
  it('evaluates every expression exactly like the eagerly converted input (values, types, errors and their offsets)', () => {
    fc.assert(
      fc.property(input, fc.constantFrom(...EXPRESSIONS), (value, src) => {
        const eager = outcome(src, { inputs: fromJson(value), copy: fromJson(value) });
        const lazy = outcome(src, { inputs: fromJsonLazy(value), copy: fromJson(value) });
        expect(lazy).toBe(eager);
        // Both sides lazy (map against map, neither yet converted), and a wrapper read twice.
        const twice = fromJsonLazy(value);
        expect(outcome(src, { inputs: twice, copy: fromJsonLazy(value) })).toBe(eager);
        expect(outcome(src, { inputs: twice, copy: fromJsonLazy(value) })).toBe(eager);
      }),
      { numRuns: 3000 },
    );
  });

  it('renders templates and converts to JSON exactly like the eager input', () => {
    const parsed = parseTemplate(TEMPLATE);
    const template = compileTemplate(parsed.ast);
    fc.assert(
      fc.property(input, (value) => {
        expect(rendered(() => render(template, { inputs: fromJsonLazy(value) }))).toBe(rendered(() => render(template, { inputs: fromJson(value) })));
        expect(toJson(fromJsonLazy(value))).toEqual(toJson(fromJson(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('under small limits: the same outcome where the eager conversion accepts, a located SDL4210 naming the value where it refuses', () => {
    fc.assert(
      fc.property(input, fc.constantFrom(...EXPRESSIONS), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (value, src, maxStringLength, maxListLength) => {
        const limits = { maxStringLength, maxListLength };
        const lazy = outcome(src, { inputs: fromJsonLazy(value, undefined, limits), copy: fromJsonLazy(value, undefined, limits) });
        if (!eagerRefuses(value, limits)) {
          expect(lazy).toBe(outcome(src, { inputs: fromJson(value, undefined, limits), copy: fromJson(value, undefined, limits) }));
        } else if (lazy.startsWith('error SDL4210')) {
          expect(lazy).toMatch(/^error SDL4210 \d+-\d+: (string|list|object) at \$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('converts only what is read, and caches the containers it reaches', () => {
    const reads: string[] = [];
    const big = { x: 1, list: Array.from({ length: 200_000 }, (_, i) => i) };
    const watched = new Proxy(big, { get: (t, k) => (reads.push(String(k)), Reflect.get(t, k)) });
    const inputs = fromJsonLazy({ small: { n: 2 }, big: watched });
    // The 200,000-element list is over the list limit, but no expression reaches it.
    expect(evaluate(compile('inputs.small.n + inputs.big.x'), { inputs })).toBe(3n);
    expect(reads).toEqual(['x']);
    const small = evaluate(compile('inputs.small'), { inputs });
    expect(evaluate(compile('inputs.small'), { inputs })).toBe(small);
  });

  it('refuses a value over a limit when an expression reaches it, with its path, at the expression that reached it', () => {
    const inputs = fromJsonLazy({ text: 'x'.repeat(11), list: [1, 2, 3, 4], obj: { a: 1, b: 2, c: 3 }, ok: 'fine' }, undefined, { maxStringLength: 10, maxListLength: 2 });
    const err = (src: string) => {
      try {
        evaluate(compile(src), { inputs });
      } catch (e) {
        return e as EvalError;
      }
      throw new Error(`${src} did not fail`);
    };
    expect(evaluate(compile('inputs.ok'), { inputs })).toBe('fine');
    expect(err('size(inputs.text)')).toMatchObject({ code: ExprCode.LimitExceeded, message: 'string at $.text is 11 characters long; the limit is 10', start: 12, end: 16 });
    expect(err('inputs["list"]')).toMatchObject({ code: ExprCode.LimitExceeded, message: 'list at $.list has 4 elements; the limit is 2', start: 6, end: 14 });
    // Reached while comparing: located at the whole expression.
    expect(err('inputs.obj == {}')).toMatchObject({ message: 'object at $.obj has 3 keys; the limit is 2', start: 0, end: 16 });
    // A limit error is not absorbed by `||`.
    expect(err('inputs.text == "" || true').code).toBe(ExprCode.LimitExceeded);
  });

  it('refuses nesting past 200 levels and cycles at the exact path', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = { d: deep };
    const path = `inputs${'.d'.repeat(200)}`;
    expect(evaluate(compile(path), { inputs: fromJsonLazy(deep) })).toBe('leaf');
    expect(() => evaluate(compile(path.replace('inputs', 'inputs.d')), { inputs: fromJsonLazy({ d: deep }) })).toThrow(`value nests more than 200 levels deep at $${'.d'.repeat(201)}`);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = [cycle];
    expect(() => evaluate(compile('inputs == copy'), { inputs: fromJsonLazy(cycle), copy: fromJsonLazy(cycle) })).toThrow(/^value nests more than 200 levels deep at \$(\.self\[0\]){100}\.self$/);
  });

  it('is a read-only Map in key order with own keys only', () => {
    const m = fromJsonLazy(JSON.parse('{"b": 1, "__proto__": {"p": true}, "a": [2.5, {"c": null}]}')) as Map<string, Value>;
    expect(m).toBeInstanceOf(Map);
    expect(m.get('a')).toBe(m.get('a'));
    expect([...m.keys()]).toEqual(['b', '__proto__', 'a']);
    expect(m.size).toBe(3);
    expect(m.has('toString')).toBe(false);
    expect(m.get('constructor')).toBeUndefined();
    const seen: string[] = [];
    m.forEach((v, k) => seen.push(`${k}=${stringifyJson(v)}`));
    expect(seen).toEqual(['b=1', '__proto__={"p":true}', 'a=[2.5,{"c":null}]']);
    expect(() => m.set('x', 1n)).toThrow(TypeError);
    expect(() => m.delete('b')).toThrow(TypeError);
  });

  it('applies a schema like fromJson (type: number gives double)', () => {
    const schema = { type: 'object', properties: { n: { type: 'number' }, list: { type: 'array', items: { type: 'number' } } } };
    const value = { n: 3, list: [1, 2], m: 4 };
    for (const src of ['inputs.n', 'inputs.list[0]', 'inputs.m', 'inputs'])
      expect(outcome(src, { inputs: fromJsonLazy(value, schema) })).toBe(outcome(src, { inputs: fromJson(value, schema) }));
  });
});
