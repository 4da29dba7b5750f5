/**
 * Expression and template evaluation throughput: SDL vs @marcbachmann/cel-js and @bufbuild/cel,
 * all evaluating pre-parsed programs on the same data in the same run; templates vs an equivalent
 * hand-written string concatenation. Prints the median ops/s of several rounds and the ratio of
 * SDL to the fastest other implementation paired per round (median and IQR of the per-round
 * ratios), first on pre-converted inputs, then with the conversion a run pays counted (JSON in,
 * brought in per evaluation), and the load average before and after.
 *
 *   npm run build && npx tsx bench/expr/run.ts [--rounds 9] [--ms 100]
 *
 * (The runtime-seam column goes through @sdl/runtime's load/cel.ts, which imports the built
 * `@sdl/compiler/eval`: build first.)
 */
import { loadavg } from 'node:os';
import { celEnv, parse as bufParse, plan as bufPlan } from '@bufbuild/cel';
import { parse as marcParse } from '@marcbachmann/cel-js';
import { compileExpression, compileTemplate, evaluate, fromJson, fromJsonLazy, parseExpression, parseTemplate, render } from '../../packages/compiler/src/index.js';
import { celExpressionFromAst } from '../../packages/runtime/src/load/cel.js';

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
 * Ops/s of each function in every round. Rounds alternate between the functions (starting with a
 * different one each round), so a noisy neighbour on a shared machine slows every implementation
 * alike instead of one of them, and ratios can be paired per round.
 */
function measureAll(fns: (() => unknown)[]): number[][] {
  for (const fn of fns) for (let i = 0; i < 2000; i++) fn(); // warm-up
  const rates: number[][] = fns.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < fns.length; j++) {
      const k = (j + r) % fns.length;
      const fn = fns[k]!;
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < ROUND_MS) {
        for (let i = 0; i < 100; i++) fn();
        n += 100;
        t = performance.now();
      }
      rates[k]!.push((n * 1000) / (t - t0));
    }
  }
  return rates;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.round(q * (s.length - 1))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);
/** `mine / fastest of others` per round: median and IQR, as `1.23x (1.10-1.31)`. */
function pairedRatio(mine: number[], others: number[][]): string {
  const ratios = mine.map((x, r) => x / Math.max(...others.map((o) => o[r]!)));
  return `${median(ratios).toFixed(2)}x (${quantile(ratios, 0.25).toFixed(2)}-${quantile(ratios, 0.75).toFixed(2)})`;
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);
const loadBefore = loadavg();
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
  const [sdl, marc, buf] = measureAll([() => evaluate(sdlProgram, sdlVars), () => marcProgram(celVars), () => bufProgram(celVars)]) as [number[], number[], number[]];
  rows.push([name, fmt(median(sdl)), fmt(median(marc)), fmt(median(buf)), pairedRatio(sdl, [marc, buf])]);

  // What a run pays: its input arrives as JSON, so each evaluation here includes bringing the input
  // in. SDL wraps it with fromJsonLazy (fields converted as the expression reads them), as the
  // runtime does once per run and value; the eager fromJson (whole tree) is shown for reference;
  // the runtime seam column is the runtime's own path (load/cel.ts: scope to CEL variables, lazy
  // wrap, evaluate, result to JSON) with a fresh scope per evaluation, so nothing is cached. Each
  // other library gets the cheapest input that gives the same answer: the plain JSON object when
  // that agrees, else the JSON with integers as BigInt (their int type), converted per evaluation too.
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
  const seam = celExpressionFromAst(src, parsed.ast, { file: 'bench', line: 1, column: 1 });
  const seamAnswer = seam.evaluate({ inputs: json, steps: {} });
  if (String(seamAnswer) !== answers[0]) throw new Error(`${name}: the runtime seam disagrees: ${String(seamAnswer)} | ${answers[0]}`);
  const [lazyRun, seamRun, eagerRun, marcRun, bufRun] = measureAll([
    () => evaluate(sdlProgram, { inputs: fromJsonLazy(json) }),
    () => seam.evaluate({ inputs: json, steps: {} }),
    () => evaluate(sdlProgram, { inputs: fromJson(json) }),
    () => marcProgram(marcInput()),
    () => bufProgram(bufInput()),
  ]) as [number[], number[], number[], number[], number[]];
  countedRows.push([
    name,
    fmt(median(lazyRun)),
    fmt(median(seamRun)),
    fmt(median(eagerRun)),
    `${fmt(median(marcRun))}${marcInput() === plainVars ? '' : ' (BigInt)'}`,
    `${fmt(median(bufRun))}${bufInput() === plainVars ? '' : ' (BigInt)'}`,
    pairedRatio(lazyRun, [marcRun, bufRun]),
    pairedRatio(seamRun, [marcRun, bufRun]),
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
const [tSdl, tHand] = measureAll([() => render(template, sdlVars), () => byHand(json)]) as [number[], number[]];
const templateRow = ['template (each + if + join)', fmt(median(tSdl)), fmt(median(tHand)), pairedRatio(tSdl, [tHand])];

const table = (head: string[], body: string[][]) => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
};
const loadAfter = loadavg();
console.log(`expr benchmark: median of ${ROUNDS} rounds x ${ROUND_MS} ms per contender, Node ${process.version}; ratios paired per round: median (IQR)`);
console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}\n`);
console.log(table(['expression', 'SDL ops/s', '@marcbachmann/cel-js', '@bufbuild/cel', 'SDL / fastest other'], rows));
console.log();
console.log('per run, the input conversion counted (goal: SDL / fastest other >= 1x):');
console.log(table(['expression', 'SDL fromJsonLazy + eval', 'SDL runtime seam', 'SDL fromJson (eager) + eval', '@marcbachmann/cel-js', '@bufbuild/cel', 'lazy / fastest other', 'seam / fastest other'], countedRows));
console.log();
console.log(table(['template', 'SDL render ops/s', 'hand-written concatenation', 'SDL / baseline'], [templateRow]));
