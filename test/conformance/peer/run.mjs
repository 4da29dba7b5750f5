#!/usr/bin/env node
/**
 * Peer replay: serves recorded real provider responses (other projects' recordings, read in place from
 * <fixtures dir>, never copied here) to the built adapters through the official SDKs over HTTP on
 * 127.0.0.1, and compares what each adapter produced with this project's expectation file for the
 * fixture (test/conformance/peer-expectations/<dir>/<file>.json).
 *
 *   npm run conformance:peer -- <fixtures dir> [--only SUBSTR] [--write]
 *
 * An expectation says how the fixture is served (status, whether a multi-message recording is split)
 * and what must come out: the error kind, or the neutral fields (text and tool arguments as SHA-256 and
 * length, so no recorded content is copied into this repository), the usage, the stop reason, the kinds
 * of parts, reasoning, citations, refusal and unmapped fields. Every stream is also checked against the
 * stream contract (one final `stop`, text-deltas adding up to the text, tool-call-end events equal to the
 * tool calls, reasoning never inside the text). Exits 1 on any mismatch, crash or missing expectation.
 * `--write` records what the adapters produce as expectation files for fixtures that have none (each one
 * must then be read against its fixture before it is committed).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const EXPECTATIONS = join(ROOT, 'test/conformance/peer-expectations');
const args = process.argv.slice(2);
const optionValue = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const ONLY = optionValue('--only');
const WRITE = args.includes('--write');
const fixturesArg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');
if (!fixturesArg) {
  console.error('usage: npm run conformance:peer -- <fixtures dir> [--only SUBSTR] [--write]');
  process.exit(2);
}
const FIXTURES = resolve(fixturesArg);
if (!existsSync(FIXTURES) || !statSync(FIXTURES).isDirectory()) {
  console.error(`conformance:peer: no fixtures directory at ${FIXTURES}`);
  process.exit(2);
}
const dist = join(ROOT, 'packages/adapters/dist/index.js');
if (!existsSync(dist)) {
  console.error('conformance:peer: the adapters are not built (run npm run build)');
  process.exit(2);
}
const { AnthropicAdapter, OpenAIAdapter, CohereAdapter, EngineError } = await import(pathToFileURL(dist).href);

// The run ends by itself even if a case hangs.
setTimeout(() => {
  console.error('conformance:peer: watchdog fired after 120 s');
  process.exit(3);
}, 120_000).unref();

// ---- Cases ------------------------------------------------------------------------------------

const providerOf = (dir) => (dir.startsWith('anthropic') ? 'anthropic' : dir.startsWith('openai') ? 'openai' : dir.startsWith('cohere') ? 'cohere' : undefined);
const expectationPath = (rel) => join(EXPECTATIONS, `${rel}.json`);
const readExpectation = (rel) => (existsSync(expectationPath(rel)) ? JSON.parse(readFileSync(expectationPath(rel), 'utf8')) : undefined);

/** The whole messages of an Anthropic JSON-lines recording, when it holds several one after another. */
function anthropicMessages(lines) {
  const segments = [];
  let current = [];
  for (const line of lines) {
    const type = JSON.parse(line).type;
    if (type === 'message_start' && current.length > 0 && JSON.parse(current.at(-1)).type === 'message_stop') {
      segments.push(current);
      current = [];
    }
    current.push(line);
  }
  segments.push(current);
  return segments;
}

/** Recorder wrappers hold the body under response.body with its status. */
function unwrap(json) {
  if (json && typeof json === 'object' && json.response && typeof json.response === 'object' && 'body' in json.response) {
    return { body: json.response.body, status: json.response.status ?? 200 };
  }
  return { body: json, status: undefined };
}

