/**
 * The journal scan a checkpoint uses (`journalSessionNames`: names from frame lengths and line
 * breaks, no CRC, no record decoding) against the full parser, on any commits cut at any byte.
 */
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeJournalFrame, journalSessionNames, parseJournal, readJournalFrom, type JournalEntry } from '../../src/state/session-journal.js';

const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/);
const frame = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 40 }).map((text) => Buffer.from(`v1:${JSON.stringify({ text, emoji: '✓' })}`)),
);
const commit = fc.array(fc.record({ id, frame }), { minLength: 1, maxLength: 5 }) as fc.Arbitrary<JournalEntry[]>;

describe('journalSessionNames', () => {
  it('names the sessions parseJournal finds, removed or not, in the same order, for any commits cut anywhere', () => {
    fc.assert(
      fc.property(fc.array(commit, { maxLength: 6 }), fc.nat(), (commits, cutAt) => {
        const whole = Buffer.concat(commits.map((c) => encodeJournalFrame(c)));
        for (const bytes of [whole, whole.subarray(0, whole.length === 0 ? 0 : cutAt % (whole.length + 1))]) {
          const { last } = parseJournal(bytes);
          const expected = [...last].map(([name, f]) => [name, f === null]);
          expect([...journalSessionNames(bytes)]).toEqual(expected);
        }
      }),
    );
  });

  it('stops at a header that is not one', () => {
    const good = encodeJournalFrame([{ id: 'a', frame: Buffer.from('v1:{}') }]);
    expect([...journalSessionNames(Buffer.concat([good, Buffer.from('garbage\n+b v1:{}\n')]))]).toEqual([['a', false]]);
  });
});

describe('readJournalFrom', () => {
  it('reads from an offset to the end of the same file, and nothing once the file was replaced', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sdl-journal-'));
    try {
      const file = path.join(dir, 'sessions.wal');
      await writeFile(file, 'prefix|');
      const { ino } = statSync(file);
      await appendFile(file, 'rest');
      expect((await readJournalFrom(file, ino, 7))?.toString()).toBe('rest');
      expect((await readJournalFrom(file, ino, 11))?.length).toBe(0);
      // Replaced the way a checkpoint replaces it (a new file renamed over it: another inode).
      await writeFile(`${file}.tmp`, 'another file');
      await rename(`${file}.tmp`, file);
      expect(await readJournalFrom(file, ino, 0)).toBeUndefined();
      await rm(file);
      expect(await readJournalFrom(file, ino, 0)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
