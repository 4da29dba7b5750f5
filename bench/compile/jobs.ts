/**
 * Would a `skillc compile --jobs N` pay on this machine? Compares, as whole processes (cold, as
 * `skillc` runs), the in-memory build of the benchmark's 1,000 skills on the main thread against the
 * same build split over N worker threads (jobs-build.mjs: each worker builds a contiguous share of
 * the files, cut at a multiple of ten, so no group of skills that use each other is split and no
 * file is parsed twice; each worker loads the compiler and warms up its own JIT). Nothing is
 * written. Both must produce the same outputs (a hash over every bundle text, in root order).
 * Paired per round, order alternating; wall from spawn to exit, CPU of all the process's threads.
 * This is an upper bound of what a pool would give: a real `--jobs` must also merge the results,
 * check what spans the shares (duplicate names, the lockfile) and keep the diagnostics exact.
 *
 *   npm run build && npx tsx bench/compile/jobs.ts [--files 1000] [--rounds 5] [--jobs 2,4]
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeProject } from './generate.js';
import { median } from '../runtime/stats.js';
import { REPORT_USAGE_IMPORT, runChild, type ProcessRun } from '../shared/run-child.js';

const { values } = parseArgs({ options: { files: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' }, jobs: { type: 'string', default: String(availableParallelism()) } } });
const FILES = Number(values.files);
const ROUNDS = Number(values.rounds);
const JOBS = values.jobs.split(',').map(Number);

const dir = fileURLToPath(new URL('./generated-jobs/', import.meta.url));
writeProject(dir, FILES);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('./jobs-build.mjs', import.meta.url));
const run = (jobs: number): Promise<ProcessRun> => runChild(['--import', REPORT_USAGE_IMPORT, child, dir, String(jobs)], repo);

const contenders = [0, ...JOBS];
const label = (jobs: number) => (jobs === 0 ? 'main thread' : `${jobs} workers`);
const runs = new Map<number, ProcessRun[]>(contenders.map((j) => [j, []]));
const loadStart = loadavg();
console.log(`compile jobs benchmark: ${FILES} files, ${ROUNDS} rounds (+1 warm-up), ${cpus().length} cores, Node ${process.version}; load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} before`);
for (let r = -1; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? contenders : [...contenders].reverse();
  for (const jobs of order) {
    const result = await run(jobs);
    if (r >= 0) runs.get(jobs)!.push(result);
  }
}
const loadEnd = loadavg();

// The same outputs from every contender: count and hash (the last field is the build's end time;
// the usage reporter runs in each worker too, so its lines come first).
const digest = (x: ProcessRun) => (x.output.split('\n').find((line) => / outputs /.test(line)) ?? '').split(' ').slice(0, 3).join(' ');
const expected = digest(runs.get(0)![0]!);
for (const [jobs, list] of runs) for (const x of list) if (digest(x) !== expected) throw new Error(`${label(jobs)} built other outputs: ${digest(x)} vs ${expected}`);

const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
const base = runs.get(0)!;
for (const jobs of contenders) {
  const list = runs.get(jobs)!;
  const wall = list.map((x) => x.wallMs);
  const cpu = list.map((x) => x.cpuMs);
  const ratio = (k: 'wallMs' | 'cpuMs') => list.map((x, i) => x[k] / base[i]![k]);
  const paired = jobs === 0 ? '' : `; over the main thread, paired: wall ${median(ratio('wallMs')).toFixed(2)}x (${spread(ratio('wallMs'))}), CPU ${median(ratio('cpuMs')).toFixed(2)}x (${spread(ratio('cpuMs'))})`;
  console.log(`  ${label(jobs).padEnd(12)} wall median ${median(wall).toFixed(0)} ms (${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)}), CPU ${median(cpu).toFixed(0)} ms, peak RSS ${median(list.map((x) => x.maxRssMiB)).toFixed(0)} MiB${paired}`);
}
console.log(`  outputs: ${expected.split(' ').slice(0, 2).join(' ')} from every contender; load average ${loadEnd.map((l) => l.toFixed(2)).join(' ')} after`);
