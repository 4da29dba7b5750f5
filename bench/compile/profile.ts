/**
 * Profiling driver for the in-memory full compile (not a benchmark: no baseline, no ratios).
 * Runs `buildProject` on bench/compile/generated (write it with run.ts first) a few times so a
 * profiler sees the warm compile, e.g.
 *   npm run build && node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/compile/profile.ts --rounds 8
 *   node --trace-gc --import tsx bench/compile/profile.ts --rounds 3
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildProject } from '@sdl/compiler';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '8' } } });
const dir = fileURLToPath(new URL('./generated/', import.meta.url));
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
for (let r = 0; r < Number(values.rounds); r++) {
  collect();
  const start = performance.now();
  const result = buildProject(['.'], { cwd: dir });
  if (result.diagnostics.length > 0 || result.outputs.length === 0) throw new Error(`compile failed: ${JSON.stringify(result.diagnostics[0])}`);
  console.log(`round ${r}: ${(performance.now() - start).toFixed(0)} ms, ${result.outputs.length} outputs`);
}
