/**
 * Compile benchmark: generates 1,000 realistic skill files that depend on each other through
 * `uses:` (chains and diamonds in groups of ten), then measures in the same process:
 *   (a) bare `yaml.parseDocument` of the texts (the floor: parsing with positions);
 *   (b) the front end on each file (decode → parse → schema → semantic checks → expressions);
 *   (c) the full compile, in memory: `buildProject` (reads, front end, dependency resolution,
 *       cross-skill expression checking, IR emission, one IR file text per skill holding its whole
 *       dependency closure), and the same with `verifyIr` (`--verify-ir`: every emitted skill and
 *       file also checked against schemas/ir.schema.json);
 *   (d) the whole `skillc compile <dir> --out <tmp>` command (adds the writes and sdl.lock);
 *   (e) the incremental recompile `--watch` runs after one leaf skill changes (`ProjectBuilder`).
 * Prints medians of several rounds and the ratios to (a).
 *
 *   npm run build && node --expose-gc --import tsx bench/compile/run.ts [--files 1000] [--rounds 7]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
// The built packages (dist/), as `skillc` runs them: run `npm run build` first.
import { buildProject, checkBytes, ProjectBuilder, serializeIr } from '@sdl/compiler';
import { main } from '@sdl/cli';
import { generateSkill } from './generate.js';

const { values } = parseArgs({ options: { files: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '7' } } });
const FILES = Number(values.files);
const ROUNDS = Number(values.rounds);

const dir = fileURLToPath(new URL('./generated/', import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
// Its own project root, so ids are `skill-NNNN.skill.yaml` and sdl.lock lands in generated/.
writeFileSync(`${dir}package.json`, '{ "name": "bench-compile", "private": true }\n');
const name = (i: number) => `skill-${String(i).padStart(4, '0')}.skill.yaml`;
for (let i = 0; i < FILES; i++) writeFileSync(dir + name(i), generateSkill(i));
// Read once: the baseline and the front end work on the same in-memory bytes.
const files = readdirSync(dir).filter((f) => f.endsWith('.skill.yaml')).sort().map((f) => ({ name: f, bytes: readFileSync(dir + f) }));
const texts = files.map((f) => f.bytes.toString('utf8'));
const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0);

function baseline(): number {
  let nodes = 0;
  for (const text of texts) nodes += parseDocument(text).contents ? 1 : 0;
  return nodes;
}

function frontEnd(): number {
  let ok = 0;
  for (const f of files) {
    const result = checkBytes(f.bytes, f.name);
    if (result.diagnostics.length > 0) throw new Error(`${f.name}: ${JSON.stringify(result.diagnostics[0])}`);
    serializeIr(result.skill);
    ok++;
  }
  return ok;
}

let outputBytes = 0;
let addressedBytes = 0;
function full(options: { verifyIr?: boolean } = {}): number {
  const result = buildProject(['.'], { cwd: dir, ...options });
  if (result.diagnostics.length > 0) throw new Error(`full compile: ${JSON.stringify(result.diagnostics[0])}`);
  if (result.outputs.length !== FILES) throw new Error(`expected ${FILES} outputs, got ${result.outputs.length}`);
  if (result.stats.parsed !== FILES || result.stats.resolverParses !== 0) throw new Error(`each file should be parsed once: ${JSON.stringify(result.stats)}`);
  // Every output's text is touched (its length), none is parsed back: that is not the compile's work.
  outputBytes = result.outputs.reduce((n, o) => n + o.text.length, 0);
  // The default (content-addressed) output: the referencing bundles and each skill object once.
  const objects = new Map<string, number>();
  for (const o of result.outputs) for (const { hash, text } of o.objects) objects.set(hash, text.length + 1);
  addressedBytes = result.outputs.reduce((n, o) => n + o.referencingText.length, 0) + [...objects.values()].reduce((n, b) => n + b, 0);
  return result.outputs.length;
}

/** Skill copies in all bundles (parses the outputs back; outside the timed rounds). */
function bundledSkills(): number {
  const result = buildProject(['.'], { cwd: dir });
  return result.outputs.reduce((n, o) => n + Object.keys(o.document.skills).length, 0);
}

