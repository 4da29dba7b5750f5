/**
 * Paired CPU harness (not a benchmark of record; for quick A/B checks while cutting): alternates
 * contenders in short blocks in one process against the emulator process and reports this
 * process's CPU per call for each, median over blocks and paired per block against the first name.
 *   npx tsx bench/runtime/pair-harness.ts [blocks] [callsPerBlock] [concurrency] [names...]
 * names: bare, adapter, run, chain, bareSig (default: bare adapter run)
 */
import { loadavg } from 'node:os';
import { benchClients, MODEL, QUESTION, routedRuntime, startEmulatorProcess } from './setup.js';

const [blocksArg = '20', perArg = '400', concArg = '16', ...wanted] = process.argv.slice(2);
const { url, child } = await startEmulatorProcess();
const { client, adapter, skill, direct } = await benchClients(url);
const routed = routedRuntime(adapter, [skill]);
const all: Record<string, () => Promise<unknown>> = {
  // runtime.run through the router and the default chain (the headline contender of bench/runtime/run.ts).
  chain: () => routed.run(skill, { question: QUESTION }),
  bare: () => client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] }),
  adapter: () => adapter.generate({ model: MODEL, messages: [{ role: 'user', content: QUESTION }], maxTokens: 200 }),
  run: () => direct.run(skill, { question: QUESTION }),
  // The bare call given a signal and timer of the caller's own (what the adapter did before 2026-11-22).
  bareSig: async () => {
    const c = new AbortController();
    const t = setTimeout(() => c.abort(), 60_000);
    try {
      return await client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: QUESTION }] }, { signal: c.signal, timeout: 60_000 });
    } finally {
      clearTimeout(t);
    }
  },
};
const names = wanted.length ? wanted : ['bare', 'adapter', 'run'];
const go = async (call: () => Promise<unknown>, n: number, c: number) => {
  let next = 0;
  await Promise.all(Array.from({ length: c }, async () => { while (next++ < n) await call(); }));
};
for (const name of names) await go(all[name]!, 500, Number(concArg));
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let b = 0; b < Number(blocksArg); b++) {
  for (const name of names.map((_, i) => names[(i + b) % names.length]!)) {
    const c0 = process.cpuUsage();
    await go(all[name]!, Number(perArg), Number(concArg));
    const c = process.cpuUsage(c0);
    cpu[name]!.push((c.user + c.system) / Number(perArg));
  }
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
console.log(`${blocksArg} blocks x ${perArg} calls at c=${concArg}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const name of names) {
  const diffs = cpu[name]!.map((x, i) => x - cpu[names[0]!]![i]!);
  const sorted = [...diffs].sort((a, b) => a - b);
  const q = (f: number) => sorted[Math.round(f * (sorted.length - 1))]!.toFixed(0);
  console.log(`${name.padEnd(8)} median ${median(cpu[name]!).toFixed(0)} µs CPU/call; paired vs ${names[0]}: ${median(diffs) >= 0 ? '+' : ''}${median(diffs).toFixed(0)} µs (IQR ${q(0.25)} .. ${q(0.75)})`);
}
child.kill('SIGTERM');
