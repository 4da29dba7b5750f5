/**
 * Pools the per-round figures of several `run.ts --json` files (same contenders and concurrency):
 * each contender over every round of every run, paired per round against the bare SDK, with the
 * interquartile range, then issue 14's headline (the default chain's throughput against the bare
 * SDK and its CPU per call over the direct binding) pooled the same way and per run. One run's
 * per-round spread is wider than the gaps to the goals; pooling several runs is what decides them.
 *   npx tsx bench/runtime/pool.ts a.json b.json ...
 */
import { readFileSync } from 'node:fs';

interface Figures {
  p50: number;
  throughput: number;
  cpu: number;
}
interface Run {
  concurrency?: number;
  loadStart: number[];
  results: Record<string, { serial: Figures[]; concurrent: Figures[] }>;
}

const runs = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Run);
const BARE = 'bare SDK (messages.create)';
/** Per-round values of `f(name's figures, other's figures)` in one run, paired by round. */
function pairedIn(run: Run, mode: 'serial' | 'concurrent', name: string, other: string, f: (x: Figures, o: Figures) => number): number[] {
  return run.results[name]![mode].map((x, i) => f(x, run.results[other]![mode][i]!));
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = q * (s.length - 1);
  const lo = Math.floor(i);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo);
};
const show = (xs: number[], f: (x: number) => string) => `${f(quantile(xs, 0.5))} (IQR ${f(quantile(xs, 0.25))} .. ${f(quantile(xs, 0.75))}, ${xs.length} rounds)`;
const us = (ms: number) => `${ms >= 0 ? '+' : ''}${(ms * 1000).toFixed(0)} µs`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const DIRECT = 'runtime.run';
const CHAIN = 'runtime.run + default chain';
const concurrencies = [...new Set(runs.map((r) => r.concurrency ?? 16))];
if (concurrencies.length > 1) throw new Error(`runs at different concurrencies (${concurrencies.join(', ')}): pool each apart`);
const c = `c=${concurrencies[0]}`;
const names = Object.keys(runs[0]!.results).filter((n) => n !== BARE);
for (const name of names) {
  const paired = (mode: 'serial' | 'concurrent', f: (x: Figures, b: Figures) => number) => runs.flatMap((run) => pairedIn(run, mode, name, BARE, f));
  console.log(`${name}:`);
  console.log(`  serial p50 overhead   ${show(paired('serial', (x, b) => x.p50 - b.p50), us)}`);
  console.log(`  serial CPU overhead   ${show(paired('serial', (x, b) => x.cpu - b.cpu), us)}`);
  console.log(`  ${c.padEnd(5)} throughput      ${show(paired('concurrent', (x, b) => x.throughput / b.throughput), pct)}`);
  console.log(`  ${c.padEnd(5)} CPU overhead    ${show(paired('concurrent', (x, b) => x.cpu - b.cpu), us)}`);
}
if (runs.every((run) => run.results[CHAIN] && run.results[DIRECT])) {
  const throughput = (run: Run) => pairedIn(run, 'concurrent', CHAIN, BARE, (x, b) => x.throughput / b.throughput);
  const cpu = (run: Run) => pairedIn(run, 'concurrent', CHAIN, DIRECT, (x, d) => x.cpu - d.cpu);
  const pooledThroughput = runs.flatMap(throughput);
  const pooledCpu = runs.flatMap(cpu);
  console.log(`\nheadline (issue 14), pooled over ${runs.length} runs:`);
  console.log(`  default chain throughput at ${c} vs bare  ${show(pooledThroughput, pct)}; goal >= 97 %: ${quantile(pooledThroughput, 0.5) >= 0.97 ? 'met' : 'NOT met'}`);
  console.log(`  default chain CPU per call over direct   ${show(pooledCpu, us)}; goal <= +15 µs: ${quantile(pooledCpu, 0.5) <= 0.015 ? 'met' : 'NOT met'}`);
  console.log(`  per run: throughput ${runs.map((r) => pct(quantile(throughput(r), 0.5))).join(', ')}; CPU ${runs.map((r) => us(quantile(cpu(r), 0.5))).join(', ')}`);
}
console.log(`load average at start of each run: ${runs.map((r) => r.loadStart[0]!.toFixed(2)).join(', ')}`);
