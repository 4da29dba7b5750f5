/**
 * The Anthropic adapter's per-call pieces in process, this checkout against a baseline checkout
 * (issue 14): the request body (`toAnthropicBody`, the caller's request literal included), the
 * reply translation (`fromAnthropicMessage` of the emulator's reply) and the call deadline (made
 * and disposed with 16 others in flight, as at c=16; and alone, as serially). Per piece, bytes
 * allocated per call (100,000 calls kept alive, heap growth; run with a young generation that holds
 * them, so no GC runs inside) and CPU per call (5 x 100,000 calls), each tree's module in turn.
 *
 *   node --expose-gc --max-semi-space-size=256 --min-semi-space-size=256 --import tsx bench/runtime/adapter-pieces.ts <baseline checkout>
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { here, MODEL, QUESTION } from './setup.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const baseline = process.argv[2];
if (baseline === undefined) throw new Error('usage: adapter-pieces.ts <baseline checkout>');

const N = 100_000;
const kept: unknown[] = new Array(N);

/** Bytes per call (all `N` results kept) and ns per call of `f`. */
function measure(f: (i: number) => unknown): { bytes: number; ns: number } {
  for (let i = 0; i < 20_000; i++) kept[i % 1000] = f(i);
  gc!();
  gc!();
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) kept[i] = f(i);
  const bytes = (process.memoryUsage().heapUsed - h0) / N;
  const c0 = process.cpuUsage();
  for (let r = 0; r < 5; r++) for (let i = 0; i < N; i++) kept[i % 1000] = f(i);
  const c = process.cpuUsage(c0);
  return { bytes, ns: ((c.user + c.system) * 1000) / (5 * N) };
}

// The emulator's reply to the bench's question, as the SDK hands it over (with `_request_id`).
const reply = {
  id: 'msg_emu000001',
  type: 'message',
  role: 'assistant',
  model: MODEL,
  content: [{ type: 'text', text: `echo: ${QUESTION}` }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 13, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 14 },
  _request_id: 'req_emu000001',
};

type Pieces = Record<string, (i: number) => unknown>;

async function piecesOf(root: string): Promise<Pieces> {
  const src = (file: string) => import(pathToFileURL(resolve(root, 'packages/adapters/src', file)).href);
  const { toAnthropicBody } = await src('anthropic/convert.ts');
  const { fromAnthropicMessage } = await src('anthropic/response.ts');
  const { CallDeadline } = await src('shared/deadline.ts');
  // Made on first use, after the 'alone' rows of both trees (16 pending timers would keep a timer list alive for them).
  let ring: Array<{ dispose(): void }> | undefined;
  return {
    'request body (with the request literal)': () => toAnthropicBody({ model: MODEL, messages: [{ role: 'user', content: QUESTION }], maxTokens: 200 }, 200),
    'reply translation': () => fromAnthropicMessage(reply, reply._request_id),
    'call deadline, alone': () => {
      const deadline = new CallDeadline('anthropic', 60_000, undefined, true, true);
      deadline.dispose();
      return deadline;
    },
    'call deadline, 16 in flight': (i) => {
      ring ??= Array.from({ length: 16 }, () => new CallDeadline('anthropic', 60_000, undefined, true, true));
      const deadline = new CallDeadline('anthropic', 60_000, undefined, true, true);
      ring[i % 16]!.dispose();
      ring[i % 16] = deadline;
      return deadline;
    },
  };
}

const before = await piecesOf(baseline);
const after = await piecesOf(resolve(here('.'), '../..'));
console.log(`adapter pieces in process, ${N} calls each; baseline ${baseline}; Node ${process.version}; ${new Date().toISOString()}`);
console.log('piece                                      before B/call  after B/call   before ns  after ns');
for (const name of Object.keys(after)) {
  const b = measure(before[name]!);
  const a = measure(after[name]!);
  console.log(`${name.padEnd(42)} ${b.bytes.toFixed(0).padStart(13)} ${a.bytes.toFixed(0).padStart(13)} ${b.ns.toFixed(0).padStart(11)} ${a.ns.toFixed(0).padStart(9)}`);
}
process.exit(0);
