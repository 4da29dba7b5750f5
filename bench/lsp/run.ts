/**
 * Language-server benchmark: a generated 300-line skill (plus the skill it uses) in a temporary
 * project. Measures, in the same run:
 *   (a) baseline: a cold check of the project as `skillc check` runs it (a new `ProjectBuilder`);
 *   (b) re-checking after a one-character edit, in process: `Project.setText` + `Project.diagnostics`
 *       (what the server runs per edit, without the JSON-RPC);
 *   (c) the same over stdio: `skillc lsp` as a child, one incremental `didChange` of one character,
 *       timed until the `publishDiagnostics` of that version arrives (the editor's view);
 *   (d) completion latency at `{{ inputs.` in a template, in process and over stdio.
 * Prints p50 / p90 / p99 / max and the load average before and after.
 *
 *   npm run build && npx tsx bench/lsp/run.ts [--edits 300]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
// The built packages (dist/): run `npm run build` first.
import { parseDocument } from 'yaml';
import { buildProject } from '@sdl/compiler';
import { complete, Project } from '@sdl/lsp';

const { values } = parseArgs({ options: { edits: { type: 'string', default: '300' } } });
const EDITS = Number(values.edits);
const BIN = fileURLToPath(new URL('../../packages/cli/bin/skillc.js', import.meta.url));

const HELPER = `sdl: "1.0"
name: helper
version: 1.0.0
description: Summarizes a text.
inputs: { type: object, required: [text], properties: { text: { type: string } } }
outputs: { type: object, properties: { summary: { type: string }, points: { type: array, items: { type: string } } } }
steps:
  - id: only
    prompt: { user: "{{ inputs.text }}" }
    output: outputs
return: steps.only.output
`;

/** A skill of about 300 lines: inputs, a use step, prompt steps reading each other, loops, tests. */
function skill(): string {
  const lines = ['sdl: "1.0"', 'name: big', 'version: 1.0.0', 'description: A generated skill for the language-server benchmark.', 'inputs:', '  type: object', '  properties:'];
  for (let i = 0; i < 8; i++) lines.push(`    field_${i}: { type: string, description: Field number ${i}. }`);
  lines.push('    items: { type: array, items: { type: string } }');
  lines.push('uses:', '  helper: { skill: ./helper.skill.yaml, version: ^1.0.0 }', 'steps:', '  - id: summary', '    use: helper', '    with: { text: inputs.field_0 }');
  for (let s = 0; s < 22; s++) {
    lines.push(`  - id: step_${s}`);
    if (s % 4 === 3) lines.push('    for_each: inputs.items', '    as: item');
    lines.push('    prompt:', `      system: You are step ${s}; answer briefly and precisely.`, '      user: |');
    lines.push(`        Consider {{ inputs.field_${s % 8} }} and {{ steps.summary.output.summary }}.`);
    if (s > 0) lines.push(`        The previous step said: {{ steps.step_${s - 1}.output }}`);
    lines.push(`        {{#each steps.summary.output.points as point}}- {{ point }}{{/each}}`);
    lines.push(s % 4 === 3 ? '        Item {{ index }}: {{ item }}' : `        Size: {{ size(inputs.field_${(s + 1) % 8}) }}`);
    lines.push('        Answer in one sentence.');
  }
  lines.push('return: steps.step_21.output', 'tests:');
  for (let t = 0; lines.length < 296; t++) lines.push(`  - name: case ${t}`, `    input: { field_0: hello ${t}, items: [a, b] }`, '    replies:', `      step_0: reply ${t}`);
  return `${lines.join('\n')}\n`;
}

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(2)} ms · p90 ${q(0.9).toFixed(2)} · p99 ${q(0.99).toFixed(2)} · max ${s[s.length - 1]!.toFixed(2)} (n=${s.length})`;
}
const p50 = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

const root = mkdtempSync(path.join(tmpdir(), 'sdl-bench-lsp-'));
const file = path.join(root, 'big.skill.yaml');
const text = skill();
writeFileSync(path.join(root, 'package.json'), '{}');
writeFileSync(path.join(root, 'helper.skill.yaml'), HELPER);
writeFileSync(file, text);
const lineCount = text.split('\n').length - 1;
// The edited character: a letter of step_10's "Answer in one sentence." (a template, so re-binding runs).
const editAt = text.indexOf('Answer in one sentence.', text.indexOf('id: step_10'));
const edited = (i: number) => text.slice(0, editAt) + (i % 2 === 0 ? 'a' : 'A') + text.slice(editAt + 1);
const completeAt = text.indexOf('{{ inputs.field_', text.indexOf('id: step_12')) + '{{ inputs.'.length;

console.log(`bench/lsp — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
console.log(`skill: ${lineCount} lines, ${text.length} characters; ${EDITS} one-character edits; load average before ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// (a0) the floor: parsing the text with positions, nothing else.
const floor: number[] = [];
for (let i = 0; i < 100; i++) {
  const t0 = performance.now();
  parseDocument(text, { prettyErrors: false, uniqueKeys: false, strict: true });
  floor.push(performance.now() - t0);
}
console.log(`(a0) yaml.parseDocument of the skill (floor):      ${stats(floor)}`);

// (a) baseline: cold checks.
const cold: number[] = [];
for (let i = 0; i < 15; i++) {
  const t0 = performance.now();
  const result = buildProject(['.'], { cwd: root, emit: false });
  cold.push(performance.now() - t0);
  if (result.diagnostics.length > 0) throw new Error(`the generated skill has diagnostics: ${JSON.stringify(result.diagnostics[0])}`);
}
console.log(`(a) cold check of the project (baseline):           ${stats(cold)}`);

// (b) in process.
const project = new Project(root);
project.setText(file, text);
project.diagnostics();
const incremental: number[] = [];
const cpu: number[] = [];
for (let i = 1; i <= EDITS; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  project.setText(file, edited(i));
  project.diagnostics();
  incremental.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
console.log(`(b) re-check after a 1-char edit, in process:       ${stats(incremental)}  (${(p50(cold) / p50(incremental)).toFixed(1)}× faster than (a), ${(p50(incremental) / p50(floor)).toFixed(1)}× (a0) at p50)`);
console.log(`    CPU time of the same edits (user+system):       ${stats(cpu)}`);
const completions: number[] = [];
project.setText(file, text);
let items = 0;
for (let i = 0; i < EDITS; i++) {
  const t0 = performance.now();
  items = complete(project, project.file(file)!, completeAt).length;
  completions.push(performance.now() - t0);
}
console.log(`(d) completion at {{ inputs. (${items} items), in process: ${stats(completions)}`);

// (c) over stdio.
const child = spawn(process.execPath, [BIN, 'lsp'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
const waiting = new Map<number, () => void>();
connection.onNotification('textDocument/publishDiagnostics', (p: { version?: number }) => {
  if (p.version !== undefined) waiting.get(p.version)?.();
});
connection.listen();
const uri = pathToFileURL(file).href;
await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(root).href, workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'bench' }], capabilities: {} });
await connection.sendNotification('initialized', {});
const published = (version: number) => new Promise<void>((resolve) => waiting.set(version, resolve));
let ready = published(1);
await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
await ready;
const line = text.slice(0, editAt).split('\n').length - 1;
const character = editAt - (text.lastIndexOf('\n', editAt - 1) + 1);
const overStdio: number[] = [];
for (let i = 1; i <= EDITS; i++) {
  const version = i + 1;
  ready = published(version);
  const t0 = performance.now();
  await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: i % 2 === 0 ? 'a' : 'A' }] });
  await ready;
  overStdio.push(performance.now() - t0);
}
console.log(`(c) 1-char didChange → publishDiagnostics, stdio:   ${stats(overStdio)}`);
// Back to the original text, then completion over stdio.
ready = published(EDITS + 2);
await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: EDITS + 2 }, contentChanges: [{ text }] });
await ready;
const cLine = text.slice(0, completeAt).split('\n').length - 1;
const cChar = completeAt - (text.lastIndexOf('\n', completeAt - 1) + 1);
const completionStdio: number[] = [];
for (let i = 0; i < EDITS; i++) {
  const t0 = performance.now();
  await connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: cLine, character: cChar } });
  completionStdio.push(performance.now() - t0);
}
console.log(`(d) completion at {{ inputs., stdio round trip:       ${stats(completionStdio)}`);
await connection.sendRequest('shutdown');
await connection.sendNotification('exit');
connection.dispose();
rmSync(root, { recursive: true, force: true });
console.log(`load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
