/**
 * Expression and template evaluation throughput: SDL vs @marcbachmann/cel-js and @bufbuild/cel,
 * all evaluating pre-parsed programs on the same data in the same run; templates vs an equivalent
 * hand-written string concatenation. Prints the median ops/s of several rounds and the ratio of
 * SDL to the fastest other implementation, first on pre-converted inputs, then with the conversion a
 * run pays counted (JSON in, converted per evaluation).
 *
 *   npx tsx bench/expr/run.ts [--rounds 9] [--ms 100]
 */
import { celEnv, parse as bufParse, plan as bufPlan } from '@bufbuild/cel';
import { parse as marcParse } from '@marcbachmann/cel-js';
import { compileExpression, compileTemplate, evaluate, fromJson, parseExpression, parseTemplate, render } from '../../packages/compiler/src/index.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROUNDS = opt('rounds', 9);
const ROUND_MS = opt('ms', 100);

// One input document; each implementation gets it in its own native representation.
const json = {
  count: 42,
  language: 'en',
  text: 'lorem ipsum '.repeat(20),
  a: 7, b: 5, c: 9,
  tags: ['news', 'urgent-review', 'draft', 'long'],
  items: Array.from({ length: 10 }, (_, i) => ({ name: `item${i}`, price: i * 3.5 })),
  parts: ['First part of the summary.', 'Second part.', 'Third and last part.'],
};
function withBigInts(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(withBigInts);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withBigInts(x)]));
  return v;
}
const sdlVars = { inputs: fromJson(json) };
// Both libraries take plain objects at run time; their binding types are narrower than JSON data.
const celVars = { inputs: withBigInts(json) as Record<string, unknown> } as never;

const EXPRESSIONS: [string, string][] = [
  ['when: comparison && equality', 'inputs.count > 10 && inputs.language == "en"'],
  ['arithmetic', '(inputs.a + inputs.b) * 2 - inputs.c / 3'],
  ['ternary + size', 'size(inputs.text) > 100 ? "long" : "short"'],
  ['exists + startsWith', 'inputs.tags.exists(t, t.startsWith("urgent"))'],
  ['filter + map over objects', 'inputs.items.filter(i, i.price > 10.0).map(i, i.name)'],
  ['string concatenation', '"Lang: " + inputs.language + ", tags: " + string(size(inputs.tags))'],
];

/**
 * Median ops/s of each function. Rounds alternate between the functions, so a noisy neighbour on a
 * shared machine slows every implementation alike instead of one of them.
 */
function measureAll(fns: (() => unknown)[]): number[] {
  for (const fn of fns) for (let i = 0; i < 2000; i++) fn(); // warm-up
  const rates: number[][] = fns.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    fns.forEach((fn, k) => {
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < ROUND_MS) {
        for (let i = 0; i < 100; i++) fn();
        n += 100;
        t = performance.now();
      }
      rates[k]!.push((n * 1000) / (t - t0));
    });
  }
  return rates.map((rs) => rs.sort((x, y) => x - y)[Math.floor(rs.length / 2)]!);
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);
const rows: string[][] = [];
const countedRows: string[][] = [];
const env = celEnv();
for (const [name, src] of EXPRESSIONS) {
  const parsed = parseExpression(src);
  if (!parsed.ast) throw new Error(`${name}: ${JSON.stringify(parsed.diagnostics)}`);
  const sdlProgram = compileExpression(parsed.ast);
  const marcProgram = marcParse(src);
  const bufProgram = bufPlan(env, bufParse(src));
  // Same answer from all three before timing anything.
  const answers = [evaluate(sdlProgram, sdlVars), marcProgram(celVars), bufProgram(celVars)].map((v) => String(v instanceof Object && Symbol.iterator in v ? [...(v as Iterable<unknown>)] : v));
  if (new Set(answers).size !== 1) throw new Error(`${name}: implementations disagree: ${answers.join(' | ')}`);
  const [sdl, marc, buf] = measureAll([() => evaluate(sdlProgram, sdlVars), () => marcProgram(celVars), () => bufProgram(celVars)]) as [number, number, number];
  rows.push([name, fmt(sdl), fmt(marc), fmt(buf), `${(sdl / Math.max(marc, buf)).toFixed(2)}x`]);

  // What a run pays: its input arrives as JSON, so each evaluation here includes bringing the input
  // in. SDL converts with fromJson (the runtime does it once per run and value). Each other library
  // gets the cheapest input that gives the same answer: the plain JSON object when that agrees, else
  // the JSON with integers as BigInt (their int type), converted per evaluation too.
  const plainVars = { inputs: json } as never;
  const agrees = (program: (vars: never) => unknown) => {
    try {
      return String(program(plainVars)) === String(program(celVars));
    } catch {
      return false;
    }
  };
  const marcInput = agrees(marcProgram as never) ? () => plainVars : () => ({ inputs: withBigInts(json) }) as never;
  const bufInput = agrees(bufProgram as never) ? () => plainVars : () => ({ inputs: withBigInts(json) }) as never;
  const [sdlRun, marcRun, bufRun] = measureAll([
    () => evaluate(sdlProgram, { inputs: fromJson(json) }),
    () => marcProgram(marcInput()),
    () => bufProgram(bufInput()),
  ]) as [number, number, number];
  countedRows.push([
    name,
    fmt(sdlRun),
    `${fmt(marcRun)}${marcInput() === plainVars ? '' : ' (BigInt)'}`,
    `${fmt(bufRun)}${bufInput() === plainVars ? '' : ' (BigInt)'}`,
    `${(sdlRun / Math.max(marcRun, bufRun)).toFixed(2)}x`,
  ]);
}

// Templates vs the same text built by hand with string concatenation.
const TEMPLATE = `Summarize in {{ inputs.language }}:
{{#each inputs.parts as p, i}}
{{ i + 1 }}. {{ p }}
{{/each}}
{{#if size(inputs.tags) > 2}}
Tags: {{ inputs.tags.join(", ") }}
{{/if}}
`;
function byHand(v: typeof json): string {
  let s = `Summarize in ${v.language}:\n`;
  for (let i = 0; i < v.parts.length; i++) s += `${i + 1}. ${v.parts[i]}\n`;
  if (v.tags.length > 2) s += `Tags: ${v.tags.join(', ')}\n`;
  return s;
}
const tparsed = parseTemplate(TEMPLATE);
if (tparsed.diagnostics.length > 0) throw new Error(JSON.stringify(tparsed.diagnostics));
const template = compileTemplate(tparsed.ast);
if (render(template, sdlVars) !== byHand(json)) throw new Error(`template output differs:\n${render(template, sdlVars)}\n---\n${byHand(json)}`);
const [tSdl, tHand] = measureAll([() => render(template, sdlVars), () => byHand(json)]) as [number, number];
const templateRow = ['template (each + if + join)', fmt(tSdl), fmt(tHand), `${(tSdl / tHand).toFixed(2)}x`];

const table = (head: string[], body: string[][]) => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
};
console.log(`expr benchmark: median of ${ROUNDS} rounds x ${ROUND_MS} ms, Node ${process.version}\n`);
console.log(table(['expression', 'SDL ops/s', '@marcbachmann/cel-js', '@bufbuild/cel', 'SDL / fastest other'], rows));
console.log();
console.log('per run, the input conversion counted (goal: SDL / fastest other >= 1x):');
console.log(table(['expression', 'SDL fromJson + eval', '@marcbachmann/cel-js', '@bufbuild/cel', 'SDL / fastest other'], countedRows));
console.log();
console.log(table(['template', 'SDL render ops/s', 'hand-written concatenation', 'SDL / baseline'], [templateRow]));
