import { createHash } from 'node:crypto';
import { CST, Parser } from 'yaml';

/**
 * `yaml`'s `Parser#next` without its debugging hook: the library reads `process.env.LOG_TOKENS` for
 * every lexical token (about 900,000 for 1,000 skill files), and each read of `process.env` is a
 * call into the C++ environment (~0.1 µs): about a tenth of parsing. The replica below is the
 * library's method line for line minus that check, and is used only while the library's method is
 * the code it was copied from (yaml 2.9.1, checked by the hash of its source's tokens, see
 * `tokenText`: the compiler's bundle runs the build's one-file copy of yaml, whose text esbuild
 * re-indents and re-quotes); after an upgrade the library's own method runs until the replica is
 * brought up to date.
 *
 * The replica of `Parser#next` is from `yaml` (https://github.com/eemeli/yaml), under its license:
 *
 * Copyright Eemeli Aro <eemeli@gmail.com>
 *
 * Permission to use, copy, modify, and/or distribute this software for any purpose
 * with or without fee is hereby granted, provided that the above copyright notice
 * and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH
 * REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND
 * FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT,
 * INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS
 * OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER
 * TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF
 * THIS SOFTWARE.
 */
const COPIED_FROM = 'e6015040333d9d95c9357183d6894aa1cf0fa3c676b7541da9cec21555d6a33c';

/** The parser state `next` reads and writes (yaml's `Parser` fields). */
interface ParserState {
  source: string;
  atScalar: boolean;
  atNewLine: boolean;
  type: string;
  indent: number;
  offset: number;
  onNewLine?: (offset: number) => void;
  step(): Generator<CST.Token>;
  pop(error?: CST.Token): Generator<CST.Token>;
}

function* next(this: ParserState, source: string): Generator<CST.Token> {
  this.source = source;
  if (this.atScalar) {
    this.atScalar = false;
    yield* this.step();
    this.offset += source.length;
    return;
  }
  const type = CST.tokenType(source);
  if (!type) {
    const message = `Not a YAML token: ${source}`;
    yield* this.pop({ type: 'error', offset: this.offset, message, source });
    this.offset += source.length;
  } else if (type === 'scalar') {
    this.atNewLine = false;
    this.atScalar = true;
    this.type = 'scalar';
  } else {
    this.type = type;
    yield* this.step();
    switch (type) {
      case 'newline':
        this.atNewLine = true;
        this.indent = 0;
        if (this.onNewLine) this.onNewLine(this.offset + source.length);
        break;
      case 'space':
        if (this.atNewLine && source[0] === ' ') this.indent += source.length;
        break;
      case 'explicit-key-ind':
      case 'map-value-ind':
      case 'seq-item-ind':
        if (this.atNewLine) this.indent += source.length;
        break;
      case 'doc-mode':
      case 'flow-error-end':
        return;
      default:
        this.atNewLine = false;
    }
    this.offset += source.length;
  }
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);

/**
 * A function's source as its tokens: without comments and layout, string literals in double
 * quotes. The same for the package's file and for esbuild's copy of it (which re-indents, drops
 * comments and writes `'x'` as `"x"`), different for any change to the code. Template literals are
 * kept as written; a `/` starts a comment only before `/` or `*` (the method holds no regex).
 */
export function tokenText(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (/\s/.test(c)) {
      while (i < source.length && /\s/.test(source[i]!)) i++;
      if (isWordChar(out[out.length - 1]) && isWordChar(source[i])) out += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let text = '';
      i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\') {
          const escaped = source[i + 1] ?? '';
          // \' in single quotes is ' in double quotes; every other escape stays as written.
          text += c === "'" && escaped === "'" ? "'" : `\\${escaped}`;
          i += 2;
        } else {
          text += c === "'" && source[i] === '"' ? '\\"' : source[i];
          i++;
        }
      }
      i++;
      out += c === '`' ? `\`${text}\`` : `"${text}"`;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** True when `parser`'s `next` (a `Parser` class of yaml: the package's or a copy's) is the code `next` above was copied from. */
export function replicaMatchesFor(parser: typeof Parser): boolean {
  return createHash('sha256').update(tokenText(parser.prototype.next.toString())).digest('hex') === COPIED_FROM;
}

/** True when the library's `next` is the code `next` above was copied from. */
export const replicaMatches = replicaMatchesFor(Parser);

/** Makes `parser` use the replica of `next` (when it still matches the library's; see above). */
export function withoutTokenLog(parser: Parser): void {
  if (replicaMatches) (parser as unknown as { next: typeof next }).next = next;
}
