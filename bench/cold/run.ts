/**
 * Cold start, whole processes (issue 14): a host that imports the built runtime, loads the
 * compiled skills (12 today) of `skills/` and makes one call through the router and the default chain
 * (host-sdl.mjs), against a host making one call with the bare Anthropic SDK (host-bare.mjs), both
 * against the same emulator process. Each round runs both (order alternating), timing each child
 * from spawn to exit in this process; the children report their own CPU time and peak RSS
 * (`process.resourceUsage()`). Prints medians, the per-round ratio (median and range) and the
 * load average. Needs `npm run build`.
 *
 *   npx tsx bench/cold/run.ts [--rounds 15] [--other-checkout <dir>]
 *
 * `--other-checkout` adds the same SDL host run from another built checkout of the repository
 * (e.g. an older commit, with this directory's host scripts copied into its bench/cold/), paired
 * per round against the same bare-SDK runs: a before/after under the same load.
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPORT_USAGE, REPORT_USAGE_IMPORT, runChild as runNode, type ProcessRun } from '../shared/run-child.js';
import { median } from '../runtime/stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, 'other-checkout': { type: 'string' } } });
const other = values['other-checkout'] ? path.resolve(values['other-checkout']) : undefined;
const rounds = Number(values.rounds);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const repo = here('../../');

type Run = ProcessRun;
const runChild = (args: string[]): Promise<Run> => runNode(args, repo);

const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

// The compiled skills, as `skillc compile` writes them (from a copy, so the repository's sdl.lock is left alone).
const work = mkdtempSync(path.join(tmpdir(), 'sdl-cold-'));
const irDir = path.join(work, 'out');
cpSync(path.join(repo, 'skills'), path.join(work, 'skills'), { recursive: true });
execFileSync(process.execPath, [path.join(repo, 'packages/cli/bin/skillc.js'), 'compile', 'skills', '--out', irDir], { cwd: work, stdio: 'ignore' });

let otherIrDir: string | undefined;
if (other) {
  otherIrDir = path.join(work, 'other-out');
  execFileSync(process.execPath, [path.join(other, 'packages/cli/bin/skillc.js'), 'compile', 'skills', '--out', otherIrDir], { cwd: work, stdio: 'ignore' });
}

const emulator = spawn(process.execPath, [here('./emulator.mjs')], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
let url = '';
for await (const chunk of emulator.stdout!) {
  url += String(chunk);
  if (url.includes('\n')) break;
}
url = url.trim();

const contenders: Record<string, string[]> = {
  bare: [here('./host-bare.mjs'), url],
  sdl: [here('./host-sdl.mjs'), url, irDir, path.join(repo, 'skills')],
  importOnly: ['--input-type=module', '-e', `${REPORT_USAGE} await import('@sdl/runtime'); await import('@sdl/adapters');`],
  // The skillc commands of the goal (<= 0.25 s each), and an empty Node process as their floor.
  check: ['--import', REPORT_USAGE_IMPORT, path.join(repo, 'packages/cli/bin/skillc.js'), 'check', 'skills/review-code.skill.yaml'],
  evaluate: ['--import', REPORT_USAGE_IMPORT, path.join(repo, 'packages/cli/bin/skillc.js'), 'eval', '1+1'],
  empty: ['--input-type=module', '-e', REPORT_USAGE],
};
if (other) contenders.otherSdl = [path.join(other, 'bench/cold/host-sdl.mjs'), url, otherIrDir!, path.join(repo, 'skills')];
const results: Record<string, Run[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
const loadBefore = loadavg();
try {
  // One warm-up round (file system cache), not counted.
  for (const args of Object.values(contenders)) await runChild(args);
  for (let round = 0; round < rounds; round++) {
    const names = Object.keys(contenders);
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) results[name]!.push(await runChild(contenders[name]!));
  }
} finally {
  emulator.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
const loadAfter = loadavg();

const ratios = results.sdl!.map((r, i) => r.wallMs / results.bare![i]!.wallMs);
const cpuRatios = results.sdl!.map((r, i) => r.cpuMs / results.bare![i]!.cpuMs);
const row = (name: string, label: string) => {
  const rs = results[name]!;
  return `| ${label} | ${median(rs.map((r) => r.wallMs)).toFixed(0)} ms | ${median(rs.map((r) => r.cpuMs)).toFixed(0)} ms | ${median(rs.map((r) => r.maxRssMiB)).toFixed(0)} MiB |`;
};
console.log(`cold start, ${rounds} rounds (+1 warm-up), Node ${process.version}, load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
console.log('| process | wall (median) | CPU user+sys (median) | peak RSS (median) |');
console.log('| --- | --- | --- | --- |');
console.log(row('bare', 'bare Anthropic SDK, one call (baseline)'));
console.log(row('sdl', 'SDL host: import, load every compiled skill of skills/ (12), one call via router + default chain'));
console.log(row('importOnly', 'import @sdl/runtime + @sdl/adapters only'));
console.log(row('check', '`skillc check skills/review-code.skill.yaml` (goal ≤ 0.25 s)'));
console.log(row('evaluate', "`skillc eval '1+1'` (goal ≤ 0.25 s)"));
console.log(row('empty', 'empty Node process (floor)'));
if (other) console.log(row('otherSdl', `SDL host from ${other}`));
if (other) {
  const otherRatios = results.otherSdl!.map((r, i) => r.wallMs / results.bare![i]!.wallMs);
  console.log(`\n${other} SDL host / bare, paired per round: wall ${median(otherRatios).toFixed(2)}× (range ${range(otherRatios)})`);
}
console.log(`\nSDL host / bare, paired per round: wall ${median(ratios).toFixed(2)}× (range ${range(ratios)}), CPU ${median(cpuRatios).toFixed(2)}× (range ${range(cpuRatios)}); goal ≤ 1.3× wall`);
