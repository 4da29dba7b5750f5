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
 *   (e) the incremental recompile `--watch` runs after one leaf skill changes (`ProjectBuilder`);
 * and then, as whole processes (`--process-rounds`, alternating per round):
 *   (f) `node packages/cli/bin/skillc.js compile <dir> --out <tmp>` against a floor process
 *       (floor.mjs) that reads the same files and `parseDocument`s them, the command both over the
 *       last run's output (a recompile) and into a new directory: wall time from spawn to exit
 *       here, CPU time and peak RSS from each child's own `process.resourceUsage()`.
 * Prints medians of several rounds, the ratios to (a) paired per round (median and range), the
 * share of the full compile spent in GC, and the load average. `--rounds 0` skips (a)–(e).
 *
 *   npm run build && node --expose-gc --import tsx bench/compile/run.ts [--files 1000] [--rounds 7] [--process-rounds 5]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
// The built packages (dist/), as `skillc` runs them: run `npm run build` first.
import { buildProject, checkBytes, ProjectBuilder, serializeIr } from '@sdl/compiler';
import { main } from '@sdl/cli';
import { skillFileName, writeProject } from './generate.js';
import { median } from '../runtime/stats.js';
import { REPORT_USAGE_IMPORT, runChild as runNode, type ProcessRun } from '../shared/run-child.js';

const { values } = parseArgs({ options: { files: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '7' }, 'process-rounds': { type: 'string', default: '5' } } });
const FILES = Number(values.files);
const ROUNDS = Number(values.rounds);
const PROCESS_ROUNDS = Number(values['process-rounds']);
const loadBefore = loadavg();

const dir = fileURLToPath(new URL('./generated/', import.meta.url));
writeProject(dir, FILES);
const name = skillFileName;
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

