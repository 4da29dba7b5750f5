// One contender of bench/compile/jobs.ts: a process that compiles every skill file of <dir> (in
// memory, as `skillc compile` builds, no writes) either on its main thread (<jobs> = 0, what skillc
// does) or in <jobs> worker threads, each building a contiguous share of the files (cut at a
// multiple of ten, so the benchmark's groups of ten, each closed under `uses:`, are never split).
// Prints one line: the number of outputs and a SHA-256 over every output's content-addressed text
// in root order (the two ways must print the same), and the milliseconds until the last build ended.
// Usage: node jobs-build.mjs <dir> <jobs>
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/** Builds `files` (absolute paths) and returns their outputs' texts, in root order. */
async function build(files, cwd) {
  const { buildProject } = await import('@sdl/compiler');
  const result = buildProject(files, { cwd });
  if (result.diagnostics.length > 0) throw new Error(`${result.diagnostics.length} diagnostics, the first: ${JSON.stringify(result.diagnostics[0])}`);
  return result.outputs.map((o) => o.referencingText);
}

if (!isMainThread) {
  parentPort.postMessage(await build(workerData.files, workerData.cwd));
} else {
  const [dir, jobsArg] = process.argv.slice(2);
  const jobs = Number(jobsArg);
  const cwd = path.resolve(dir);
  const files = readdirSync(cwd).filter((f) => f.endsWith('.skill.yaml')).sort().map((f) => path.join(cwd, f));
  let texts;
  if (jobs === 0) texts = await build(files, cwd);
  else {
    const share = Math.ceil(files.length / jobs / 10) * 10;
    const parts = await Promise.all(Array.from({ length: jobs }, (_, i) => new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { files: files.slice(i * share, (i + 1) * share), cwd } });
      worker.once('message', resolve);
      worker.once('error', reject);
    })));
    texts = parts.flat();
  }
  const endMs = performance.now();
  const hash = createHash('sha256');
  for (const text of texts) hash.update(text);
  process.stdout.write(`${texts.length} outputs ${hash.digest('hex')} ${endMs.toFixed(0)}\n`);
}
