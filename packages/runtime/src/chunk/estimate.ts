/**
 * A fast, deterministic token estimate that needs no tokenizer. It is deliberately conservative
 * (it tends to over-count) so that a chunk within its estimated budget fits the real one:
 *
 * - CJK ideographs, kana, Hangul, CJK punctuation and full-width forms: 1 token per character;
 * - ASCII (Latin letters, digits, punctuation, spaces): 4 characters per token;
 * - other BMP characters (accented Latin, Cyrillic, Greek, Arabic, Thai...): 2 characters per token;
 * - characters outside the BMP (emoji, rare ideographs): 1 token each.
 *
 * Weights are kept in quarter tokens so sums stay exact integers; a span's estimate is
 * `ceil(sum / 4)`.
 */

/** Quarter tokens per code point. */
export function codePointWeight(cp: number): number {
  if (cp < 0x80) return 1;
  if (isCjk(cp) || cp > 0xffff) return 4;
  return 2;
}

/** Ideographs, kana, Hangul, CJK symbols and full-width forms. */
export function isCjk(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x11ff) || // Hangul Jamo
    (cp >= 0x2e80 && cp <= 0x2fff) || // radicals, ideographic description
    (cp >= 0x3000 && cp <= 0x9fff) || // CJK symbols, kana, Bopomofo, Hangul compat, Ext A, unified ideographs
    (cp >= 0xa960 && cp <= 0xa97f) || // Hangul Jamo Ext A
    (cp >= 0xac00 && cp <= 0xd7ff) || // Hangul syllables, Jamo Ext B
    (cp >= 0xf900 && cp <= 0xfaff) || // compatibility ideographs
    (cp >= 0xfe30 && cp <= 0xfe4f) || // CJK compatibility forms
    (cp >= 0xff00 && cp <= 0xffef) || // half-width and full-width forms
    (cp >= 0x20000 && cp <= 0x3ffff) // ideograph extensions B and later
  );
}

/** Estimated tokens of a text (see the module comment for the rule). */
export function estimateTokens(text: string): number {
  let quarters = 0;
  for (const ch of text) quarters += codePointWeight(ch.codePointAt(0)!);
  return Math.ceil(quarters / 4);
}