const spread = (xs: number[], digits = 2) => `range ${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const paired = (xs: number[], ys: number[]) => xs.map((x, i) => x / ys[i]!);
// With --expose-gc, every timed phase starts from a collected heap, so no phase pays for the garbage
// of the one before it (the order of phases would otherwise show in the figures).
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
// GC pauses by start time, to tell how much of a timed phase was spent collecting.
const gcPauses: { start: number; duration: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push({ start: entry.startTime, duration: entry.duration });
});
gcObserver.observe({ entryTypes: ['gc'] });
const phases = new Map<string, { start: number; end: number; cpuMs: number }[]>();
function time(fn: () => unknown, fresh = true, phase?: string): number {
  if (fresh) collect();
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const end = performance.now();
  const used = process.cpuUsage(cpu);
  // CPU time of the process (the main thread and V8's GC helper threads): on a shared machine it
  // moves less with the load than wall time does.
  if (phase) phases.set(phase, [...(phases.get(phase) ?? []), { start, end, cpuMs: (used.user + used.system) / 1000 }]);
  return end - start;
}
const cpuOf = (phase: string) => (phases.get(phase) ?? []).map((p) => p.cpuMs);
/** Share of the timed runs of `phase` spent in GC pauses (read once the observer has delivered them). */
function gcShare(phase: string): number[] {
  return (phases.get(phase) ?? []).map(({ start, end }) => gcPauses.filter((g) => g.start >= start && g.start < end).reduce((n, g) => n + g.duration, 0) / (end - start));
}
const percent = (xs: number[]) => `${(median(xs) * 100).toFixed(0)} % (${Math.round(Math.min(...xs) * 100)}–${Math.round(Math.max(...xs) * 100)} %)`;
const fps = (ms: number) => Math.round((FILES / ms) * 1000);

console.log(`compile benchmark: ${FILES} files (uses: chains and diamonds, groups of 10), ${(totalBytes / 1024).toFixed(0)} KiB, ${ROUNDS} in-process rounds, ${PROCESS_ROUNDS} process rounds, Node ${process.version}${(globalThis as { gc?: unknown }).gc ? ', heap collected before each timed phase' : ' (run with node --expose-gc to collect the heap before each timed phase)'}`);
console.log(`  load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`);

if (ROUNDS > 0) {
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
    base.push(time(baseline, true, 'baseline'));
    front.push(time(frontEnd, true, 'front'));
    whole.push(time(() => full(), true, 'full'));
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
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the GC observer deliver

  const mb = median(base);
  const mf = median(front);
  const mw = median(whole);
  // The goal figure: each round's full compile over the same round's parseDocument, median over rounds.
  const wholeRatios = paired(whole, base);
  const verifiedRatios = paired(verified, base);
  const mv = median(verified);
  const mc = median(cmd);
  const mi = median(incremental);
  console.log(`  yaml.parseDocument (baseline)        median ${mb.toFixed(1)} ms  ${fps(mb)} files/s  (GC ${percent(gcShare('baseline'))} of it)`);
  const cpuRatio = (phase: string) => paired(cpuOf(phase), cpuOf('baseline'));
  console.log(`  front end (incl. expressions)        median ${mf.toFixed(1)} ms  ${fps(mf)} files/s  paired per round ${median(paired(front, base)).toFixed(2)}x (${spread(paired(front, base))}); CPU ${median(cpuRatio('front')).toFixed(2)}x (${spread(cpuRatio('front'))})`);
  console.log(`  full compile in memory (IR bundles)  median ${mw.toFixed(1)} ms  ${fps(mw)} files/s  paired per round ${median(wholeRatios).toFixed(2)}x (${spread(wholeRatios)}); goal <= 1.5x; GC ${percent(gcShare('full'))} of it`);
  console.log(`    same, CPU time paired per round    ${median(cpuRatio('full')).toFixed(2)}x (${spread(cpuRatio('full'))}); CPU medians ${median(cpuOf('full')).toFixed(0)} ms vs parseDocument ${median(cpuOf('baseline')).toFixed(0)} ms`);
  console.log(`  ... with --verify-ir (IR self-check)  median ${mv.toFixed(1)} ms  ${fps(mv)} files/s  paired per round ${median(verifiedRatios).toFixed(2)}x (${spread(verifiedRatios)})`);
  console.log(`  skillc compile in process (writes)   median ${mc.toFixed(1)} ms  ${fps(mc)} files/s  paired per round ${median(paired(cmd, base)).toFixed(2)}x (${spread(paired(cmd, base))})`);
  console.log(`  recompile after touching one leaf    median ${mi.toFixed(2)} ms wall, ${median(incrementalCpu).toFixed(2)} ms CPU  (goal < 50 ms; ${incremental.length} rounds; last: ${lastStats})`);
  console.log(`  per round (ms): parseDocument ${base.map((x) => x.toFixed(0)).join(' ')}; full ${whole.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`  bundles hold ${bundledSkills()} skill copies in all, ${(outputBytes / 1048576).toFixed(1)} MiB of IR with --standalone; first (cold) full compile ${coldFullMs.toFixed(1)} ms`);
  console.log(`  content-addressed output (the default): ${(addressedBytes / 1048576).toFixed(2)} MiB = ${(addressedBytes / totalBytes).toFixed(2)}x the YAML bytes (goal <= 5x); standalone ${(outputBytes / totalBytes).toFixed(1)}x`);
  console.log(`  load average after the in-process rounds: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
gcObserver.disconnect();

// Whole processes: `skillc compile` against the read + parse floor, alternating which goes first.
const repo = fileURLToPath(new URL('../../', import.meta.url));
// Each child prints its resource usage as the last line of its output when it exits (the same for both).
const runChild = (args: string[]): Promise<ProcessRun> => runNode(['--import', REPORT_USAGE_IMPORT, ...args], repo);
if (PROCESS_ROUNDS > 0) {
  const processOut = `${tmpdir()}/sdl-bench-compile-process-${process.pid}`;
  type Contender = 'floor' | 'skillc' | 'fresh';
  const contenders: Record<Contender, string[]> = {
    floor: [fileURLToPath(new URL('./floor.mjs', import.meta.url)), dir],
    // The output directory holds the last run's output (a recompile: unchanged bundles are only touched).
    skillc: [`${repo}packages/cli/bin/skillc.js`, 'compile', dir, '--out', processOut],
    // Into a directory removed before the run (outside the timing): every file is created.
    fresh: [`${repo}packages/cli/bin/skillc.js`, 'compile', dir, '--out', `${processOut}-fresh`],
  };
  const runs: Record<Contender, ProcessRun[]> = { floor: [], skillc: [], fresh: [] };
  const run = (which: Contender) => {
    if (which === 'fresh') rmSync(`${processOut}-fresh`, { recursive: true, force: true });
    return runChild(contenders[which]);
  };
  const loadStart = loadavg();
  // One warm-up round (file system cache, the output directory exists), not counted.
  for (const which of ['floor', 'skillc', 'fresh'] as const) await run(which);
  for (let r = 0; r < PROCESS_ROUNDS; r++) {
    const order = r % 2 === 0 ? (['floor', 'skillc', 'fresh'] as const) : (['fresh', 'skillc', 'floor'] as const);
    for (const which of order) runs[which].push(await run(which));
  }
  for (const out of [processOut, `${processOut}-fresh`]) rmSync(out, { recursive: true, force: true });
  const loadEnd = loadavg();
  const of = (which: Contender, k: Exclude<keyof ProcessRun, 'output'>) => runs[which].map((r) => r[k]);
  const wall = paired(of('skillc', 'wallMs'), of('floor', 'wallMs'));
  const cpu = paired(of('skillc', 'cpuMs'), of('floor', 'cpuMs'));
  const freshWall = paired(of('fresh', 'wallMs'), of('floor', 'wallMs'));
  const freshCpu = paired(of('fresh', 'cpuMs'), of('floor', 'cpuMs'));
  const row = (which: Contender, label: string) =>
    `  ${label} wall median ${median(of(which, 'wallMs')).toFixed(0)} ms (${spread(of(which, 'wallMs'), 0)}), CPU ${median(of(which, 'cpuMs')).toFixed(0)} ms, peak RSS ${median(of(which, 'maxRssMiB')).toFixed(0)} MiB`;
  console.log(`process rows, ${PROCESS_ROUNDS} rounds (+1 warm-up), each round both processes one after the other, order alternating; load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} before, ${loadEnd.map((l) => l.toFixed(2)).join(' ')} after`);
  console.log(row('floor', 'floor process (read + parseDocument)  '));
  console.log(row('skillc', 'skillc compile <dir> --out <tmp>       '));
  console.log(row('fresh', 'same, into a new directory each run    '));
  console.log(`  skillc compile / floor, paired per round: wall ${median(wall).toFixed(2)}x (${spread(wall)}), CPU ${median(cpu).toFixed(2)}x (${spread(cpu)}); goal <= 2x`);
  console.log(`  same into a new directory / floor:       wall ${median(freshWall).toFixed(2)}x (${spread(freshWall)}), CPU ${median(freshCpu).toFixed(2)}x (${spread(freshCpu)})`);
  console.log(`  per round wall (ms): floor ${of('floor', 'wallMs').map((x) => x.toFixed(0)).join(' ')}; skillc ${of('skillc', 'wallMs').map((x) => x.toFixed(0)).join(' ')}; new directory ${of('fresh', 'wallMs').map((x) => x.toFixed(0)).join(' ')}`);
}
