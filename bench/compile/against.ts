/**
 * Before/after of the full compile: `buildProject` of this checkout against the same function of
 * another built checkout (e.g. main before a change), on the same 1,000 generated skills, in one
 * process, each round also timing bare `yaml.parseDocument` of the texts. The two compilers run in
 * alternating order per round; prints per round and the medians of the paired ratios to
 * parseDocument, CPU time (process.cpuUsage: the main thread and V8's GC helper threads, steadier
 * than wall time on a shared machine) and wall time, with their ranges and the load average.
 *
 *   npm run build && node --expose-gc --import tsx bench/compile/against.ts --other <checkout> [--files 1000] [--rounds 6]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import { buildProject } from '@sdl/compiler';
import { generateSkill } from './generate.js';
import { median } from '../runtime/stats.js';

const { values } = parseArgs({ options: { other: { type: 'string' }, files: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '6' } } });
if (!values.other) throw new Error('--other <checkout> is required (a built checkout of the repository)');
// The other checkout's bundle, as this checkout's `@sdl/compiler` resolves to its own (what `skillc` runs).
const other = (await import(pathToFileURL(path.resolve(values.other, 'packages/compiler/dist/bundle/index.js')).href)) as { buildProject: typeof buildProject };
const FILES = Number(values.files);
const ROUNDS = Number(values.rounds);

const dir = path.join(tmpdir(), `sdl-bench-against-${process.pid}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'package.json'), '{ "name": "bench-against", "private": true }\n');
for (let i = 0; i < FILES; i++) writeFileSync(path.join(dir, `skill-${String(i).padStart(4, '0')}.skill.yaml`), generateSkill(i));
const texts = readdirSync(dir).filter((f) => f.endsWith('.skill.yaml')).sort().map((f) => readFileSync(path.join(dir, f), 'utf8'));

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
function measure(fn: () => void): { cpu: number; wall: number } {
  collect();
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / 1000, wall };
}
const compile = (build: typeof buildProject) => () => {
  const result = build(['.'], { cwd: dir });
  if (result.diagnostics.length > 0 || result.outputs.length !== FILES) throw new Error(`compile failed: ${JSON.stringify(result.diagnostics[0])}`);
};
const summary = (xs: number[]) => `${median(xs).toFixed(2)}x (range ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;

const loadBefore = loadavg();
compile(buildProject)();
compile(other.buildProject)();
const ratios = { thisCpu: [] as number[], otherCpu: [] as number[], thisWall: [] as number[], otherWall: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  const base = measure(() => {
    for (const text of texts) parseDocument(text);
  });
  const first = r % 2 === 0 ? buildProject : other.buildProject;
  const a = measure(compile(first));
  const b = measure(compile(first === buildProject ? other.buildProject : buildProject));
  const [mine, theirs] = first === buildProject ? [a, b] : [b, a];
  ratios.thisCpu.push(mine.cpu / base.cpu);
  ratios.otherCpu.push(theirs.cpu / base.cpu);
  ratios.thisWall.push(mine.wall / base.wall);
  ratios.otherWall.push(theirs.wall / base.wall);
  console.log(`round ${r + 1}: CPU ms parseDocument ${base.cpu.toFixed(0)}, this ${mine.cpu.toFixed(0)}, other ${theirs.cpu.toFixed(0)}; wall ms ${base.wall.toFixed(0)}, ${mine.wall.toFixed(0)}, ${theirs.wall.toFixed(0)}`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`full compile of ${FILES} files over parseDocument, paired per round, ${ROUNDS} rounds, Node ${process.version}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after`);
console.log(`  this checkout:  CPU ${summary(ratios.thisCpu)}, wall ${summary(ratios.thisWall)}`);
console.log(`  ${values.other}:  CPU ${summary(ratios.otherCpu)}, wall ${summary(ratios.otherWall)}`);
console.log(`  this / other, CPU paired per round: ${summary(ratios.thisCpu.map((x, i) => x / ratios.otherCpu[i]!))}`);
