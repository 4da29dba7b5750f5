/** `calls` runs of the one-step skill on `runtime`, `concurrency` at a time, each reply checked; the process CPU they took. */
import type { LoadedSkill, Runtime } from '@sdl/runtime';
import { QUESTION } from './setup.js';

const EXPECTED = `echo: ${QUESTION}`;

export async function cpuOfConcurrentRuns(runtime: Runtime, skill: LoadedSkill, calls: number, concurrency: number): Promise<NodeJS.CpuUsage> {
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      const result = await runtime.run(skill, { question: QUESTION });
      if (result.output !== EXPECTED) throw new Error(`unexpected reply: ${JSON.stringify(result.output)}`);
    }
  };
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return process.cpuUsage(cpu0);
}
