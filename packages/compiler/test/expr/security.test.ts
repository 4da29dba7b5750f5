import { describe, expect, it } from 'vitest';
import { compileExpression, compileTemplate, evaluate, ExprCode, fromJson, JsonInputError, parseExpression, parseTemplate, render, type Value } from '@sdl/compiler';
import { run } from './helpers.js';

/** Runs `fn` and checks it finished within `ms` (every sandbox test must end quickly and cleanly). */
function bounded<T>(ms: number, fn: () => T): T {
  const t0 = performance.now();
  const result = fn();
  expect(performance.now() - t0).toBeLessThan(ms);
  return result;
}
const inputs = { inputs: { text: 'x', list: [1] } };
const digits = `[${Array.from({ length: 10 }, (_, i) => i).join(', ')}]`;

describe('sandbox', () => {
  it.each([
    'inputs.__proto__', 'inputs.constructor', 'inputs.toString', 'inputs["__proto__"]', 'inputs["constructor"]',
    'inputs.list.constructor', '{}.constructor', '"abc".constructor', 'inputs.hasOwnProperty', 'inputs.text.length',
  ])('%s is a clean error, never a JavaScript object', (src) => {
    expect(bounded(1000, () => run(src, inputs))).toMatch(/^error SDL420[14]/);
  });

  it.each(['constructor(1)', '"a".constructor("x")', 'inputs.toString()', '__proto__()', 'inputs.text.valueOf()', 'eval("1")', 'require("fs")'])(
    '%s is an unknown function, never a JavaScript call',
    (src) => expect(run(src, inputs)).toMatch(/^error SDL4104/),
  );

  it('refuses huge or deeply nested regex patterns held in variables cleanly', () => {
    for (const p of ['('.repeat(100_000), `${'('.repeat(500)}a${')'.repeat(500)}`, 'a'.repeat(50_000), 'a{1000}{1000}', '(a{1000}){1000}']) {
      expect(bounded(1000, () => run('s.matches(p)', { s: 'aaa', p }))).toMatch(/^error SDL4205: invalid regular expression/);
    }
  });

  it.each(['constructor', '__proto__', 'toString', 'globalThis', 'process', 'Object'])('the variable %s does not exist', (name) => {
    expect(run(name, inputs)).toMatch(/^error SDL4201: unknown variable/);
  });

  it('treats prototype-looking keys in input JSON as plain data', () => {
    const vars = { inputs: fromJson(JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}')) };
    expect(run('inputs.__proto__.polluted && inputs.constructor == 1', JSON.parse('{"inputs": {"__proto__": {"polluted": true}, "constructor": 1}}'))).toBe('true');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(vars.inputs instanceof Map).toBe(true);
    expect(run('has(inputs.toString)', inputs)).toBe('false');
    expect(run('"toString" in inputs', inputs)).toBe('false');
  });

  it('refuses 10,000 nested parentheses with a clean error', () => {
    const r = bounded(1000, () => parseExpression(`${'('.repeat(10_000)}1${')'.repeat(10_000)}`));
    expect(r.diagnostics[0]!.code).toBe(ExprCode.TooComplex);
    const t = bounded(1000, () => parseTemplate(`{{ ${'['.repeat(10_000)} }}`));
    expect(t.diagnostics[0]!.code).toBe(ExprCode.TooComplex);
    const blocks = bounded(2000, () => parseTemplate(`${'{{#if true}}'.repeat(10_000)}x${'{{/if}}'.repeat(10_000)}`));
    expect(blocks.diagnostics.map((d) => d.code)).toEqual([ExprCode.TooComplex]);
    expect(blocks.ast.body).toEqual([]);
  });

  it('stops nested macros that build huge lists at the step limit', () => {
    const src = `${digits}.map(a, ${digits}.map(b, ${digits}.map(c, ${digits}.map(d, ${digits}.map(e, ${digits}.map(f, ${digits}))))))`;
    expect(bounded(5000, () => run(src))).toMatch(/^error SDL4210: evaluation exceeds the limit of 1000000 steps/);
  });

  it('stops list doubling at the list size limit', () => {
    const src = `${digits}.map(a, ${digits}.map(b, ${digits}.map(c, ${digits}.map(d, l + l + l + l + l + l + l + l))))`;
    expect(bounded(5000, () => run(src, { l: Array.from({ length: 20_000 }, (_, i) => i) }))).toMatch(/^error SDL4210/);
  });

  it('stops string concatenation in a loop of macros', () => {
    const s = 'x'.repeat(100_000);
    const src = `${digits}.map(a, ${digits}.map(b, ${digits}.map(c, s + s + s + s + s + s + s + s + s + s)))`;
    expect(bounded(5000, () => run(src, { s }))).toMatch(/^error SDL4210: evaluation exceeds/);
    expect(bounded(5000, () => run('[s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s]', { s }))).toMatch(/^error SDL4210: string result/);
  });

  it('matches catastrophic regexes in linear time', () => {
    const a30 = 'a'.repeat(30);
    expect(bounded(1000, () => run(`s.matches("(a+)+$")`, { s: `${a30}!` }))).toBe('false');
    expect(bounded(1000, () => run(`s.matches("^(a|aa)*c$")`, { s: a30 }))).toBe('false');
    expect(bounded(1000, () => run(`s.matches("(x+x+)+y")`, { s: 'x'.repeat(5000) }))).toBe('false');
    expect(bounded(3000, () => run(`s.matches("(a*)*b")`, { s: 'a'.repeat(200_000) }))).toBe('false');
    expect(run(`s.matches("(a)\\\\1")`, { s: 'aa' })).toMatch(/^error SDL4205: invalid regular expression: backreferences/);
  });

  it('handles a 10 MB string within a bound: refused at input, limited in operations', () => {
    const big = 'a'.repeat(10 * 1024 * 1024);
    expect(() => bounded(1000, () => fromJson({ text: big }))).toThrow(JsonInputError);
    const vars: Record<string, Value> = { s: big };
    const evalSrc = (src: string) => {
      const c = compileExpression(parseExpression(src).ast!);
      try {
        return evaluate(c, vars);
      } catch (e) {
        return e as Error;
      }
    };
    expect(bounded(1000, () => evalSrc('size(s)'))).toBe(BigInt(big.length));
    expect(bounded(1000, () => evalSrc('s + "x"'))).toMatchObject({ code: ExprCode.LimitExceeded });
    expect(bounded(3000, () => evalSrc('s.matches("b")'))).toMatchObject({ code: ExprCode.LimitExceeded });
    expect(bounded(1000, () => evalSrc('s.contains("b")'))).toBe(false);
    const template = compileTemplate(parseTemplate('{{ s }}{{ s }}').ast);
    expect(() => bounded(1000, () => render(template, vars))).toThrow(expect.objectContaining({ code: ExprCode.LimitExceeded }));
  });

  it('lets a host raise or lower the limits', () => {
    expect(run('[1, 2, 3].map(x, x)', {}, { maxSteps: 3 })).toMatch(/^error SDL4210/);
    expect(run('"ab" + "cd"', {}, { maxStringLength: 3 })).toMatch(/^error SDL4210/);
    expect(run('[1, 2].map(x, x)', {}, { maxSteps: 10 })).toBe('[1,2]');
  });

  it('never lets && or || absorb a limit error', () => {
    expect(run(`true || ${digits}.map(a, ${digits}).size() > 0`, {}, { maxSteps: 5 })).toBe('true');
    expect(run(`${digits}.map(a, ${digits}).size() > 0 || true`, {}, { maxSteps: 5 })).toMatch(/^error SDL4210/);
  });
});
