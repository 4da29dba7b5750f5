// The long fuzz run: N mutants of the repository's skill files (default 100,000) through the front
// end, each checked twice. Prints crashes, runs over the limit (CPU time of the first check), nondeterministic results and
// positions outside the file, with the time per file; failing inputs are written to --out.
//   npm run build && npx tsx bench/fuzz/run.ts [--files 100000] [--start 0] [--seed 1] [--limit-ms 1000] [--amplify 3000] [--out /tmp/fuzz-failures]
// (the harness imports @sdl/compiler, i.e. the built dist/)
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzOne, mutate, prng, seedCorpus, warmUp } from '../../test/support/skill-fuzz.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const files = Number(arg('files', '100000'));
const seed = Number(arg('seed', '1'));
const limitMs = Number(arg('limit-ms', '1000'));
const out = arg('out', '');
// A shard of the same sequence: files [start, start + files) (run shards in parallel on several cores).
const start = Number(arg('start', '0'));
const amplify = Number(arg('amplify', '3000'));

const root = fileURLToPath(new URL('../..', import.meta.url));
const corpus = seedCorpus(root.replace(/\/$/, ''));
const encoder = new TextEncoder();
const counts = { crash: 0, slow: 0, nondeterministic: 0, outside: 0 };
const times: number[] = [];
const cpuTimes: number[] = [];
warmUp(corpus);
// The baseline, measured in the same run: the unmutated seed files through the same check.
const seedCpu = corpus.map(({ text }) => fuzzOne(encoder.encode(text), Infinity).cpuMs).sort((a, b) => a - b);
const seedMedian = seedCpu[Math.floor(seedCpu.length / 2)]!;
let bytesTotal = 0;
const started = performance.now();
let done = 0;
let stopped = false;
// Ctrl-C or a kill prints the figures so far instead of losing the run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopped = true));
console.log(`fuzz: ${files} files (#${start}..#${start + files - 1}) from ${corpus.length} seeds, seed ${seed}, limit ${limitMs} ms, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (let i = start; i < start + files && !stopped; i++) {
  // One generator per file, so file i is replayed with `--seed <seed> ` alone.
  const rand = prng(seed * 1_000_003 + i);
  const base = corpus[Math.floor(rand() * corpus.length)]!;
  const text = mutate(base.text, rand, amplify);
  const bytes = encoder.encode(text);
  bytesTotal += bytes.length;
  const outcome = fuzzOne(bytes, limitMs);
  times.push(outcome.ms);
  cpuTimes.push(outcome.cpuMs);
  for (const p of outcome.problems) {
    counts[p.kind]++;
    console.log(`  #${i} (${base.name}) ${p.kind}: ${p.detail.slice(0, 300)}`);
    if (out) {
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, `${p.kind}-${seed}-${i}.fuzz`), bytes);
    }
  }
  done++;
  if (done % 1000 === 0) console.log(`  ${done} files, ${((performance.now() - started) / 1000).toFixed(0)} s, problems ${Object.values(counts).reduce((a, b) => a + b, 0)}`);
  // Let a pending signal be seen between files.
  if (done % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const q = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor(p * list.length))]!.toFixed(2);
const row = (list: number[]) => `median ${q(list, 0.5)}, p99 ${q(list, 0.99)}, p99.9 ${q(list, 0.999)}, max ${list[list.length - 1]!.toFixed(0)}`;
console.log(`files ${done}${stopped ? ` (stopped early of ${files})` : ''}, ${(bytesTotal / 1e6).toFixed(1)} MB, wall ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`crashes ${counts.crash}, over ${limitMs} ms CPU ${counts.slow}, nondeterministic ${counts.nondeterministic}, positions outside the file ${counts.outside}`);
console.log(`ms per file, CPU: ${row(cpuTimes)}`);
console.log(`baseline (the ${corpus.length} unmutated seeds): median ${seedMedian.toFixed(2)} ms CPU; mutants' median ${(Number(q(cpuTimes, 0.5)) / seedMedian).toFixed(2)}x, p99 ${(Number(q(cpuTimes, 0.99)) / seedMedian).toFixed(1)}x`);
console.log(`ms per file, wall: ${row(times)}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
process.exitCode = counts.crash + counts.slow + counts.nondeterministic + counts.outside > 0 ? 1 : 0;
