import { describe, expect, it } from 'vitest';
import { createTextOutput } from '../src/run/text-output.js';
import { formatCost, formatUsageTable, UsageByEngine } from '../src/run/usage-table.js';
import { progressLine } from '../src/run/progress.js';

describe('text output of concurrent steps', () => {
  it('gives stdout to the first step with text and holds the others until it ends', () => {
    let out = '';
    const text = createTextOutput((t) => (out += t));
    text.delta('a', 'Alpha ');
    text.delta('b', 'Beta ');
    text.delta('a', 'one');
    text.delta('b', 'two');
    expect(out).toBe('Alpha one');
    text.stepEnded('a');
    // b's held text is written at once, on its own line, and b now owns stdout.
    expect(out).toBe('Alpha one\nBeta two');
    text.delta('b', ' three');
    expect(out).toBe('Alpha one\nBeta two three');
    text.stepEnded('b');
    text.delta('c', 'Gamma');
    expect(out).toBe('Alpha one\nBeta two three\nGamma');
    expect(text.written).toBe(out);
  });

  it('writes steps that finished while held in the order they started producing text', () => {
    let out = '';
    const text = createTextOutput((t) => (out += t));
    text.delta('a', 'A');
    text.delta('b', 'B');
    text.delta('c', 'C');
    text.stepEnded('c');
    text.stepEnded('b');
    text.stepEnded('a');
    expect(out).toBe('A\nB\nC');
  });

  it('the end of a for_each step ends all of its items', () => {
    let out = '';
    const text = createTextOutput((t) => (out += t));
    text.delta('each [0]', 'p');
    text.delta('each [1]', 'q');
    text.delta('other', 'o');
    text.stepEnded('each', true);
    expect(out).toBe('p\nq\no');
    text.delta('other', 'o');
    expect(out).toBe('p\nq\noo');
  });

  it('flush writes held text of a run that ended early; breakLine ends a partial line once', () => {
    let out = '';
    const text = createTextOutput((t) => (out += t));
    text.delta('a', 'A');
    text.delta('b', 'B');
    text.flush();
    expect(out).toBe('A\nB');
    text.breakLine();
    text.breakLine();
    expect(out).toBe('A\nB\n');
  });
});

describe('usage and cost per engine', () => {
  it.each([
    [0, '$0'],
    [0.000123, '$0.000123'],
    [0.0099999, '$0.0100'],
    [0.5, '$0.5000'],
    [12.3456789, '$12.3457'],
  ])('formats %s dollars as %s', (usd, shown) => {
    expect(formatCost(usd)).toBe(shown);
  });

  it('sums usage events by engine in first-use order and aligns the table', () => {
    const usage = new UsageByEngine();
    const origin = { skill: 's', path: ['x'], step: 'x' };
    usage.add({ type: 'usage', engine: 'gpt', model: 'gpt-5.4', usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.001, ...origin });
    usage.add({ type: 'usage', engine: 'claude', model: 'claude-sonnet-5', usage: { inputTokens: 100, outputTokens: 50 }, costUsd: 0.002, ...origin });
    usage.add({ type: 'usage', engine: 'gpt', model: 'gpt-5.4', usage: { inputTokens: 1, outputTokens: 2 }, costUsd: 0.0005, ...origin });
    usage.add({ type: 'step-start', ...origin });
    const rows = usage.list();
    expect(rows.map((r) => [r.engine, r.calls, r.inputTokens, r.outputTokens])).toEqual([
      ['gpt', 2, 11, 7],
      ['claude', 1, 100, 50],
    ]);
    const table = formatUsageTable(rows, { inputTokens: 111, outputTokens: 57, cost: 0.0035 });
    expect(table).toBe(
      [
        'engine  model            calls  input tokens  output tokens      cost',
        'gpt     gpt-5.4              2            11              7  $0.00150',
        'claude  claude-sonnet-5      1           100             50  $0.00200',
        'total                        3           111             57  $0.00350',
        '',
      ].join('\n'),
    );
  });
});

describe('progress lines', () => {
  const origin = { skill: 's', path: ['parts', 'split'], step: 'split', index: 3 };
  it.each([
    [{ type: 'step-start', ...origin }, '▸ parts › split [3]'],
    [{ type: 'step-end', status: 'ok', output: null, durationMs: 12.4, ...origin }, '✓ parts › split [3] (12 ms)'],
    [{ type: 'step-end', status: 'skipped', output: null, durationMs: 0, ...origin }, '– parts › split [3] skipped (when: false)'],
    [{ type: 'engine-switch', from: 'claude', to: 'gpt', reason: 'overloaded', ...origin }, '⇄ parts › split [3]: engine claude → gpt (overloaded)'],
    [{ type: 'text-delta', text: 'x', ...origin }, undefined],
  ] as const)('%o', (event, line) => {
    expect(progressLine(event as never)).toBe(line);
  });
});
