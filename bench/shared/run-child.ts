/**
 * One whole-process run for the process benchmarks (bench/cold, bench/compile): spawns Node with
 * `args` in `cwd`, times it from spawn to exit, and reads the child's own `process.resourceUsage()`
 * from the last line of its output (a JSON `{ usage }` the child prints at exit).
 */
import { spawn } from 'node:child_process';

export interface ProcessRun {
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
  /** What the child printed to stdout before its usage line. */
  output: string;
}

/** Code that makes a process print its resource usage as the last line of its output at exit. */
export const REPORT_USAGE = "process.on('exit', () => process.stdout.write('\\n' + JSON.stringify({ usage: process.resourceUsage() }) + '\\n'));";

/**
 * `--import` this to make a child that does not report its usage itself print it at exit (the same
 * code in every contender, so it cancels out of the paired figures).
 */
export const REPORT_USAGE_IMPORT = `data:text/javascript,${encodeURIComponent(REPORT_USAGE)}`;

/** Runs `node <args>` in `cwd`; rejects when it exits with a non-zero code. */
export function runChild(args: string[], cwd: string): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += String(chunk)));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}`));
      const lines = out.trim().split('\n');
      const usage = (JSON.parse(lines.pop()!) as { usage: NodeJS.ResourceUsage }).usage;
      resolve({ wallMs, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssMiB: usage.maxRSS / 1024, output: lines.join('\n').trim() });
    });
  });
}
