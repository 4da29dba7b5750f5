/**
 * Pools the per-round figures of several `run.ts --json` files (same contenders): the goal figures
 * of `runtime.run` over every round of every run, paired per round against the bare SDK, with their
 * interquartile range, and each run's own median.
 *   npx tsx bench/runtime/pool.ts a.json b.json ...
 */
import { readFileSync } from 'node:fs';

interface Figures {
  p50: number;
  throughput: number;
  cpu: number;
}
interface Run {
  loadStart: number[];
  results: Record<string, { serial: Figures[]; concurrent: Figures[] }>;
}

const runs = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Run);
const BARE = 'bare SDK (messages.create)';
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = q * (s.length - 1);
  const lo = Math.floor(i);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo);
};
const show = (xs: number[], f: (x: number) => string) => `${f(quantile(xs, 0.5))} (IQR ${f(quantile(xs, 0.25))} .. ${f(quantile(xs, 0.75))}, ${xs.length} rounds)`;
const us = (ms: number) => `${ms >= 0 ? '+' : ''}${(ms * 1000).toFixed(0)} µs`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const names = Object.keys(runs[0]!.results).filter((n) => n !== BARE);
for (const name of names) {
  const paired = (mode: 'serial' | 'concurrent', f: (x: Figures, b: Figures) => number) =>
    runs.flatMap((run) => run.results[name]![mode].map((x, i) => f(x, run.results[BARE]![mode][i]!)));
  console.log(`${name}:`);
  console.log(`  serial p50 overhead   ${show(paired('serial', (x, b) => x.p50 - b.p50), us)}`);
  console.log(`  serial CPU overhead   ${show(paired('serial', (x, b) => x.cpu - b.cpu), us)}`);
  console.log(`  c=16 throughput       ${show(paired('concurrent', (x, b) => x.throughput / b.throughput), pct)}`);
  console.log(`  c=16 CPU overhead     ${show(paired('concurrent', (x, b) => x.cpu - b.cpu), us)}`);
}
console.log(`load average at start of each run: ${runs.map((r) => r.loadStart[0]!.toFixed(2)).join(', ')}`);