const outDir = `${tmpdir()}/sdl-bench-compile-${process.pid}`;
const quiet = { write: () => true };
async function cli(): Promise<number> {
  collect();
  const start = process.hrtime.bigint();
  const code = await main(['compile', dir, '--out', outDir], { stdout: quiet, stderr: quiet, cwd: process.cwd(), env: {} });
  if (code !== 0) throw new Error(`skillc compile exited ${code}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// With --expose-gc, every timed phase starts from a collected heap, so no phase pays for the garbage
// of the one before it (the order of phases would otherwise show in the figures).
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
function time(fn: () => unknown, fresh = true): number {
  if (fresh) collect();
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// Warm-up (JIT, ajv compiles) is excluded from the timed rounds but reported.
const coldFullMs = time(() => full());
time(baseline);
time(frontEnd);
await cli();
const base: number[] = [];
const front: number[] = [];
const whole: number[] = [];
const verified: number[] = [];
const cmd: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  base.push(time(baseline));
  front.push(time(frontEnd));
  whole.push(time(() => full()));
  verified.push(time(() => full({ verifyIr: true })));
  cmd.push(await cli());
}

// Incremental: the watch path. A leaf that starts a group (used directly or through the chain by the
// other nine skills of its group) changes; the watcher tells the builder; the builder rebuilds.
const leafIndex = Math.min(FILES - 10, 500) - (Math.min(FILES - 10, 500) % 10);
const leaf = dir + name(leafIndex);
const leafText = readFileSync(leaf, 'utf8');
const builder = new ProjectBuilder(['.'], { cwd: dir, watch: true });
builder.build();
const incremental: number[] = [];
const incrementalCpu: number[] = [];
let lastStats = '';
for (let r = 0; r < Math.max(ROUNDS * 8, 40); r++) {
  writeFileSync(leaf, leafText.replace('description: ', `description: Revision ${r}. `));
  builder.invalidate([leaf]);
  let changed = 0;
  const cpu = process.cpuUsage();
  incremental.push(
    // No collection here: a watch session rebuilds on the heap it has.
    time(() => {
      const result = builder.build();
      if (result.diagnostics.length > 0) throw new Error(JSON.stringify(result.diagnostics[0]));
      changed = result.outputs.filter((o) => o.changed).length;
      lastStats = `${JSON.stringify(result.stats)}, ${changed} of ${result.outputs.length} bundles rewritten`;
    }, false),
  );
  const used = process.cpuUsage(cpu);
  incrementalCpu.push((used.user + used.system) / 1000);
}
writeFileSync(leaf, leafText);
rmSync(outDir, { recursive: true, force: true });

const mb = median(base);
const mf = median(front);
const mw = median(whole);
// The goal figure: each round's full compile over the same round's parseDocument, median over rounds.
const pairedRatio = median(whole.map((w, i) => w / base[i]!));
const pairedRatioVerified = median(verified.map((w, i) => w / base[i]!));
const mv = median(verified);
const mc = median(cmd);
const mi = median(incremental);
const fps = (ms: number) => Math.round((FILES / ms) * 1000);
console.log(`compile benchmark: ${FILES} files (uses: chains and diamonds, groups of 10), ${(totalBytes / 1024).toFixed(0)} KiB, ${ROUNDS} rounds, Node ${process.version}${(globalThis as { gc?: unknown }).gc ? ', heap collected before each timed phase' : ' (run with node --expose-gc to collect the heap before each timed phase)'}`);
console.log(`  yaml.parseDocument (baseline)        median ${mb.toFixed(1)} ms  ${fps(mb)} files/s`);
console.log(`  front end (incl. expressions)        median ${mf.toFixed(1)} ms  ${fps(mf)} files/s  ratio ${(mf / mb).toFixed(2)}x`);
console.log(`  full compile in memory (IR bundles)  median ${mw.toFixed(1)} ms  ${fps(mw)} files/s  ratio ${(mw / mb).toFixed(2)}x, paired per round ${pairedRatio.toFixed(2)}x  (goal <= 2x)`);
console.log(`  ... with --verify-ir (IR self-check)  median ${mv.toFixed(1)} ms  ${fps(mv)} files/s  ratio ${(mv / mb).toFixed(2)}x, paired per round ${pairedRatioVerified.toFixed(2)}x`);
console.log(`  skillc compile command (with writes) median ${mc.toFixed(1)} ms  ${fps(mc)} files/s  ratio ${(mc / mb).toFixed(2)}x`);
console.log(`  recompile after touching one leaf    median ${mi.toFixed(2)} ms wall, ${median(incrementalCpu).toFixed(2)} ms CPU  (goal < 50 ms; ${incremental.length} rounds; last: ${lastStats})`);
console.log(`  per round (ms): parseDocument ${base.map((x) => x.toFixed(0)).join(' ')}; full ${whole.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`  load average during the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`);
console.log(`  bundles hold ${bundledSkills()} skill copies in all, ${(outputBytes / 1048576).toFixed(1)} MiB of IR with --standalone; first (cold) full compile ${coldFullMs.toFixed(1)} ms`);
console.log(`  content-addressed output (the default): ${(addressedBytes / 1048576).toFixed(2)} MiB = ${(addressedBytes / totalBytes).toFixed(2)}x the YAML bytes (goal <= 5x); standalone ${(outputBytes / totalBytes).toFixed(1)}x`);
