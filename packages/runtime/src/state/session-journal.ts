/**
 * The file store's session journal (write-ahead log): one append-only file per store,
 * `journal/sessions.wal`, shared by every process using the store. Each commit appends one frame
 * holding the new state of every session it changed (the whole session record, or a tombstone for
 * a session removed) and is fdatasync'ed once, so appends to any number of sessions that arrive
 * together cost one durable write. Session files are then replaced without an fsync of their own;
 * a checkpoint later fsyncs them and empties the journal. Full states (not deltas) make replay
 * idempotent: the last frame naming a session is its state, whatever the session file holds after
 * a crash or a power loss.
 *
 * Frame: `sdlj1:<crc32 of body>:<body bytes>\n<body>`, body = one line per session,
 * `+<session id> <session record frame>\n` or `-<session id>\n`. Session ids cannot contain spaces
 * or line breaks and record frames contain no line break (JSON escapes them), so lines never clash.
 */
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** One session's new state in a commit: its record frame (UTF-8), or `null` when the session was removed. */
export interface JournalEntry {
  id: string;
  frame: Buffer | null;
}

const MAGIC = 'sdlj1:';
const HEADER = /^sdlj1:([0-9a-f]{8}):(\d{1,10})$/;

/** Frames one commit. */
export function encodeJournalFrame(entries: readonly JournalEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const { id, frame } of entries) {
    if (frame === null) parts.push(Buffer.from(`-${id}\n`, 'latin1'));
    else parts.push(Buffer.from(`+${id} `, 'latin1'), frame, NEWLINE);
  }
  const body = Buffer.concat(parts);
  const header = `${MAGIC}${crc32(body).toString(16).padStart(8, '0')}:${body.length}\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), body]);
}

const NEWLINE = Buffer.from('\n');

/** What a journal holds: each session's last state, and how many leading bytes were whole frames. */
export interface JournalContents {
  /** Session id to its last record frame (`null`: removed), in the order sessions were last written. */
  last: Map<string, string | null>;
  /** Bytes of whole, CRC-valid frames from the start; anything after is a torn or corrupt tail. */
  validBytes: number;
  frames: number;
}

/**
 * The frame whose header starts at `pos`: its CRC (hex text) and where its body starts and ends;
 * undefined when the header is not whole or the body runs past the end of `bytes`.
 */
function frameAt(bytes: Buffer, pos: number): { crc: string; start: number; end: number } | undefined {
  const nl = bytes.indexOf(0x0a, pos);
  if (nl < 0 || nl - pos > 40) return undefined;
  const m = HEADER.exec(bytes.toString('latin1', pos, nl));
  if (!m) return undefined;
  const start = nl + 1;
  const end = start + Number(m[2]);
  return end > bytes.length ? undefined : { crc: m[1]!, start, end };
}

/**
 * Reads frames from the start until the end or the first frame that is incomplete or fails its CRC
 * (the tail a writer killed mid-write leaves; nothing after it was acknowledged).
 */
export function parseJournal(bytes: Buffer): JournalContents {
  const last = new Map<string, string | null>();
  let pos = 0;
  let frames = 0;
  while (pos < bytes.length) {
    const frame = frameAt(bytes, pos);
    if (frame === undefined) break;
    const body = bytes.subarray(frame.start, frame.end);
    if (crc32(body).toString(16).padStart(8, '0') !== frame.crc) break;
    for (const line of body.toString('utf8').split('\n')) {
      if (line === '') continue;
      if (line[0] === '-') {
        last.delete(line.slice(1));
        last.set(line.slice(1), null);
      } else if (line[0] === '+') {
        const space = line.indexOf(' ');
        const id = line.slice(1, space);
        last.delete(id);
        last.set(id, line.slice(space + 1));
      }
    }
    pos = frame.end;
    frames++;
  }
  return { last, validBytes: pos, frames };
}

/**
 * The sessions named in the journal's frames, each with whether its last line removed it, found
 * from the frame lengths and line breaks alone: no CRC and no decoding of the session records. A
 * checkpoint needs only the names (which files to fsync), and a busy store's journal is megabytes:
 * decoding it whole stalled the batches waiting behind the checkpoint. Stops at the first header
 * that is not whole; a file named by a corrupt frame is fsynced for nothing, which is harmless.
 */
export function journalSessionNames(bytes: Buffer): Map<string, boolean> {
  const names = new Map<string, boolean>();
  let pos = 0;
  while (pos < bytes.length) {
    const frame = frameAt(bytes, pos);
    if (frame === undefined) break;
    const { end } = frame;
    for (let line = frame.start; line < end; ) {
      const lineEnd = bytes.indexOf(0x0a, line);
      const stop = lineEnd < 0 || lineEnd > end ? end : lineEnd;
      const removed = bytes[line] === 0x2d; // '-'
      if (removed || bytes[line] === 0x2b) {
        const space = removed ? -1 : bytes.indexOf(0x20, line);
        const id = bytes.toString('utf8', line + 1, removed || space < 0 || space > stop ? stop : space);
        names.delete(id);
        names.set(id, removed);
      }
      line = stop + 1;
    }
    pos = end;
  }
  return names;
}

/** The journal's bytes from `offset` to its end, if it is still the file with inode `ino`. */
export function readJournalFrom(file: string, ino: number, offset: number): Promise<Buffer | undefined> {
  return readJournalRange(file, ino, offset, undefined);
}

/**
 * The first `size` bytes of the journal, if it is still the file with inode `ino` (a checkpoint
 * replaces the journal, so another inode means the prefix is gone).
 */
export function readJournalPrefix(file: string, ino: number, size: number): Promise<Buffer | undefined> {
  return readJournalRange(file, ino, 0, size);
}

/**
 * Bytes `start` to `end` of the journal (to its end when `end` is undefined), if it is still the
 * file with inode `ino`; undefined when it is another file, or when it ends before `end`.
 */
async function readJournalRange(file: string, ino: number, start: number, end: number | undefined): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { ino: now, size } = await handle.stat();
    if (now !== ino) return undefined;
    const buffer = Buffer.alloc(Math.max(0, (end ?? size) - start));
    for (let read = 0; read < buffer.length; ) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
      if (bytesRead === 0) return end === undefined ? buffer.subarray(0, read) : undefined;
      read += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}
