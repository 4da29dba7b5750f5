/**
 * File session store appends at concurrency 16 (issue 14): throughput and per-append latency of
 * `FileStore.appendTurns` (session journal: the appends to every session that arrive together are
 * one journal write and one fdatasync), paired per round against a baseline measured in the
 * same round: the durable write path an append took before group commit (temp file, fsync, rename,
 * fsync of the directory, once per append) with 16 writers at once on files of the same size.
 * Contenders are interleaved in rounds so machine load hits all alike; figures are medians over
 * rounds with the min-max spread, ratios paired per round.
 *
 *   npx tsx bench/state/run.ts [--rounds 7] [--appends 2000] [--concurrency 16] [--max-turns 50]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodeRecord, FileStore } from '../../packages/runtime/src/state/index.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    appends: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    'max-turns': { type: 'string', default: '50' },
  },
});
const ROUNDS = Number(values.rounds);
const APPENDS = Number(values.appends);
const CONCURRENCY = Number(values.concurrency);
const MAX_TURNS = Number(values['max-turns']);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const median = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 50);
const spread = (xs: number[], d = 0) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
const turn = (i: number) => ({ message: { role: 'user' as const, content: `turn ${i}: ${'lorem ipsum dolor sit amet '.repeat(3)}` } });

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
  /** Durable writes (group commits) per append, where the contender counts them. */
  writesPerAppend?: number;
  /** Process CPU time (user + system, all threads) per append, µs. */
  cpuPerAppend: number;
}

/** `CONCURRENCY` workers sharing `APPENDS` operations; per-operation latency in ms. */
async function drive(op: (i: number, worker: number) => Promise<unknown>): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (next < APPENDS) {
        const i = next++;
        const t0 = performance.now();
        await op(i, worker);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return { perSecond: APPENDS / wall, p50: pct(latencies, 50), p99: pct(latencies, 99), cpuPerAppend: (used.user + used.system) / APPENDS };
}

/** The pre-group-commit durable write, once per append, on one file per worker of a window's size. */
async function baseline(dir: string): Promise<Result> {
  const record = encodeRecord({ id: 's', version: MAX_TURNS, turns: Array.from({ length: MAX_TURNS }, (_, i) => ({ ...turn(i), at: 0, seq: i + 1, session: 's' })) });
  const write = async (file: string) => {
    const temp = `${file}.${randomUUID().slice(0, 8)}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(record);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  };
  return drive((_, worker) => write(path.join(dir, `w${worker}.rec`)));
}

/** `FileStore.appendTurns` from `CONCURRENCY` callers, on one shared session or one session each. */
async function store(dir: string, shared: boolean): Promise<Result> {
  const fileStore = new FileStore({ dir });
  const r = await drive((i, worker) => fileStore.appendTurns(shared ? 'shared' : `s${worker}`, [turn(i)], { maxTurns: MAX_TURNS }));
  await fileStore.close();
  return { ...r, writesPerAppend: fileStore.stats.commits / fileStore.stats.appends };
}

const contenders: [string, (dir: string) => Promise<Result>][] = [
  ['baseline: durable write per append (16 files)', baseline],
  ['FileStore, 16 callers on one session', (dir) => store(dir, true)],
  ['FileStore, 16 callers on 16 sessions', (dir) => store(dir, false)],
];

const root = await mkdtemp(path.join(tmpdir(), 'sdl-bench-state-'));
const results = contenders.map(() => [] as Result[]);
const loads: number[] = [];
try {
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [c, [, run]] of contenders.entries()) {
      const dir = await mkdtemp(path.join(root, `r${round}c${c}-`));
      const r = await run(dir);
      await rm(dir, { recursive: true, force: true });
      if (round > 0) results[c]!.push(r); // round 0 warms up
    }
    if (round > 0) loads.push(loadavg()[0]!);
    process.stderr.write(`round ${round}/${ROUNDS} done\n`);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

console.log(
  `\nfile store appends: ${APPENDS} per round at concurrency ${CONCURRENCY}, window maxTurns ${MAX_TURNS}, ${ROUNDS} rounds (+1 warm-up), ` +
    `load average during rounds ${spread(loads, 1)} (${new Date().toISOString().slice(0, 10)}, Node ${process.version})\n`,
);
console.log('| contender | appends/s (median, min–max) | × baseline (paired) | p50 ms | p99 ms (median, min–max) | CPU µs per append | durable writes per append |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [c, [name]] of contenders.entries()) {
  const rs = results[c]!;
  const ratios = rs.map((r, i) => r.perSecond / results[0]![i]!.perSecond);
  const writes = rs[0]!.writesPerAppend === undefined ? '1' : median(rs.map((r) => r.writesPerAppend!)).toFixed(3);
  console.log(
    `| ${name} | ${median(rs.map((r) => r.perSecond)).toFixed(0)} (${spread(rs.map((r) => r.perSecond))}) | ${median(ratios).toFixed(2)}× (${spread(ratios, 2)}) | ` +
      `${median(rs.map((r) => r.p50)).toFixed(2)} | ${median(rs.map((r) => r.p99)).toFixed(2)} (${spread(rs.map((r) => r.p99), 1)}) | ` +
      `${median(rs.map((r) => r.cpuPerAppend)).toFixed(0)} | ${writes} |`,
  );
}
