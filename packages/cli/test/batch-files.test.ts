import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBatchInput } from '../src/batch/input-file.js';
import { OutcomeFileError, OutcomeWriter, readOutcomeFile, rewriteOutcomeFile } from '../src/batch/outcome-file.js';
import { progressBar, progressJson } from '../src/batch/progress.js';

describe('batch input (JSON Lines)', () => {
  it.each([
    ['an object is the input, its id carried', '{"id":"a1","text":"x"}', [{ line: 1, id: 'a1', input: { id: 'a1', text: 'x' } }]],
    ['an envelope {id, input}', '{"id":7,"input":{"text":"x"}}', [{ line: 1, id: '7', input: { text: 'x' } }]],
    ['an envelope without id', '{"input":{"text":"x"}}', [{ line: 1, input: { text: 'x' } }]],
    ['an object without id', '{"text":"x"}', [{ line: 1, input: { text: 'x' } }]],
    ['a non-object value', '"just text"', [{ line: 1, input: 'just text' }]],
    ['blank lines keep the numbering', '\n{"text":"x"}\r\n\n{"text":"y"}', [{ line: 2, input: { text: 'x' } }, { line: 4, input: { text: 'y' } }]],
  ])('%s', (_name, text, items) => {
    const parsed = parseBatchInput(text, 'data.jsonl');
    expect(parsed.problems).toEqual([]);
    expect(parsed.items).toEqual(items);
  });

  it('reports a line that is not JSON with file:line:col', () => {
    const parsed = parseBatchInput('{"text":"ok"}\n{"text": "é", oops}\n', 'data.jsonl');
    expect(parsed.items).toHaveLength(1);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]!.line).toBe(2);
    expect(parsed.problems[0]!.code).toBe('batch_input_json');
    expect(parsed.problems[0]!.message).toMatch(/^data\.jsonl:2:15: this line is not JSON \(.+\); write one JSON object per line$/);
  });
});

describe('batch outcome files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sdl-outcomes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what the writer appended, scrubbed', () => {
    const file = path.join(dir, 'r.jsonl');
    const writer = new OutcomeWriter(file, (t) => t.replace('SECRET', '[redacted]'));
    writer.append({ line: 1, key: 'k1', output: 'SECRET' });
    writer.append({ line: 3, key: 'k3', output: 'b' });
    writer.close();
    const { records, cutShort } = readOutcomeFile(file, 'r.jsonl');
    expect(cutShort).toBe(false);
    expect(records.map((r) => [r.line, r.key])).toEqual([[1, 'k1'], [3, 'k3']]);
    expect(readFileSync(file, 'utf8')).not.toContain('SECRET');
  });

  it('drops a last line cut short by a crash, and rewrites without it', () => {
    const file = path.join(dir, 'r.jsonl');
    writeFileSync(file, '{"line":1,"key":"k1"}\n');
    appendFileSync(file, '{"line":2,"ke');
    const { records, cutShort } = readOutcomeFile(file, 'r.jsonl');
    expect(cutShort).toBe(true);
    expect(records.map((r) => r.line)).toEqual([1]);
    rewriteOutcomeFile(file, records);
    expect(readFileSync(file, 'utf8')).toBe('{"line":1,"key":"k1"}\n');
  });

  it('refuses a file skillc batch did not write, naming the line', () => {
    const file = path.join(dir, 'r.jsonl');
    writeFileSync(file, '{"line":1,"key":"k1"}\nhello\n');
    expect(() => readOutcomeFile(file, 'r.jsonl')).toThrow(OutcomeFileError);
    expect(() => readOutcomeFile(file, 'r.jsonl')).toThrow(/^r\.jsonl:2:1: not a line written by skillc batch/);
    writeFileSync(file, '{"output":"x"}\n');
    expect(() => readOutcomeFile(file, 'r.jsonl')).toThrow(/^r\.jsonl:1:1: a result line needs `line` and `key`/);
  });

  it('a missing file has no records', () => {
    expect(readOutcomeFile(path.join(dir, 'none.jsonl'), 'none.jsonl')).toEqual({ records: [], cutShort: false });
  });
});

describe('batch progress', () => {
  const p = { total: 200, done: 50, skipped: 10, succeeded: 35, failed: 5, cost: 0.01234, rate: 12.5, etaSeconds: 12, elapsedMs: 3200 };
  it('draws a bar with rate, ETA, cost and failures', () => {
    expect(progressBar(p, 8)).toBe('██░░░░░░ 50/200 25% · 12.5/s · ETA 12s · $0.0123 · 5 failed');
  });
  it('writes one JSON object for a pipe', () => {
    expect(JSON.parse(progressJson(p))).toEqual({
      type: 'progress', done: 50, total: 200, succeeded: 35, failed: 5, skipped: 10, rate_per_s: 12.5, eta_s: 12, cost_usd: 0.01234, elapsed_ms: 3200,
    });
  });
});
