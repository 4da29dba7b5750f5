/**
 * Stream harness (not a benchmark of record): the per-delta CPU SDL adds on top of the real
 * `@anthropic-ai/sdk` stream, without HTTP. The emulator's reply to the 300-word question is
 * recorded once; then `fetch` (for the bare client and the adapter's client alike) answers every
 * request with those bytes, one SSE event per chunk, so every contender pays the SDK's own SSE
 * decoding and JSON parsing and nothing of a socket. Contenders: the bare SDK stream, the
 * adapter's `stream()`, the router and default chain drained as `runtime.stream` drains it,
 * `runtime.stream` with the engine bound directly, and through the router and the default chain. Alternating
 * blocks, this process's CPU per stream, median and IQR over blocks, paired per block against
 * the bare SDK.
 *
 *   npx tsx bench/runtime/stream-inproc.ts [--blocks 20] [--streams 100] [--words 299]
 * (`--words 29` gives a 30-delta reply: the difference between the two sizes separates what a
 * stream costs once from what each delta costs.)
 *   node --cpu-prof --import tsx bench/runtime/stream-inproc.ts --profile runtime.stream   (one contender alone)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { AnthropicAdapter, startEmulator } from '../../packages/adapters/src/index.js';
import { findModel } from '../../packages/adapters/src/index.js';
import { createRuntime, loadSkillSource } from '../../packages/runtime/src/index.js';
import { forEachEvent } from '../../packages/runtime/src/middleware/stream.js';
import { defaultChainRouter, here, MODEL, routedRuntime } from './setup.js';
import { median, quartiles } from './stats.js';

const { values } = parseArgs({
  options: { blocks: { type: 'string', default: '20' }, streams: { type: 'string', default: '100' }, only: { type: 'string' }, profile: { type: 'string' }, words: { type: 'string', default: '299' } },
});
const BLOCKS = Number(values.blocks);
const STREAMS = Number(values.streams);
const QUESTION = Array.from({ length: Number(values.words) }, (_, i) => `word${i}`).join(' ');
const messages = [{ role: 'user' as const, content: QUESTION }];

// The emulator's streamed reply, recorded once and split into its SSE events.
const emulator = await startEmulator({ provider: 'anthropic' });
const recorded = await fetch(`${emulator.url}/v1/messages`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
  body: JSON.stringify({ model: MODEL, max_tokens: 4000, stream: true, messages }),
});
const sse = await recorded.text();
await emulator.close();
const encoder = new TextEncoder();
const chunks = sse.split(/(?<=\n\n)/).map((event) => encoder.encode(event));
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
  if (!String(input instanceof Request ? input.url : input).startsWith('http')) return realFetch(input, init);
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', 'request-id': 'req_inproc' } });
}) as typeof fetch;

const baseURL = 'http://sdl-inproc.invalid';
const client = new Anthropic({ apiKey: 'k', baseURL, maxRetries: 0, timeout: 60_000, logLevel: 'off' });
const adapter = new AnthropicAdapter({ apiKey: 'k', baseURL, timeoutMs: 60_000, defaultMaxTokens: 200 });
const skill = await loadSkillSource(here('./stream.skill.yaml'));
const routed = routedRuntime(adapter, [skill]);
const router = defaultChainRouter(adapter);
const direct = createRuntime({ engines: { claude: { adapter, model: MODEL, descriptor: findModel('anthropic', MODEL)! } } });
direct.load(skill);

const count = async (events: AsyncIterable<{ type: string }>, delta: string) => {
  let n = 0;
  for await (const e of events) if (e.type === delta) n++;
  if (n < Number(values.words) - 9) throw new Error(`only ${n} deltas`);
};
const contenders: Record<string, () => Promise<void>> = {
  'bare SDK': async () => count(await client.messages.create({ model: MODEL, max_tokens: 4000, stream: true, messages }), 'content_block_delta'),
  'adapter.stream': () => count(adapter.stream({ model: MODEL, messages, maxTokens: 4000 }), 'text-delta'),
  'adapter.stream + signal': () => count(adapter.stream({ model: MODEL, messages, maxTokens: 4000, signal: new AbortController().signal }), 'text-delta'),
  'router + chain': async () => {
    let n = 0;
    await forEachEvent((await router.stream({ request: { messages, maxTokens: 4000 } })).events, (e) => void (e.type === 'text-delta' && n++));
    if (n < Number(values.words) - 9) throw new Error(`only ${n} deltas`);
  },
  'router + chain + signal': async () => {
    let n = 0;
    const signal = new AbortController().signal;
    await forEachEvent((await router.stream({ request: { messages, maxTokens: 4000, signal }, signal })).events, (e) => void (e.type === 'text-delta' && n++));
    if (n < Number(values.words) - 9) throw new Error(`only ${n} deltas`);
  },
  'runtime.stream direct': () => count(direct.stream(skill, { question: QUESTION }), 'text-delta'),
  'runtime.stream': () => count(routed.stream(skill, { question: QUESTION }), 'text-delta'),
};
if (values.profile !== undefined) {
  // One contender alone (for --cpu-prof): blocks x streams of it, no pairing.
  const run = contenders[values.profile]!;
  for (let i = 0; i < BLOCKS * STREAMS; i++) await run();
  process.exit(0);
}
const names = Object.keys(contenders).filter((n) => n === 'bare SDK' || values.only === undefined || values.only.split(',').includes(n));
for (let i = 0; i < 30; i++) for (const n of names) await contenders[n]!();
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const load0 = loadavg();
for (let b = 0; b < BLOCKS; b++) {
  for (const n of names.map((_, i) => names[(i + b) % names.length]!)) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < STREAMS; i++) await contenders[n]!();
    const c = process.cpuUsage(c0);
    cpu[n]!.push((c.user + c.system) / STREAMS);
  }
}
const deltas = chunks.filter((c) => new TextDecoder().decode(c).includes('content_block_delta')).length;
console.log(`in process (recorded SSE, no HTTP), ${deltas} deltas per stream, ${BLOCKS} blocks x ${STREAMS} streams, load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const n of names) {
  const added = cpu[n]!.map((x, i) => (x - cpu['bare SDK']![i]!) / deltas);
  const [q1, q3] = quartiles(added);
  console.log(`${n.padEnd(16)} ${median(cpu[n]!).toFixed(0).padStart(6)} µs CPU/stream; over bare ${median(added).toFixed(3)} µs per delta (IQR ${q1.toFixed(3)}–${q3.toFixed(3)})`);
}
