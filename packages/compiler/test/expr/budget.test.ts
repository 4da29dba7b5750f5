import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compileExpression, compileTemplate, EvalError, evaluate, evaluateJson, evaluateJsonText, ExprCode, parseExpression, parseTemplate, render,
  varsFromJson, type EvalLimits, type EvalOptions,
} from '@sdl/compiler';

// The attacks of issue 15 on the expression sandbox, scaled down (smaller lists, a smaller step
// limit) so they run in milliseconds; each must end with SDL4210 well inside the time its step
// limit allows, never hang, never build an oversized value, never throw anything but EvalError.

type Outcome = { code: string; message: string; ms: number } | { value: unknown; ms: number };

function attempt(run: () => unknown): Outcome {
  const t0 = performance.now();
  try {
    const value = run();
    return { value, ms: performance.now() - t0 };
  } catch (e) {
    if (!(e instanceof EvalError)) throw e; // anything else is an internal error: fail the test
    return { code: e.code, message: e.message, ms: performance.now() - t0 };
  }
}

const compiled = (src: string) => {
  const parsed = parseExpression(src);
  expect(parsed.diagnostics).toEqual([]);
  return compileExpression(parsed.ast!);
};
const evalText = (src: string, json: Record<string, unknown>, limits?: Partial<EvalLimits>, options?: EvalOptions) =>
  attempt(() => evaluateJsonText(compiled(src), varsFromJson({ inputs: json }, {}, limits), limits, options));
const renderTpl = (src: string, json: Record<string, unknown>, limits?: Partial<EvalLimits>) => {
  const parsed = parseTemplate(src);
  expect(parsed.diagnostics).toEqual([]);
  return attempt(() => render(compileTemplate(parsed.ast), varsFromJson({ inputs: json }, {}, limits), limits));
};

/** A value whose expanded size doubles per level while building it costs O(1) per level. */
const doubled = (levels: number, seed = 'inputs.s') => `[${seed}]${'.map(a, [a, a])'.repeat(levels)}`;

const LIMIT = /^(SDL4210)$/;
// Generous for a loaded machine (these take well under a second idle); unbounded, each attack ran 2.6 s to over 60 s.
const FAST_MS = 5000;

