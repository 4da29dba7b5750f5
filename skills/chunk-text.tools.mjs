// Test stand-ins for the host tools of chunk-text.skill.yaml, used by `skillc test`.
// A real host would register its own splitter; this one splits on blank lines, then sentences,
// and packs pieces up to a rough token budget (4 characters a token).

/** @param {{ text: string, max_tokens: number, overlap?: number }} args */
function splitText({ text, max_tokens }) {
  const budget = Math.max(1, max_tokens) * 4;
  const pieces = text
    .split(/\n\s*\n/)
    .flatMap((paragraph) => (paragraph.length > budget ? paragraph.match(/[^.!?。！？]+[.!?。！？]*\s*/g) ?? [paragraph] : [paragraph]))
    .map((piece) => piece.trim())
    .filter((piece) => piece.length > 0);
  const chunks = [];
  let current = '';
  for (const piece of pieces) {
    if (current !== '' && current.length + piece.length + 2 > budget) {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? piece : `${current}\n\n${piece}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

export default {
  split_text: { execute: splitText },
};
