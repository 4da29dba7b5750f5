import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_TEXT_TOOL, chunkText, estimateTokens, runChunkTextTool } from '../../src/chunk/index.js';
import type { Chunk } from '../../src/chunk/index.js';

const codePoints = (s: string) => [...s].length;

/** Text built from words, sentences and paragraphs in several scripts, plus arbitrary strings. */
const word = fc.oneof(
  fc.stringMatching(/^[a-z]{1,12}$/),
  fc.constantFrom('漢字', '東京都', 'テスト', '한국어', 'éàü', 'привет', '😀', 'x'.repeat(60)),
);
const sentence = fc.array(word, { minLength: 1, maxLength: 12 }).chain((ws) =>
  fc.constantFrom('. ', '! ', '? ', '。', '\n', ' ').map((end) => ws.join(' ') + end),
);
const document = fc.oneof(
  fc.array(fc.array(sentence, { minLength: 1, maxLength: 6 }).map((s) => s.join('')), { maxLength: 6 }).map((ps) => ps.join('\n\n')),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const options = fc.integer({ min: 1, max: 60 }).chain((maxTokens) =>
  fc.record({ maxTokens: fc.constant(maxTokens), overlapTokens: fc.integer({ min: 0, max: maxTokens - 1 }) }),
);

/** Plain assertions: the property tests call these thousands of times. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

function checkCover(text: string, chunks: Chunk[]): void {
  if (text === '') return check(chunks.length === 0, 'empty text gives no chunks');
  check(chunks[0]!.start === 0, 'starts at 0');
  check(chunks.at(-1)!.end === text.length, 'ends at the end');
  chunks.forEach((c, i) => {
    check(c.index === i, 'index');
    check(c.text === text.slice(c.start, c.end), 'text matches offsets');
    check(c.end > c.start, 'not empty');
    if (i > 0) {
      const prev = chunks[i - 1]!;
      check(c.start > prev.start, 'in order');
      check(c.start <= prev.end, 'no gap');
      check(c.end > prev.end, 'always something new');
    }
  });
}

describe('estimateTokens', () => {
  it.each([
    ['', 0],
    ['abcd', 1],
    ['abcde', 2],
    ['漢字', 2],
    ['東京 is big', 2 + 2],
    ['привет', 3],
    ['😀😀', 2],
  ])('%j is about %i tokens', (text, tokens) => {
    expect(estimateTokens(text)).toBe(tokens);
  });
});

describe('chunkText properties', () => {
  it('covers the text in order, without gaps, each chunk within budget, overlapping as configured', () => {
    fc.assert(
      fc.property(document, options, (text, opts) => {
        const chunks = chunkText(text, opts);
        checkCover(text, chunks);
        chunks.forEach((c, i) => {
          check(c.tokens === estimateTokens(c.text), 'tokens is the estimate');
          check(c.tokens <= opts.maxTokens, `chunk ${i} within budget`);
          if (i === 0) return;
          const prev = chunks[i - 1]!;
          const shared = text.slice(c.start, prev.end);
          check(estimateTokens(shared) <= opts.overlapTokens, 'overlap within overlapTokens');
          if (opts.overlapTokens === 0) check(shared === '', 'no overlap when 0');
          else if (codePoints(prev.text) > 1) check(shared.length > 0, 'overlap present when configured');
        });
      }),
      { numRuns: 200 },
    );
  });

  it('never splits a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), options, (text, opts) => {
        for (const c of chunkText(text, opts)) check((c.text as string & { isWellFormed(): boolean }).isWellFormed(), 'well-formed');
      }),
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(document, options, (text, opts) => {
        expect(chunkText(text, opts)).toEqual(chunkText(text, opts));
      }),
    );
  });
});

describe('chunkText boundaries', () => {
  it('ends chunks at paragraph breaks when the paragraphs fit', () => {
    const paragraphs = ['First paragraph has a few words.', 'Second one is here too.', 'Third.'];
    const chunks = chunkText(paragraphs.join('\n\n'), { maxTokens: 12 });
    expect(chunks.map((c) => c.text)).toEqual(['First paragraph has a few words.\n\n', 'Second one is here too.\n\nThird.']);
  });

  it('falls back to sentence ends, then words, and splits hard only inside an over-long word', () => {
    const text = 'One two three four. Five six seven eight. Nine ten eleven twelve.';
    expect(chunkText(text, { maxTokens: 11 }).map((c) => c.text)).toEqual([
      'One two three four. Five six seven eight. ',
      'Nine ten eleven twelve.',
    ]);
    expect(chunkText('alpha beta gamma delta', { maxTokens: 3 }).map((c) => c.text)).toEqual(['alpha beta ', 'gamma delta']);
    expect(chunkText('a'.repeat(10), { maxTokens: 1 }).map((c) => c.text)).toEqual(['aaaa', 'aaaa', 'aa']);
  });

  it('splits CJK text at sentence ends and counts a character as a token', () => {
    const text = '今日は晴れです。明日は雨でしょう。週末は分かりません。';
    const chunks = chunkText(text, { maxTokens: 17 });
    expect(chunks.map((c) => c.text)).toEqual(['今日は晴れです。明日は雨でしょう。', '週末は分かりません。']);
    expect(chunks[0]!.tokens).toBe(17);
  });

  it('starts the overlap on a word boundary', () => {
    const chunks = chunkText('aaaa bbbb cccc dddd eeee ffff gggg hhhh', { maxTokens: 6, overlapTokens: 3 });
    for (const c of chunks.slice(1)) expect(c.text).toMatch(/^[a-h]{4}/);
    expect(chunks[1]!.start).toBeLessThan(chunks[0]!.end);
  });

  it('refuses impossible options with a message naming the option', () => {
    expect(() => chunkText('x', { maxTokens: 0 })).toThrow(/maxTokens must be a positive integer/);
    expect(() => chunkText('x', { maxTokens: 4, overlapTokens: 4 })).toThrow(/overlapTokens must be an integer from 0 to maxTokens - 1 \(3\)/);
  });

  it('handles a large document quickly', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `Paragraph ${i} talks about item ${i}. It has two sentences.`).join('\n\n');
    const t0 = performance.now();
    const chunks = chunkText(text, { maxTokens: 500, overlapTokens: 50 });
    expect(performance.now() - t0).toBeLessThan(1000);
    checkCover(text, chunks);
  });
});

describe('sdl_chunk_text tool', () => {
  it('declares its schema and returns plain JSON chunks', () => {
    expect(CHUNK_TEXT_TOOL.name).toBe('sdl_chunk_text');
    const out = runChunkTextTool({ text: 'one two. three four.', max_tokens: 3, overlap_tokens: 0 });
    expect(out).toEqual({
      count: 2,
      chunks: [
        { index: 0, text: 'one two. ', start: 0, end: 9, tokens: 3 },
        { index: 1, text: 'three four.', start: 9, end: 20, tokens: 3 },
      ],
    });
    expect(() => runChunkTextTool({ text: 'x', max_tokens: 1, overlap_tokens: 1 })).toThrow(RangeError);
  });
});
