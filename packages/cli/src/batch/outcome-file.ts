/**
 * The results and failures files of `skillc batch`: JSON Lines, one per input line, appended as
 * outcomes arrive. Reading them back is how a rerun resumes: a line whose recorded key (skill and
 * input content hash) is the line's current key is done; a record with another key is stale (the
 * skill or the input changed) and is dropped so the line runs again. A last line cut short by a
 * crash is dropped too.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

/** One record as read back: the line it answers and the key it was computed under. */
export interface OutcomeRecord {
  line: number;
  key: string;
  text: string;
}

/** A file that is not one `skillc batch` wrote; the message says which line and what to do. */
export class OutcomeFileError extends Error {}

/** Reads the records of an outcome file (none when it does not exist). */
export function readOutcomeFile(file: string, shown: string): { records: OutcomeRecord[]; cutShort: boolean } {
  if (!existsSync(file)) return { records: [], cutShort: false };
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const cutShort = !text.endsWith('\n') && text !== '';
  // The last element is '' for a complete file, or the cut-short tail of an interrupted write.
  const complete = lines.slice(0, -1);
  const records: OutcomeRecord[] = [];
  complete.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: { line?: unknown; key?: unknown };
    try {
      value = JSON.parse(raw) as typeof value;
    } catch {
      throw new OutcomeFileError(`${shown}:${i + 1}:1: not a line written by skillc batch; move the file away or pass another --out/--failures`);
    }
    if (typeof value.line !== 'number' || typeof value.key !== 'string') {
      throw new OutcomeFileError(`${shown}:${i + 1}:1: a result line needs \`line\` and \`key\`; this file was not written by skillc batch (move it away or pass another --out/--failures)`);
    }
    records.push({ line: value.line, key: value.key, text: raw });
  });
  return { records, cutShort };
}

/** Rewrites `file` with just `records` (temp file, then rename), when some were dropped or the tail was cut short. */
export function rewriteOutcomeFile(file: string, records: readonly OutcomeRecord[]): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    if (records.length > 0) writeSync(fd, `${records.map((r) => r.text).join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** An append-only outcome file; each record is one write of one whole line. */
export class OutcomeWriter {
  private readonly fd: number;
  /** `scrub` is the last defence against a configured secret reaching the file. */
  constructor(
    file: string,
    private readonly scrub: (text: string) => string = (text) => text,
  ) {
    this.fd = openSync(file, 'a');
  }
  append(record: object): void {
    writeSync(this.fd, `${this.scrub(JSON.stringify(record))}\n`);
  }
  close(): void {
    closeSync(this.fd);
  }
}
