import { ExprCode, type ExprDiagnostic } from './expr-diagnostic.js';

/** The decoded value of a CEL string or bytes literal token, or a diagnostic. */
export type DecodedLiteral =
  | { kind: 'string'; value: string }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'error'; diagnostic: ExprDiagnostic };

const SIMPLE_ESCAPES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '?': '?', '"': '"', "'": "'", '`': '`',
});

/**
 * Decodes a string/bytes literal as CEL defines it: optional `r` (raw) and `b` (bytes) prefixes,
 * single, double or triple quotes, escapes `\n \t ... \xHH \ooo \uHHHH \UHHHHHHHH`. In bytes,
 * `\x`/octal escapes are single bytes and other text is UTF-8; in strings they are code points.
 */
export function decodeStringLiteral(image: string, start: number): DecodedLiteral {
  let i = 0;
  let raw = false;
  let bytes = false;
  while (i < 2 && /[rRbB]/.test(image[i]!)) {
    if (image[i] === 'r' || image[i] === 'R') raw = true;
    else bytes = true;
    i++;
  }
  const triple = image.startsWith('"""', i) || image.startsWith("'''", i);
  const q = triple ? 3 : 1;
  const body = image.slice(i + q, image.length - q);
  const bodyStart = start + i + q;
  const out: number[] = []; // bytes: byte values; string: code points
  const pushText = (s: string) => {
    if (bytes) for (const b of Buffer.from(s, 'utf8')) out.push(b);
    else for (const ch of s) out.push(ch.codePointAt(0)!);
  };
  if (raw) pushText(body);
  else {
    let j = 0;
    while (j < body.length) {
      const c = body[j]!;
      if (c !== '\\') {
        const cp = body.codePointAt(j)!;
        pushText(String.fromCodePoint(cp));
        j += cp > 0xffff ? 2 : 1;
        continue;
      }
      const e = body[j + 1] ?? '';
      const fail = (len: number, what: string): DecodedLiteral => ({
        kind: 'error',
        diagnostic: {
          code: ExprCode.BadLiteral,
          message: `invalid escape sequence \`${body.slice(j, j + len)}\`: ${what}`,
          start: bodyStart + j,
          end: bodyStart + j + len,
          hint: 'valid escapes are \\n \\r \\t \\\\ \\" \\\' \\xHH \\uHHHH \\UHHHHHHHH and three octal digits; use a raw string r"..." to keep backslashes',
        },
      });
      if (e in SIMPLE_ESCAPES) {
        pushText(SIMPLE_ESCAPES[e]!);
        j += 2;
      } else if (e === 'x' || e === 'X' || e === 'u' || e === 'U') {
        const len = e === 'x' || e === 'X' ? 2 : e === 'u' ? 4 : 8;
        const hex = body.slice(j + 2, j + 2 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return fail(2 + hex.length, `expected ${len} hex digits`);
        const v = parseInt(hex, 16);
        if (len === 2 && bytes) out.push(v);
        else if (bytes && len > 2) return fail(2 + len, 'unicode escapes are not allowed in bytes literals');
        else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return fail(2 + len, 'not a valid code point');
        else out.push(v);
        j += 2 + len;
      } else if (/[0-3]/.test(e)) {
        const oct = body.slice(j + 1, j + 4);
        if (!/^[0-3][0-7]{2}$/.test(oct)) return fail(1 + oct.length, 'expected three octal digits');
        out.push(parseInt(oct, 8));
        j += 4;
      } else return fail(2, 'unknown escape');
    }
  }
  if (bytes) return { kind: 'bytes', value: Uint8Array.from(out) };
  let s = '';
  for (let k = 0; k < out.length; k += 4096) s += String.fromCodePoint(...out.slice(k, k + 4096));
  return { kind: 'string', value: s };
}

/** Lower-case hex, the AST form of bytes literals. */
export function bytesToHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