function buildCases() {
  const cases = [];
  for (const dir of readdirSync(FIXTURES).sort()) {
    const provider = providerOf(dir);
    if (!provider || !statSync(join(FIXTURES, dir)).isDirectory()) continue;
    const files = readdirSync(join(FIXTURES, dir)).sort();
    for (const name of files) {
      if (name === 'manifest.json' || name === 'error-stub.json' || name.startsWith('.')) continue;
      const rel = `${dir}/${name}`;
      const expectation = readExpectation(rel);
      const raw = readFileSync(join(FIXTURES, dir, name), 'utf8');
      const base = { rel, provider, expectation };
      if (name.endsWith('.json')) {
        const { body, status } = unwrap(JSON.parse(raw));
        const hasError = body && typeof body === 'object' && (body.type === 'error' || (body.error && !body.choices));
        cases.push({ ...base, mode: 'generate', body: JSON.stringify(body), status: expectation?.status ?? status ?? (hasError ? 400 : 200) });
      } else if (name.endsWith('.sse') || /^(event|data):/m.test(raw.split('\n')[0] ?? '')) {
        cases.push({ ...base, mode: 'stream', sse: raw, status: 200 });
      } else if (name.endsWith('.chunks.txt')) {
        const lines = raw.split('\n').filter((l) => l.trim() !== '');
        const segments = provider === 'anthropic' && expectation?.split !== false ? anthropicMessages(lines) : [lines];
        if (segments.length === 1) cases.push({ ...base, mode: 'stream', chunks: lines, status: 200 });
        else segments.forEach((chunks, i) => cases.push({ ...base, segment: `${i + 1}/${segments.length}`, mode: 'stream', chunks, status: 200 }));
      }
    }
    // A manifest lists the statuses some recordings were served with; missing files get the error stub.
    const manifest = join(FIXTURES, dir, 'manifest.json');
    const stub = join(FIXTURES, dir, 'error-stub.json');
    if (existsSync(manifest) && existsSync(stub)) {
      for (const entry of JSON.parse(readFileSync(manifest, 'utf8'))) {
        if (files.includes(entry.file)) continue;
        const rel = `${dir}/${entry.file}`;
        cases.push({ rel, provider, expectation: readExpectation(rel), mode: entry.stream ? 'stream' : 'generate', body: readFileSync(stub, 'utf8'), status: entry.status });
      }
    }
  }
  return cases.filter((c) => !ONLY || c.rel.includes(ONLY));
}

function wire(c) {
  if (c.status >= 400 || c.mode === 'generate') return { type: 'application/json', body: c.body };
  if (c.sse !== undefined) return { type: 'text/event-stream', body: c.sse };
  if (c.provider === 'openai') return { type: 'text/event-stream', body: c.chunks.map((l) => `data: ${l}\n\n`).join('') + 'data: [DONE]\n\n' };
  return { type: 'text/event-stream', body: c.chunks.map((l) => `event: ${JSON.parse(l).type}\ndata: ${l}\n\n`).join('') };
}

// ---- Server and adapters --------------------------------------------------------------------------

let current;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const { type, body } = wire(current);
    const buf = Buffer.from(body);
    res.writeHead(current.status, { 'content-type': type, 'content-length': buf.length, 'request-id': 'req_peer', 'x-request-id': 'req_peer' });
    res.end(buf);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

function adapterFor(provider) {
  const options = { apiKey: 'sk-peer-replay', timeoutMs: 10_000 };
  if (provider === 'anthropic') return new AnthropicAdapter({ ...options, baseURL: origin });
  if (provider === 'openai') return new OpenAIAdapter({ ...options, baseURL: `${origin}/v1` });
  return new CohereAdapter({ ...options, baseURL: origin });
}

async function run(c) {
  current = c;
  const adapter = adapterFor(c.provider);
  const request = { model: 'fixture-model', messages: [{ role: 'user', content: 'hi' }] };
  const out = { events: [], response: undefined, error: undefined };
  try {
    if (c.mode === 'stream') {
      for await (const e of adapter.stream(request)) out.events.push(e);
      const last = out.events.at(-1);
      out.response = last?.type === 'stop' ? last.response : undefined;
    } else out.response = await adapter.generate(request);
  } catch (err) {
    out.error = err;
  }
  return out;
}

// ---- What came out, in the expectation's shape ----------------------------------------------------

const canon = (v) => (Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v);
const sha = (v) => createHash('sha256').update(typeof v === 'string' ? v : JSON.stringify(canon(v))).digest('hex').slice(0, 16);
const digest = (s) => ({ length: s.length, sha256: sha(s) });

function summarize(c, out) {
  if (out.error) {
    if (!(out.error instanceof EngineError)) return { crashed: `${out.error?.constructor?.name ?? typeof out.error}: ${String(out.error?.message ?? out.error).slice(0, 200)}` };
    return { error: out.error.kind };
  }
  const r = out.response;
  if (!r) return { crashed: 'the stream ended without a stop event' };
  const summary = {
    text: digest(r.text),
    toolCalls: r.toolCalls.map((t) => ({ id: t.id, name: t.name, argumentKeys: Object.keys(t.arguments).sort(), arguments: sha(t.arguments) })),
    usage: r.usage,
    stopReason: r.stopReason,
    model: r.model,
    parts: (r.parts ?? []).map((p) => (p.type === 'other' ? `other:${p.kind}` : p.type)),
    partsSha256: sha(r.parts ?? []),
  };
  const reasoning = (r.parts ?? []).filter((p) => p.type === 'reasoning');
  if (reasoning.length) summary.reasoning = reasoning.map((p) => ({ text: digest(p.text), signature: p.signature ? digest(p.signature) : null, redacted: p.redacted ? digest(p.redacted) : null }));
  if (r.citations) summary.citations = { count: r.citations.length, sha256: sha(r.citations) };
  if (r.refusal) summary.refusal = { text: digest(r.refusal.text), category: r.refusal.category ?? null, explanation: r.refusal.explanation ? digest(r.refusal.explanation) : null };
  if (r.stopSequence) summary.stopSequence = r.stopSequence;
  if (r.unmapped) summary.unmapped = r.unmapped.map((u) => u.field);
  if (c.mode === 'stream') {
    const counts = {};
    for (const e of out.events) counts[e.type] = (counts[e.type] ?? 0) + 1;
    summary.events = counts;
  }
  return summary;
}

