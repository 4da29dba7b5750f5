/**
 * Output helpers for the demo: colours only when asked (a TTY without NO_COLOR), section headings,
 * aligned tables and a writer that can pause between sections when a person is watching.
 */

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], gray: [90, 39] };

/**
 * @typedef {object} Out
 * @property {(text: string) => void} write   raw text, no newline added
 * @property {(text?: string) => void} line   one line
 * @property {Record<keyof typeof CODES, (s: string) => string>} c  colour functions (identity without colour)
 * @property {(ms: number) => Promise<void>} pause  waits only in interactive mode
 * @property {boolean} interactive
 */

/**
 * @param {{ write: (text: string) => void, color: boolean, interactive: boolean }} options
 * @returns {Out}
 */
export function createOut({ write, color, interactive }) {
  const c = /** @type {Out['c']} */ ({});
  for (const [name, [open, close]] of Object.entries(CODES)) {
    c[/** @type {keyof typeof CODES} */ (name)] = color ? (s) => `\u001b[${open}m${s}\u001b[${close}m` : (s) => s;
  }
  return {
    write,
    line: (text = '') => write(`${text}\n`),
    c,
    pause: (ms) => (interactive ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()),
    interactive,
  };
}

/** Colour escapes do not take up columns. */
function visibleWidth(text) {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  let width = 0;
  for (const ch of plain) width += isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
  return width;
}

/** CJK ideographs, kana and full-width forms take two terminal columns. */
function isWide(cp) {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6);
}

function pad(text, width, align) {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * An aligned table with a header rule.
 * @param {Out} out
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {{ align?: Array<'left' | 'right'>, indent?: string }} [options]
 */
export function table(out, header, rows, options = {}) {
  const indent = options.indent ?? '  ';
  const align = options.align ?? [];
  const widths = header.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const render = (cells) => indent + cells.map((cell, i) => pad(cell ?? '', widths[i], align[i] ?? 'left')).join('   ').trimEnd();
  out.line(out.c.bold(render(header)));
  out.line(indent + widths.map((w) => '─'.repeat(w)).join('   '));
  for (const row of rows) out.line(render(row));
}

/**
 * A numbered section heading; every section of the demo starts with one (the CI test looks for them).
 * @param {Out} out
 */
export function section(out, number, title, subtitle) {
  out.line();
  out.line(out.c.bold(out.c.cyan(`━━ ${number}. ${title} ${'━'.repeat(Math.max(3, 66 - title.length))}`)));
  if (subtitle) out.line(out.c.dim(`   ${subtitle}`));
  out.line();
}

/** `[emulated claude · claude-sonnet-5]`: every model call shown says which (emulated) engine served it. */
export function engineLabel(out, engine, model) {
  return out.c.magenta(`[emulated ${engine}${model ? ` · ${model}` : ''}]`);
}

/** Wraps text to `width` columns after `indent`, keeping existing line breaks. */
export function wrap(text, width = 76, indent = '     ') {
  const lines = [];
  for (const paragraph of text.split('\n')) {
    let current = '';
    for (const word of paragraph.split(/(\s+)/)) {
      if (word.trim() === '') {
        if (current !== '') current += ' ';
        continue;
      }
      if (visibleWidth(current) + visibleWidth(word) > width && current.trim() !== '') {
        lines.push(current.trimEnd());
        current = '';
      }
      // CJK text has no spaces: break a word wider than the line between characters.
      for (const ch of visibleWidth(word) > width ? [...word] : [word]) {
        if (visibleWidth(current) + visibleWidth(ch) > width) {
          lines.push(current.trimEnd());
          current = '';
        }
        current += ch;
      }
    }
    lines.push(current.trimEnd());
  }
  return lines.map((l) => indent + l).join('\n');
}

export function usd(value) {
  return `$${value.toFixed(6)}`;
}

/**
 * Writes streamed text as it arrives, wrapping at word boundaries (and between CJK characters)
 * so long deltas stay inside `width` columns after the first line's prefix.
 * @param {Out} out
 */
export function liveWrap(out, { indent = '      ', width = 78, startColumn = indent.length } = {}) {
  let column = startColumn;
  let space = false; // a space is written only once the next word is known to fit on the line
  return {
    write(text) {
      for (const token of text.match(/\s+|[\u2e80-\ua4cf\uff00-\uffe6]|[^\s\u2e80-\ua4cf\uff00-\uffe6]+/g) ?? []) {
        if (/^\s+$/.test(token)) {
          if (token.includes('\n')) {
            out.write(`\n${indent}`);
            column = indent.length;
            space = false;
          } else if (column > indent.length) space = true;
          continue;
        }
        const w = visibleWidth(token);
        if (column + (space ? 1 : 0) + w > width && column > indent.length) {
          out.write(`\n${indent}`);
          column = indent.length;
        } else if (space) {
          out.write(' ');
          column += 1;
        }
        space = false;
        out.write(token);
        column += w;
      }
    },
  };
}
