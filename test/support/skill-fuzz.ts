import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBytes, type Diagnostic, SourceFile } from '@sdl/compiler';

/**
 * A seeded mutator over real skill files and the checks the fuzz test and `bench/fuzz` make on
 * every mutant: the front end does not throw, finishes in time, gives the same diagnostics twice,
 * and every range lies inside the file. Seeded (mulberry32) so a failure is replayed from its seed.
 */

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  ':', ': ', '-', '- ', '\t', '"', "'", '[', ']', '{', '}', '{{', '}}', '{{ ', ' }}', '&a ', '*a', '!tag ', '!!set ', '? ', ',', '#', '|', '>', '|-\n',
  '\n', '\r\n', '\r', '  ', '---\n', '...\n', '%YAML 1.2\n', '\ufeff', '\u0000', '\u2028', '日本', '😀', '👩‍👩‍👧', 'é', '\\', '\\u00', '<<: *a\n',
  'sk-ant-api03-abcdefghijklmnopqrstuvwxyz', 'AKIAABCDEFGHIJKLMNOP', 'api_key: x', 'id: draft', 'prompt:', 'tool: x', 'for_each: inputs.x', 'as: item',
  '{{ inputs.', '{{ steps.', ' == ', ' ? ', ' : ', '.map(x, ', '.filter(', ' in [', 'size(', 'matches("', '"[a-', '(', ')', '{a: ', '[1, ',
  'uses:\n  x: { skill: ./x.skill.yaml }\n', 'engines:\n  prefer: [claude, claude]\n', '__proto__', 'constructor', 'true', 'null', '~', '1e999', '0x', '-.inf',
];

/** Text that makes parsers and checkers work hard: deep nesting, long runs, many keys or items. */
function amplifier(rand: () => number, most: number): string {
  const n = 1 + Math.floor(rand() ** 3 * most);
  const pick = Math.floor(rand() * 14);
  switch (pick) {
    case 0: return '['.repeat(n) + ']'.repeat(Math.floor(rand() * n));
    case 1: return '{a: '.repeat(n) + '1' + '}'.repeat(Math.floor(rand() * n));
    case 2: return '[{'.repeat(n) + '}]'.repeat(Math.floor(rand() * n));
    case 3: return '"' + 'x'.repeat(n * 50) + '"';
    case 4: return '😀'.repeat(n * 10);
    case 5: return Array.from({ length: n }, (_, i) => `\n  k${i}: ${i}`).join('');
    case 6: return Array.from({ length: n }, (_, i) => `\nk${i}: v`).join('');
    case 7: return '{{ ' + '('.repeat(n) + '1' + ')'.repeat(Math.floor(rand() * n)) + ' }}';
    case 8: return '{{ ' + '{1: '.repeat(n) + '1' + '}'.repeat(Math.floor(rand() * n)) + ' }}';
    case 9: return '{{ ' + '"😀😀" + '.repeat(n) + '1 }}';
    case 10: return Array.from({ length: Math.min(n, 2000) }, (_, i) => `\n${' '.repeat(i % 200)}- `).join('');
    case 11: return '\n  - id: a\n    prompt: { user: "{{ inputs.q }}" }'.repeat(Math.min(n, 3000));
    case 12: return '{{ x }}'.repeat(n);
    default: return Array.from({ length: Math.min(n, 500) }, (_, i) => ' '.repeat(i) + 'k:\n').join('');
  }
}

/**
 * One mutant of `text`: a few random edits (insert a piece, delete, duplicate a line, CRLF, amplify).
 * `amplify` bounds the repetitions of an amplifier (3,000 by default; the CI test uses fewer, which
 * still nests past every limit).
 */
export function mutate(text: string, rand: () => number, amplify = 3000): string {
  let out = text;
  const edits = 1 + Math.floor(rand() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (out.length + 1));
    const kind = rand();
    if (kind < 0.4) out = out.slice(0, at) + PIECES[Math.floor(rand() * PIECES.length)]! + out.slice(at);
    else if (kind < 0.6) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 40));
    else if (kind < 0.72) {
      const start = out.lastIndexOf('\n', at - 1) + 1;
      const end = out.indexOf('\n', at);
      const line = out.slice(start, end === -1 ? out.length : end + 1);
      out = out.slice(0, start) + line.repeat(1 + Math.floor(rand() * 3)) + out.slice(start);
    } else if (kind < 0.78) out = out.replace(/\r?\n/g, '\r\n');
    else if (kind < 0.84) {
      // Swap in a random slice of the file elsewhere (moves whole keys and blocks around).
      const from = Math.floor(rand() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(rand() * 200)) + out.slice(at);
    } else if (kind < 0.9) out = out.slice(0, at) + amplifier(rand, amplify) + out.slice(at);
    else out = out.slice(0, at) + String.fromCodePoint(Math.floor(rand() * 0x3000)) + out.slice(at);
  }
  return out;
}

