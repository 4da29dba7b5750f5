import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/source/source-file.js';

describe('SourceFile positions', () => {
  it.each([
    ['LF', 'a: 1\nbb: 2\n', 7, { line: 2, column: 3 }],
    ['CRLF', 'a: 1\r\nbb: 2\r\n', 8, { line: 2, column: 3 }],
    ['CR', 'a: 1\rbb: 2\r', 7, { line: 2, column: 3 }],
    ['CJK counts one column per character', '名前: 要約\nx', 4, { line: 1, column: 5 }],
    ['astral characters count once', '😀😀x', 4, { line: 1, column: 3 }],
    ['start of file', 'abc', 0, { line: 1, column: 1 }],
    ['end of file', 'abc', 3, { line: 1, column: 4 }],
  ])('%s', (_name, text, offset, expected) => {
    expect(new SourceFile('f.yaml', text).positionAt(offset)).toEqual(expected);
  });

  it('returns line text without the line break', () => {
    const f = new SourceFile('f.yaml', 'one\r\ntwo\nthree');
    expect([f.lineText(1), f.lineText(2), f.lineText(3)]).toEqual(['one', 'two', 'three']);
  });

  it('offsetAt inverts positionAt for every offset that starts a code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        const f = new SourceFile('f', text);
        for (let i = 0; i <= text.length; i++) {
          const c = text.charCodeAt(i - 1);
          if (c >= 0xd800 && c <= 0xdbff) continue; // middle of a surrogate pair
          const p = f.positionAt(i);
          // Offsets inside a CRLF pair map to the same position as the CR.
          if (text[i - 1] === '\r' && text[i] === '\n') continue;
          expect(f.offsetAt(p)).toBe(i);
        }
      }),
    );
  });
});
