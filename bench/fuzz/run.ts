// The long fuzz run: N mutants of the repository's skill files (default 100,000) through the front
// end, each checked twice, in parallel worker processes. Counts crashes, runs over the limit, nondeterministic
// results and positions outside the file, with the time per file; failing inputs are written to --out.
//   npm run build && npx tsx bench/fuzz/run.ts [--files 100000] [--start 0] [--seed 1] [--limit-ms 1000]
//     [--amplify 3000] [--workers 2] [--chunk 250] [--checkpoint <file.jsonl>] [--out /tmp/fuzz-failures]
// (the harness imports @sdl/compiler, i.e. the built dist/)
//
// "Slow" is judged on the CPU time of the first check (process.cpuUsage of the worker: user + system of
// the whole process, so GC helper threads count too; Node 20 has no per-thread CPU clock). Wall time is
// recorded beside it and counted separately, since on a shared machine it measures the queue for a core.
// With --checkpoint, every finished chunk is appended to the file (one JSON line) and a rerun with the same
// arguments skips the chunks already there: a killed run resumes where it stopped.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
// Files [start, start + files) of the sequence for this seed.
const start = Number(arg('start', '0'));
const amplify = Number(arg('amplify', '3000'));
const workers = Math.max(1, Number(arg('workers', '2')));
const chunkSize = Math.max(1, Number(arg('chunk', '250')));
const checkpoint = arg('checkpoint', '');

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const corpus = seedCorpus(root);
// File i depends on the seed and on the corpus (it picks a seed file by index): both are in the checkpoint.
const corpusHash = createHash('sha256').update(JSON.stringify(corpus)).digest('hex').slice(0, 16);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

type Kind = 'crash' | 'slow' | 'nondeterministic' | 'outside';
/** One chunk's results, as a worker sends them and the checkpoint stores them. */
interface ChunkResult {
  from: number;
  to: number;
  bytes: number;
  cpu: number[];
  wall: number[];
  problems: { file: number; seedName: string; kind: Kind; detail: string }[];
  load: number;
}

/** Mutant i of the run: a generator per file, so file i is replayed from `--seed` and `--start i --files 1` alone. */
function mutant(i: number): { name: string; bytes: Uint8Array } {
  const rand = prng(seed * 1_000_003 + i);
  const base = corpus[Math.floor(rand() * corpus.length)]!;
  return { name: base.name, bytes: new TextEncoder().encode(mutate(base.text, rand, amplify)) };
}

function runChunk(from: number, to: number): ChunkResult {
  const result: ChunkResult = { from, to, bytes: 0, cpu: [], wall: [], problems: [], load: loadavg()[0]! };
  for (let i = from; i < to; i++) {
    const { name, bytes } = mutant(i);
    result.bytes += bytes.length;
    const outcome = fuzzOne(bytes, limitMs);
    result.cpu.push(Math.round(outcome.cpuMs * 100) / 100);
    result.wall.push(Math.round(outcome.ms * 100) / 100);
    for (const p of outcome.problems) {
      result.problems.push({ file: i, seedName: name, kind: p.kind, detail: p.detail.slice(0, 300) });
      if (out) {
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, `${p.kind}-${seed}-${i}.fuzz`), bytes);
      }
    }
  }
  return result;
}

if (process.argv.includes('--worker')) {
  // A worker: warm up, then check the chunks the parent sends until it says stop.
  warmUp(corpus);
  process.on('message', (message: { from: number; to: number } | 'stop') => {
    if (message === 'stop') process.exit(0);
    process.send!(runChunk(message.from, message.to));
  });
  process.send!('ready');
} else {
  await main();
}