/** Checks every seed once, so one-time work (compiling the schema validators) is not charged to the first mutant. */
export function warmUp(corpus: readonly { text: string }[]): void {
  const encoder = new TextEncoder();
  for (const { text } of corpus) checkBytes(encoder.encode(text), 'warm.skill.yaml');
}

/** The skill files the mutator starts from: the repository's skills, test fixtures and regression fixtures. */
export function seedCorpus(repoRoot: string): { name: string; text: string }[] {
  const found: { name: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.skill.yaml') || entry.name.endsWith('.fuzz')) found.push({ name: full.slice(repoRoot.length + 1), text: readFileSync(full, 'utf8') });
    }
  };
  for (const dir of ['skills', 'test/fixtures']) walk(join(repoRoot, dir));
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** What went wrong with one input (none when it passed). */
export interface FuzzProblem {
  kind: 'crash' | 'slow' | 'nondeterministic' | 'outside';
  detail: string;
}

/** The result of checking one input twice. */
export interface FuzzOutcome {
  /** CPU time of the first check (user + system): what the input costs, not how loaded the machine is. */
  cpuMs: number;
  /** Wall time of the first check. */
  ms: number;
  diagnostics: number;
  problems: FuzzProblem[];
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Problems with positions: a range must lie inside the decoded text, end after start, on real columns (a CRLF's `\n` is no column). */
export function positionProblems(diagnostics: readonly Diagnostic[], bytes: Uint8Array): string[] {
  let text = decoder.decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const source = new SourceFile('x', text);
  const lengths = new Map<number, number>();
  const lineLength = (line: number) => {
    let n = lengths.get(line);
    if (n === undefined) lengths.set(line, (n = [...source.lineText(line)].length));
    return n;
  };
  const inside = (p: { line: number; column: number }) => Number.isInteger(p.line) && Number.isInteger(p.column) && p.line >= 1 && p.line <= source.lineCount && p.column >= 1 && p.column <= lineLength(p.line) + 1;
  const out: string[] = [];
  for (const d of diagnostics) {
    const { start, end } = d.range;
    const ordered = end.line > start.line || (end.line === start.line && end.column >= start.column);
    if (!inside(start) || !inside(end) || !ordered) out.push(`${d.code} ${start.line}:${start.column}-${end.line}:${end.column}`);
  }
  return out;
}

/**
 * Checks `bytes` twice with the front end and reports every broken property. "Slow" is judged on CPU
 * time, so a machine shared with other work does not turn a fast input into a failure.
 */
export function fuzzOne(bytes: Uint8Array, limitMs = 1000): FuzzOutcome {
  const problems: FuzzProblem[] = [];
  let first: Diagnostic[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    first = checkBytes(bytes, 'fuzz.skill.yaml').diagnostics;
  } catch (error) {
    problems.push({ kind: 'crash', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const ms = performance.now() - t0;
  if (cpuMs > limitMs) problems.push({ kind: 'slow', detail: `${cpuMs.toFixed(0)} ms CPU (${ms.toFixed(0)} ms wall)` });
  if (problems.length === 0) {
    let second: Diagnostic[] = [];
    try {
      second = checkBytes(bytes, 'fuzz.skill.yaml').diagnostics;
    } catch (error) {
      problems.push({ kind: 'crash', detail: `second run: ${error instanceof Error ? error.message : String(error)}` });
    }
    const a = JSON.stringify(first);
    const b = JSON.stringify(second);
    if (problems.length === 0 && a !== b) problems.push({ kind: 'nondeterministic', detail: firstDifference(first, second) });
    const outside = positionProblems(first, bytes);
    if (outside.length > 0) problems.push({ kind: 'outside', detail: outside.slice(0, 3).join(', ') });
  }
  return { cpuMs, ms, diagnostics: first.length, problems };
}

function firstDifference(a: readonly Diagnostic[], b: readonly Diagnostic[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) return `#${i}: ${x} vs ${y}`.slice(0, 400);
  }
  return '';
}
