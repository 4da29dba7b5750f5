/**
 * Micro harness (not a benchmark of record): the runtime's own per-call CPU, with an adapter that
 * answers at once (no HTTP), so only `runtime.run`'s path is timed.
 * With a concurrency above 1 the adapter answers after a short timer, so runs overlap and their
 * objects live across an I/O wait as they do against a real server.
 *   npx tsx bench/runtime/micro-harness.ts [runs] [concurrency]
 */
import { fileURLToPath } from 'node:url';
import type { EngineAdapter, EngineRequest, EngineResponse } from '@sdl/adapters';
import { findModel } from '@sdl/adapters';
import { createRuntime, loadSkillSource } from '@sdl/runtime';

const RUNS = Number(process.argv[2] ?? 200_000);
const CONCURRENCY = Number(process.argv[3] ?? 1);
const wait = () => new Promise((resolve) => setTimeout(resolve, 1));
const MODEL = 'claude-sonnet-5';
const QUESTION = 'What is the capital of France? Answer in one word.';
const instant: EngineAdapter = {
  provider: 'anthropic',
  generate: async (request: EngineRequest): Promise<EngineResponse> => {
    if (CONCURRENCY > 1) await wait();
    return {
    text: `echo: ${request.messages[0]!.content}`,
    toolCalls: [],
    usage: { inputTokens: 12, outputTokens: 5 },
    stopReason: 'end',
    model: request.model,
    };
  },
  stream: async function* () {},
} as unknown as EngineAdapter;
const skill = await loadSkillSource(fileURLToPath(new URL('./one-step.skill.yaml', import.meta.url)));
const runtime = createRuntime({ engines: { claude: { adapter: instant, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
runtime.load(skill);
const bare = async () => (await instant.generate({ model: MODEL, messages: [{ role: 'user', content: QUESTION }], maxTokens: 200 })).text;
const run = async () => (await runtime.run(skill, { question: QUESTION })).output as string;
for (let round = 0; round < 5; round++) {
  for (const [name, call] of [['adapter only', bare], ['runtime.run', run]] as const) {
    const cpu0 = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < RUNS) if ((await call()) !== `echo: ${QUESTION}`) throw new Error('bad reply');
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    console.log(`${name.padEnd(14)} ${((cpu.user + cpu.system) / RUNS).toFixed(2)} µs CPU/call`);
  }
}
