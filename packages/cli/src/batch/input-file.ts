/**
 * The input of `skillc batch`: JSON Lines, one skill input per line. A line is either the input
 * object itself (its `id`, if any, is carried into the result line) or `{"id": ..., "input": ...}`.
 * Blank lines are skipped; a line that is not JSON becomes a failure naming file:line:col.
 */
import { readFileSync } from 'node:fs';
import type { BatchItem } from '@sdl/runtime';

/** A line that could not be read as an input; it goes to the failures file with this code and message. */
export interface InputLineProblem {
  line: number;
  code: 'batch_input_json';
  message: string;
}

/** What {@link readBatchInput} found: the items, and the lines that are not JSON. */
export interface BatchInput {
  items: BatchItem[];
  problems: InputLineProblem[];
}

function idOf(value: unknown): string | undefined {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? String(value) : undefined;
}

/** Parses the JSON Lines text of `shown` (the name used in messages). */
export function parseBatchInput(text: string, shown: string): BatchInput {
  const items: BatchItem[] = [];
  const problems: InputLineProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const at = /position (\d+)/.exec((error as Error).message);
      const column = at ? [...raw.slice(0, Number(at[1]))].length + 1 : 1;
      problems.push({
        line,
        code: 'batch_input_json',
        message: `${shown}:${line}:${column}: this line is not JSON (${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}); write one JSON object per line`,
      });
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      if ('input' in obj && keys.every((k) => k === 'id' || k === 'input')) {
        const id = idOf(obj.id);
        items.push({ line, ...(id !== undefined ? { id } : {}), input: obj.input });
        continue;
      }
      const id = idOf(obj.id);
      items.push({ line, ...(id !== undefined ? { id } : {}), input: value });
      continue;
    }
    items.push({ line, input: value });
  }
  return { items, problems };
}

/** Reads and parses an input file. */
export function readBatchInput(file: string, shown: string): BatchInput {
  return parseBatchInput(readFileSync(file, 'utf8'), shown);
}
