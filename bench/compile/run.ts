/**
 * Compile benchmark: generates 1,000 realistic skill files, then measures in the same process
 * (a) bare `yaml.parseDocument` of the texts (the floor: parsing with positions) and (b) the
 * front end `skillc compile` runs on each file (decode → parse → schema → semantic checks →
 * normalize → canonical JSON). Prints medians of several rounds, files/s and the ratio.
 *
 *   npx tsx bench/compile/run.ts [--files 1000] [--rounds 7]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import { checkBytes } from '../../packages/compiler/src/index.js';
import { canonicalJson } from '../../packages/cli/src/commands/compile.js';
import { main } from '../../packages/cli/src/main.js';
import { tmpdir } from 'node:os';
import { generateSkill } from './generate.js';

const { values } = parseArgs({ options: { files: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' } } });
const FILES = Number(values.files);
const ROUNDS = Number(values.rounds);

const dir = fileURLToPath(new URL('./generated/', import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
for (let i = 0; i < FILES; i++) writeFileSync(`${dir}skill-${String(i).padStart(4, '0')}.skill.yaml`, generateSkill(i));
// Read once: both sides work on the same in-memory bytes, so disk speed is not measured.
const files = readdirSync(dir).sort().map((f) => ({ name: f, bytes: readFileSync(dir + f) }));
const texts = files.map((f) => f.bytes.toString('utf8'));
const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0);

function baseline(): number {
  let nodes = 0;
  for (const text of texts) nodes += parseDocument(text).contents ? 1 : 0;
  return nodes;
}

function compile(): number {
  let ok = 0;
  for (const f of files) {
    const result = checkBytes(f.bytes, f.name);
    if (result.diagnostics.length > 0) throw new Error(`${f.name}: ${JSON.stringify(result.diagnostics[0])}`);
    canonicalJson(result.skill);
    ok++;
  }
  return ok;
}

// The whole command as a user runs it: directory walk, reads, checks, atomic writes of every output.
const outDir = `${tmpdir()}/sdl-bench-compile-${process.pid}`;
const quiet = { write: () => true };
async function cli(): Promise<number> {
  const start = process.hrtime.bigint();
  const code = await main(['compile', dir, '--out', outDir], { stdout: quiet, stderr: quiet, cwd: process.cwd(), env: {} });
  if (code !== 0) throw new Error(`skillc compile exited ${code}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => number): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// Warm-up (JIT, ajv compile) is excluded from the timed rounds but reported.
const firstCompileMs = time(compile);
time(baseline);
await cli();
const base: number[] = [];
const ours: number[] = [];
const whole: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  base.push(time(baseline));
  ours.push(time(compile));
  whole.push(await cli());
}
rmSync(outDir, { recursive: true, force: true });
const mb = median(base);
const mo = median(ours);
const mw = median(whole);
const fps = (ms: number) => Math.round((FILES / ms) * 1000);
console.log(`compile benchmark: ${FILES} files, ${(totalBytes / 1024).toFixed(0)} KiB, ${ROUNDS} rounds, Node ${process.version}`);
console.log(`  yaml.parseDocument (baseline)  median ${mb.toFixed(1)} ms  ${fps(mb)} files/s`);
console.log(`  skillc compile front end       median ${mo.toFixed(1)} ms  ${fps(mo)} files/s`);
console.log(`  skillc compile CLI (with I/O)   median ${mw.toFixed(1)} ms  ${fps(mw)} files/s`);
console.log(`  ratio front end / parseDocument  ${(mo / mb).toFixed(2)}x  (goal <= 2x)`);
console.log(`  ratio CLI       / parseDocument  ${(mw / mb).toFixed(2)}x`);
console.log(`  first (cold) compile round     ${firstCompileMs.toFixed(1)} ms`);