describe('attacks on the evaluation budget end with SDL4210, fast', () => {
  const small: Partial<EvalLimits> = { maxSteps: 100_000 };

  it('equality on shared structures (2^40 leaves) is charged per element compared', () => {
    const r = evalText(`${doubled(40)} == ${doubled(40, '(inputs.s + "")')}`, { s: 'x'.repeat(2000) }, small);
    expect(r).toMatchObject({ code: expect.stringMatching(LIMIT) });
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it('`in` over a large list inside a macro is charged per element compared', () => {
    const list = Array.from({ length: 20_000 }, (_, i) => i);
    const r = evalText('inputs.l.exists(x, (x + 100000) in inputs.l) || true', { l: list }, small);
    expect(r).toMatchObject({ code: expect.stringMatching(LIMIT), message: expect.stringContaining('steps') });
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it('`matches` inside a macro is charged for the matcher\'s work', () => {
    const r = evalText("inputs.l.all(x, !inputs.s.matches('(a|b)*c(a|b)*d'))", { l: Array.from({ length: 1000 }, (_, i) => i), s: 'ab'.repeat(20_000) }, small);
    expect(r).toMatchObject({ code: expect.stringMatching(LIMIT) });
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it('a pattern held in a variable is charged too', () => {
    const r = evalText('inputs.l.all(x, !inputs.s.matches(inputs.p))', { l: Array.from({ length: 1000 }, (_, i) => i), s: 'ab'.repeat(20_000), p: '(a|b)*c' }, small);
    expect(r).toMatchObject({ code: expect.stringMatching(LIMIT) });
  });

  it.each([
    ['contains', 'inputs.l.all(x, !inputs.s.contains("zz"))'],
    ['size', 'inputs.l.all(x, size(inputs.s) > 0)'],
    ['string ==', 'inputs.l.all(x, inputs.s != inputs.t)'],
    ['string <', 'inputs.l.all(x, inputs.s <= inputs.t)'],
    ['lowerAscii', 'inputs.l.all(x, inputs.s.lowerAscii() != "")'],
    ['bytes(string)', 'inputs.l.all(x, size(bytes(inputs.s)) > 0)'],
    ['split', 'inputs.l.all(x, size(inputs.s.split("b")) > 0)'],
    ['join', 'inputs.l.all(x, inputs.parts.join(",") != "")'],
    ['list +', 'inputs.l.all(x, size(inputs.parts + inputs.parts) > 0)'],
  ])('string and list work in a macro is charged (%s)', (_name, src) => {
    const s = 'a'.repeat(64 * 1024);
    const r = evalText(src, { l: Array.from({ length: 5000 }, (_, i) => i), s, t: `${s.slice(1)}b`, parts: Array.from({ length: 2000 }, () => 'p') }, { maxSteps: 50_000 });
    expect(r).toMatchObject({ code: expect.stringMatching(LIMIT), message: expect.stringContaining('steps') });
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it('a map\'s keys iterated by a short-circuiting macro are charged', () => {
    const m = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    const r = evalText('inputs.l.all(x, inputs.m.exists(k, true))', { l: Array.from({ length: 20_000 }, (_, i) => i), m }, small);
    expect(r).toMatchObject({ code: expect.stringMatching(LIMIT) });
  });
});

describe('output size is checked before the output is built', () => {
  it('a template inserting a value of 2^40 × 4 KB stops at the text limit, not at the host\'s heap', () => {
    const r = renderTpl(`{{ ${doubled(40)} }}`, { s: 'x'.repeat(4096) });
    expect(r).toMatchObject({ code: 'SDL4210' });
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it('a template inserting a list of a 4 MB input string fails cleanly, before quoting it', () => {
    const big = 'y'.repeat(4 * 1024 * 1024 - 1); // fits the string limit; quoted, it does not
    const r = renderTpl('{{ [inputs.s] }}', { s: big });
    expect(r).toMatchObject({ code: 'SDL4210', message: expect.stringContaining('rendered text exceeds') });
    expect(renderTpl('{{ inputs.s }}', { s: big })).toMatchObject({ value: big }); // the string itself fits
  });

  it('the JSON of a result sharing structure stops at the limits (evaluateJson, evaluateJsonText)', () => {
    const vars = varsFromJson({ inputs: { s: 'z'.repeat(100) } });
    const limits = { maxSteps: 100_000 };
    for (const run of [() => evaluateJson(compiled(doubled(40)), vars, limits), () => evaluateJsonText(compiled(doubled(40)), vars, limits)]) {
      const r = attempt(run);
      expect(r).toMatchObject({ code: 'SDL4210' });
      expect(r.ms).toBeLessThan(FAST_MS);
    }
    // reported over the whole expression (its result is what could not be converted)
    const src = `${doubled(12)}`;
    try {
      evaluateJsonText(compiled(src), vars, { maxSteps: 1000 });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'SDL4210', start: 0, end: src.length });
    }
  });

  it('split and replace refuse results over the limits before building them', () => {
    expect(evalText('inputs.s.split(",")', { s: ','.repeat(200_000) })).toMatchObject({ code: 'SDL4210', message: expect.stringContaining('split produces more than') });
    expect(evalText('inputs.s.split("")', { s: 'a'.repeat(200_000) })).toMatchObject({ code: 'SDL4210' });
    expect(evalText('inputs.s.replace("a", inputs.s)', { s: 'a'.repeat(4096) })).toMatchObject({ code: 'SDL4210', message: expect.stringContaining('replace result exceeds') });
    expect(evalText('inputs.s.replace("a", "$&$&")', { s: 'aa' })).toMatchObject({ value: '"$&$&$&$&"' });
  });

  it('small values still render and convert exactly as before', () => {
    expect(renderTpl('{{ [1, "a", {"k": [true, null]}] }}|{{ {"x": 18446744073709551615u} }}', {})).toMatchObject({ value: '[1,"a",{"k":[true,null]}]|{"x":18446744073709551615}' });
    expect(evalText('{"a": [1, 2.5, b"hi"], 3: -0.0}', {})).toMatchObject({ value: '{"a":[1,2.5,"aGk="],"3":-0}' });
    expect(attempt(() => evaluateJson(compiled('[1, {"k": "v"}]'), {}))).toMatchObject({ value: [1, { k: 'v' }] });
  });
});

describe('the host\'s interrupt (a run\'s deadline) stops an evaluation', () => {
  it('is asked every ~1000 steps, and true stops the evaluation with SDL4210', () => {
    let asked = 0;
    const interrupt = () => ++asked >= 5;
    const r = evalText('inputs.l.all(x, x >= 0)', { l: Array.from({ length: 50_000 }, (_, i) => i) }, undefined, { interrupt });
    expect(r).toMatchObject({ code: 'SDL4210', message: expect.stringContaining('evaluation stopped') });
    expect(asked).toBe(5);
  });

  it('is never asked by evaluations too small to need it, and false lets them finish', () => {
    let asked = 0;
    expect(evalText('[1, 2, 3].map(x, x * 2)', {}, undefined, { interrupt: () => (asked++, false) })).toMatchObject({ value: '[2,4,6]' });
    expect(asked).toBe(0);
    const r = evalText('inputs.l.all(x, x >= 0)', { l: Array.from({ length: 10_000 }, (_, i) => i) }, undefined, { interrupt: () => (asked++, false) });
    expect(r).toMatchObject({ value: 'true' });
    expect(asked).toBeGreaterThan(5);
  });

  it('is not absorbed by || or a macro', () => {
    const r = evalText('true || inputs.l.exists(x, x < 0) || inputs.l.all(x, x >= 0)', { l: Array.from({ length: 10_000 }, (_, i) => i) }, undefined, { interrupt: () => true });
    expect(r).toMatchObject({ value: 'true' }); // short-circuit: nothing ran
    const r2 = evalText('inputs.l.exists(x, x < 0) || true', { l: Array.from({ length: 10_000 }, (_, i) => i) }, undefined, { interrupt: () => true });
    expect(r2).toMatchObject({ code: 'SDL4210' });
  });
});

describe('any combination of the attack building blocks ends in a value or an EvalError, within the budget (property)', () => {
  const blocks = fc.constantFrom(
    doubled(30), 'inputs.l', 'inputs.s', '[inputs.s, inputs.s]', 'inputs.l.map(x, inputs.l)', 'inputs.l.filter(x, inputs.s.matches("(a|b)*c"))',
    'inputs.l.map(x, x in inputs.l)', 'inputs.s.split("")', 'inputs.s + inputs.s', '{"k": inputs.l}', 'inputs.l.map(x, inputs.s.contains("q"))',
  );
  const combine = fc.constantFrom('==', '!=', 'in', '+');
  it('holds', () => {
    fc.assert(
      fc.property(blocks, combine, blocks, fc.boolean(), (a, op, b, asTemplate) => {
        const json = { l: Array.from({ length: 300 }, (_, i) => i), s: 'ab'.repeat(3000) };
        const limits = { maxSteps: 20_000, maxStringLength: 100_000 };
        const src = `(${a}) ${op} (${b})`;
        const r = asTemplate ? renderTpl(`{{ ${src} }}`, json, limits) : evalText(src, json, limits);
        if ('code' in r) expect(r.code).toMatch(/^SDL42\d\d$/);
        expect(r.ms).toBeLessThan(FAST_MS);
      }),
      { numRuns: 150, seed: 15 },
    );
  });
});

describe('the work of an attack is what its step limit allows, no more', () => {
  it('the in-list attack asks the interrupt maxSteps / 1024 times before it stops (work is counted, not estimated)', () => {
    const vars = varsFromJson({ inputs: { l: Array.from({ length: 50_000 }, (_, i) => i) } });
    const c = compiled('inputs.l.exists(x, (x + 100000) in inputs.l) || true');
    for (const maxSteps of [100_000, 200_000, 400_000]) {
      let asked = 0;
      expect(() => evaluate(c, vars, { maxSteps }, { interrupt: () => (asked++, false) })).toThrow(EvalError);
      expect(asked).toBeGreaterThanOrEqual(Math.floor(maxSteps / 1024) - 1);
      expect(asked).toBeLessThanOrEqual(Math.ceil(maxSteps / 1024));
    }
    expect(ExprCode.LimitExceeded).toBe('SDL4210');
  });
});
