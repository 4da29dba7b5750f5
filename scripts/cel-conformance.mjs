#!/usr/bin/env node
// Runs CEL's public conformance suite (the runner in <repo>/../shared/conformance/cel-spec) against
// this checkout's build and fails when fewer than 98.5% of the in-scope cases pass. The runner's last
// line is `SDL conformance: P/N in-scope (X%)`; the pass rate is computed from P and N, not the
// rounded percentage. Usage: node scripts/cel-conformance.mjs [minimum percent, default 98.5]
// (SDL_SHARED_DIR overrides the location of shared/, e.g. for a git worktree elsewhere).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runner = join(process.env.SDL_SHARED_DIR ?? join(repo, '..', 'shared'), 'conformance', 'cel-spec', 'run.mjs');
const minimum = Number(process.argv[2] ?? 98.5);

if (!existsSync(runner)) {
  console.error(`cel-conformance: ${runner} not found; CI expects a copy of shared/ next to the repository`);
  process.exit(1);
}
const run = spawnSync(process.execPath, [runner, repo, '--failures'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
process.stdout.write(run.stdout);
process.stderr.write(run.stderr);
const lines = run.stdout.trimEnd().split('\n');
const m = /^SDL conformance: (\d+)\/(\d+) in-scope/.exec(lines[lines.length - 1] ?? '');
if (run.status !== 0 || !m) {
  console.error(`cel-conformance: the runner ${run.status !== 0 ? `exited with ${run.status ?? run.signal}` : 'printed no final "SDL conformance" line'}`);
  process.exit(1);
}
const [pass, total] = [Number(m[1]), Number(m[2])];
const rate = (100 * pass) / total;
if (total === 0 || rate < minimum) {
  console.error(`cel-conformance: ${pass}/${total} = ${rate.toFixed(2)}% of in-scope cases pass, below the required ${minimum}%`);
  process.exit(1);
}
console.log(`cel-conformance: ${pass}/${total} = ${rate.toFixed(2)}% (required ${minimum}%)`);