/** The stream contract and the content rules every reply must keep, whatever its fixture. */
function contract(c, out) {
  const problems = [];
  const r = out.response;
  if (!r || out.error) return problems;
  if (r.requestId !== 'req_peer') problems.push(`requestId ${r.requestId} (the response carried req_peer)`);
  for (const p of r.parts ?? []) {
    if ((p.type === 'reasoning' || p.type === 'tool-plan' || p.type === 'refusal') && p.text.trim().length >= 12 && r.text.includes(p.text)) problems.push(`${p.type} text inside the reply text`);
  }
  if (c.mode === 'stream') {
    const ev = out.events;
    if (ev.filter((e) => e.type === 'stop').length !== 1 || ev.at(-1)?.type !== 'stop') problems.push('not exactly one stop event, last');
    if (ev.filter((e) => e.type === 'text-delta').map((e) => e.text).join('') !== r.text) problems.push('text-deltas do not add up to the text');
    const ends = ev.filter((e) => e.type === 'tool-call-end').map((e) => e.call);
    if (JSON.stringify(canon(ends)) !== JSON.stringify(canon(r.toolCalls))) problems.push('tool-call-end events differ from toolCalls');
    const closed = new Set([...ends.map((x) => x.id), ...ev.filter((e) => e.type === 'tool-call-abandoned').map((e) => e.id)]);
    for (const s of ev.filter((e) => e.type === 'tool-call-start')) if (!closed.has(s.id)) problems.push(`tool-call-start ${s.id} never ends`);
    if (!ev.some((e) => e.type === 'usage')) problems.push('no usage event');
  }
  return problems;
}

/** Differences between the expectation and what came out, as `path: expected != actual`. */
function diff(expected, actual, path = '', out = []) {
  if (JSON.stringify(canon(expected)) === JSON.stringify(canon(actual))) return out;
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    for (const k of new Set([...Object.keys(expected), ...Object.keys(actual)])) diff(expected[k], actual[k], path ? `${path}.${k}` : k, out);
  } else out.push(`${path || '(whole)'}: expected ${JSON.stringify(expected)?.slice(0, 120)} got ${JSON.stringify(actual)?.slice(0, 120)}`);
  return out;
}

// ---- Main -------------------------------------------------------------------------------------

const cases = buildCases();
const tally = { correct: 0, wrong: 0, crashed: 0, missing: 0, skipped: 0 };
const written = new Map();
for (const c of cases) {
  const id = c.segment ? `${c.rel}#${c.segment}` : c.rel;
  if (c.expectation?.skip) {
    tally.skipped++;
    console.log(`SKIPPED  ${id} — ${c.expectation.skip}`);
    continue;
  }
  const out = await run(c);
  const got = summarize(c, out);
  const want = c.segment ? c.expectation?.segments?.[c.segment] : c.expectation?.expect;
  const problems = contract(c, out);
  if (want === undefined) {
    if (WRITE) {
      const file = written.get(c.rel) ?? { fixture: c.rel, mode: c.mode, status: c.status, ...c.expectation };
      if (c.segment) (file.segments ??= {})[c.segment] = got;
      else file.expect = got;
      written.set(c.rel, file);
    }
    tally.missing++;
    console.log(`MISSING  ${id} — no expectation${WRITE ? ' (written)' : ''}${problems.length ? ` | ${problems.join(' | ')}` : ''}`);
    continue;
  }
  problems.push(...diff(want, got));
  const verdict = got.crashed ? 'CRASHED' : problems.length ? 'WRONG' : 'CORRECT';
  tally[verdict.toLowerCase()]++;
  console.log(`${verdict.padEnd(8)} ${id}${problems.length ? ` — ${problems.join(' | ')}` : ''}`);
}
for (const [rel, file] of written) {
  mkdirSync(dirname(expectationPath(rel)), { recursive: true });
  writeFileSync(expectationPath(rel), JSON.stringify(file, null, 2) + '\n');
}
await new Promise((r) => server.close(r));
console.log(`\nconformance:peer ${relative(process.cwd(), FIXTURES) || '.'}: ${cases.length} cases, correct ${tally.correct}, wrong ${tally.wrong}, crashed ${tally.crashed}, missing ${tally.missing}, skipped ${tally.skipped}`);
process.exit(tally.wrong + tally.crashed + tally.missing > 0 ? 1 : 0);
