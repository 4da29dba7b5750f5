import { createHash } from 'node:crypto';
import { CST, Parser } from 'yaml';

/**
 * `yaml`'s `Parser#next` without its debugging hook: the library reads `process.env.LOG_TOKENS` for
 * every lexical token (about 900,000 for 1,000 skill files), and each read of `process.env` is a
 * call into the C++ environment (~0.1 µs): about a tenth of parsing. The replica below is the
 * library's method line for line minus that check, and is used only while the library's method is
 * the code it was copied from (yaml 2.9.1, checked by the hash of its source); after an upgrade the
 * library's own method runs until the replica is brought up to date.
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
const COPIED_FROM = 'e51dbd1de31fd039522acaad2ee5b479df780aa0153a945ffb7fea06771795fc';

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

/** True when the library's `next` is the code `next` above was copied from. */
export const replicaMatches = createHash('sha256').update(Parser.prototype.next.toString()).digest('hex') === COPIED_FROM;

/** Makes `parser` use the replica of `next` (when it still matches the library's; see above). */
export function withoutTokenLog(parser: Parser): void {
  if (replicaMatches) (parser as unknown as { next: typeof next }).next = next;
}
