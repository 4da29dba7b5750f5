/**
 * Writes a run trace file for `skillc run --trace` and `skillc test --trace`: the whole file or
 * nothing (temp file + rename), secrets of the config scrubbed as on every other output.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunTrace } from '@sdl/runtime';

/** The run trace a run result or a run error carries, if any. */
export function runTraceOf(value: unknown): RunTrace | undefined {
  const trace = (value as { runTrace?: unknown } | null | undefined)?.runTrace;
  return trace !== null && typeof trace === 'object' && (trace as RunTrace).format === 'sdl-run-trace' ? (trace as RunTrace) : undefined;
}

/** Writes `trace` to `file` (directories made as needed); `scrub` removes configured secrets. */
export function writeRunTrace(file: string, trace: RunTrace, scrub: (text: string) => string = (t) => t): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${scrub(JSON.stringify(trace, null, 2))}\n`);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