async function main(): Promise<void> {
  const header = { seed, start, files, amplify, limitMs, chunkSize, corpus: corpus.length, corpusHash };
  const done = new Map<number, ChunkResult>();
  if (checkpoint) {
    if (existsSync(checkpoint)) {
      const lines = readFileSync(checkpoint, 'utf8').split('\n').filter((l) => l.trim() !== '');
      const saved = JSON.parse(lines[0]!) as typeof header;
      if (JSON.stringify(saved) !== JSON.stringify(header)) {
        console.error(`checkpoint ${checkpoint} is of another run:\n  saved ${JSON.stringify(saved)}\n  this  ${JSON.stringify(header)}\nuse another --checkpoint file or the same arguments (and corpus)`);
        process.exit(2);
      }
      // A line cut short by a kill is skipped; its chunk runs again.
      for (const line of lines.slice(1)) {
        try {
          const chunk = JSON.parse(line) as ChunkResult;
          done.set(chunk.from, chunk);
        } catch {}
      }
    } else writeFileSync(checkpoint, `${JSON.stringify(header)}\n`);
  }
  const pending: [number, number][] = [];
  for (let from = start; from < start + files; from += chunkSize) if (!done.has(from)) pending.push([from, Math.min(start + files, from + chunkSize)]);
  console.log(`fuzz: ${files} files (#${start}..#${start + files - 1}) from ${corpus.length} seeds (corpus ${corpusHash}), seed ${seed}, limit ${limitMs} ms CPU, ${workers} workers, ${done.size} chunks from the checkpoint, ${pending.length} to run; load ${load()}`);

  const started = performance.now();
  let stopped = false;
  const children: ReturnType<typeof fork>[] = [];
  // Ctrl-C or a kill stops handing out chunks; finished ones are in the checkpoint, the figures so far are printed.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => {
    stopped = true;
    for (const child of children) child.kill();
  });
  let ranNow = 0;
  const record = (chunk: ChunkResult) => {
    done.set(chunk.from, chunk);
    if (checkpoint) appendFileSync(checkpoint, `${JSON.stringify(chunk)}\n`);
    for (const p of chunk.problems) console.log(`  #${p.file} (${p.seedName}) ${p.kind}: ${p.detail}`);
    ranNow += chunk.to - chunk.from;
    const total = [...done.values()].reduce((n, c) => n + c.to - c.from, 0);
    if (Math.floor(total / 1000) !== Math.floor((total - (chunk.to - chunk.from)) / 1000)) {
      console.log(`  ${total} files (${ranNow} in this run, ${((performance.now() - started) / 1000).toFixed(0)} s), problems ${[...done.values()].reduce((n, c) => n + c.problems.length, 0)}, load ${load()}`);
    }
  };
  // The worker is this script again (with tsx's loader, inherited through execArgv).
  const script = fileURLToPath(import.meta.url);
  const forwarded = ['--seed', String(seed), '--limit-ms', String(limitMs), '--amplify', String(amplify), ...(out ? ['--out', out] : [])];
  await Promise.all(
    Array.from({ length: Math.min(workers, pending.length) }, () =>
      new Promise<void>((resolve, reject) => {
        const child = fork(script, ['--worker', ...forwarded], { execArgv: process.execArgv });
        children.push(child);
        const next = () => {
          const job = stopped ? undefined : pending.shift();
          if (job) child.send({ from: job[0], to: job[1] });
          else child.send('stop');
        };
        child.on('message', (message: ChunkResult | 'ready') => {
          if (message !== 'ready') record(message);
          next();
        });
        child.on('exit', (code, signal) => (code === 0 || stopped ? resolve() : reject(new Error(`a worker exited with ${code ?? signal}`))));
      }),
    ),
  );
  report([...done.values()].sort((a, b) => a.from - b.from), performance.now() - started, stopped);
}

function report(chunks: ChunkResult[], wallMs: number, stopped: boolean): void {
  const counts: Record<Kind, number> = { crash: 0, slow: 0, nondeterministic: 0, outside: 0 };
  for (const c of chunks) for (const p of c.problems) counts[p.kind]++;
  const cpu = chunks.flatMap((c) => c.cpu).sort((a, b) => a - b);
  const wall = chunks.flatMap((c) => c.wall).sort((a, b) => a - b);
  const checked = cpu.length;
  if (checked === 0) return void console.log('no files checked');
  const q = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor(p * list.length))]!;
  const row = (list: number[]) => `median ${q(list, 0.5).toFixed(2)}, p99 ${q(list, 0.99).toFixed(1)}, p99.9 ${q(list, 0.999).toFixed(1)}, max ${list[list.length - 1]!.toFixed(0)}, mean ${(list.reduce((a, b) => a + b, 0) / list.length).toFixed(2)}`;
  const loads = chunks.map((c) => c.load).sort((a, b) => a - b);
  // The baseline, measured now in this process: the unmutated seed files through the same check.
  warmUp(corpus);
  const seedCpu = corpus.map(({ text }) => fuzzOne(new TextEncoder().encode(text), Infinity).cpuMs).sort((a, b) => a - b);
  const seedMedian = q(seedCpu, 0.5);
  console.log(`files ${checked}${stopped || checked < files ? ` (stopped early, of ${files})` : ''}, ${(chunks.reduce((n, c) => n + c.bytes, 0) / 1e6).toFixed(1)} MB, wall of this run ${(wallMs / 1000).toFixed(0)} s`);
  console.log(`crashes ${counts.crash}, over ${limitMs} ms CPU ${counts.slow}, nondeterministic ${counts.nondeterministic}, positions outside the file ${counts.outside}`);
  console.log(`over ${limitMs} ms wall (not a failure: includes waiting for a core) ${wall.filter((w) => w > limitMs).length}`);
  console.log(`ms per file, CPU of the first check: ${row(cpu)}`);
  console.log(`baseline (the ${corpus.length} unmutated seeds, now): median ${seedMedian.toFixed(2)} ms CPU; mutants' median ${(q(cpu, 0.5) / seedMedian).toFixed(2)}x, p99 ${(q(cpu, 0.99) / seedMedian).toFixed(1)}x`);
  console.log(`ms per file, wall of the first check: ${row(wall)}`);
  console.log(`load average (1 min) at chunk starts: min ${loads[0]!.toFixed(1)}, median ${q(loads, 0.5).toFixed(1)}, max ${loads[loads.length - 1]!.toFixed(1)}; now ${load()}`);
  process.exitCode = counts.crash + counts.slow + counts.nondeterministic + counts.outside > 0 ? 1 : 0;
}
