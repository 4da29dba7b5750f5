import { readFile } from 'node:fs/promises';
import { makeDiagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceFile } from '../source/source-file.js';

/** Skill files larger than this are refused before parsing (a skill is prose and config, not data). */
export const MAX_SKILL_FILE_BYTES = 1024 * 1024;

/** The result of reading a skill file: its decoded text (BOM removed) and any encoding problems. */
export interface ReadResult {
  /** Undefined when the bytes could not be decoded; `diagnostics` then says why. */
  source: SourceFile | undefined;
  diagnostics: Diagnostic[];
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Decodes the bytes of a skill file. Invalid UTF-8 is a located diagnostic (SDL1001) at the first
 * bad byte; a leading byte order mark is removed (so columns match what editors show) with a warning.
 */
export function decodeSkillBytes(bytes: Uint8Array, file: string): ReadResult {
  const diagnostics: Diagnostic[] = [];
  if (bytes.length > MAX_SKILL_FILE_BYTES) {
    const at = { line: 1, column: 1 };
    diagnostics.push(
      makeDiagnostic('SDL1009', file, { start: at, end: at }, `file is ${bytes.length} bytes; skill files are limited to ${MAX_SKILL_FILE_BYTES} bytes`, 'split the skill into smaller skills with `uses:`'),
    );
    return { source: undefined, diagnostics };
  }
  let text: string;
  try {
    text = fatalDecoder.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    // Locate the bad byte by decoding the valid prefix: positions stay in code points.
    const prefix = new SourceFile(file, stripBom(lenientDecoder.decode(bytes.subarray(0, bad))));
    const start = prefix.positionAt(prefix.text.length);
    diagnostics.push(
      makeDiagnostic(
        'SDL1001',
        file,
        { start, end: { line: start.line, column: start.column + 1 } },
        `invalid UTF-8: byte 0x${bytes[bad]!.toString(16).padStart(2, '0').toUpperCase()} at offset ${bad} is not part of a valid character`,
        'save the file as UTF-8 (most editors: "Save with encoding" → UTF-8)',
      ),
    );
    return { source: undefined, diagnostics };
  }
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    const at = { line: 1, column: 1 };
    diagnostics.push(
      makeDiagnostic('SDL1002', file, { start: at, end: at }, 'the file starts with a UTF-8 byte order mark; it is ignored', 'save the file as UTF-8 without BOM'),
    );
  }
  return { source: new SourceFile(file, text), diagnostics };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}

/**
 * Reads a skill file from disk. `displayPath` is the name diagnostics carry (relative to the
 * working directory). I/O failures are thrown (the CLI reports them with exit code 2).
 */
export async function readSkillFile(path: string, displayPath: string = path): Promise<ReadResult> {
  const bytes = await readFile(path);
  return decodeSkillBytes(bytes, displayPath);
}
