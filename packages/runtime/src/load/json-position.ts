/**
 * Where a value sits in a JSON text, for IR loading errors (SDL6xxx) that point into the IR file.
 * The loader parses with `JSON.parse` (fast, positionless); this scan runs only once an error is
 * reported. One linear pass with an explicit stack, so no input can overflow the JavaScript stack.
 */

/** Offsets (UTF-16, end exclusive) of a value in the text. */
export interface JsonSpan {
  start: number;
  end: number;
}

/** What a scan found: the value at the pointer (or its deepest existing ancestor), or the first syntax error. */
export interface JsonScan {
  /** The value at the pointer; when the pointer names a member that does not exist, its deepest existing ancestor. */
  value?: JsonSpan;
  /** True when `value` is the value at the pointer itself. */
  exact: boolean;
  /** The first syntax error: its offset and what was expected. */
  error?: { offset: number; message: string };
}

/** The segments of an RFC 6901 JSON Pointer (`/skills/a~1b/hash` → `skills`, `a/b`, `hash`). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A JSON Pointer from segments (each escaped). */
export function jsonPointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

interface Frame {
  close: 93 | 125;
  index: number;
  start: number;
  /** This container is on the pointer's path (its path is a prefix of the pointer, or the pointer). */
  self: boolean;
  /** Its members can be on the path (its path is a proper prefix of the pointer). */
  onPath: boolean;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** Scans `text` as JSON, locating the value at `pointer` (undefined: only check the syntax). */
export function scanJson(text: string, pointer?: string): JsonScan {
  const segments = pointer === undefined ? undefined : pointerSegments(pointer);
  const n = text.length;
  const stack: Frame[] = [];
  let i = 0;
  let best: { span: JsonSpan; depth: number } | undefined;
  const result = (error?: { offset: number; message: string }): JsonScan => ({
    ...(best ? { value: best.span } : {}),
    exact: best !== undefined && segments !== undefined && best.depth === segments.length,
    ...(error ? { error } : {}),
  });
  const fail = (message: string) => result({ offset: Math.min(i, n), message: i >= n ? 'unexpected end of the file' : message });
  const skipSpace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
  };
  const found = (span: JsonSpan, depth: number) => {
    if (best === undefined || depth >= best.depth) best = { span, depth };
  };
  /** Reads a string at `i` (on its `"`); returns its text (escapes kept) or undefined with `i` at the fault. */
  const readString = (): string | undefined => {
    const start = i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) return text.slice(start, ++i);
      if (c < 32) return undefined;
      if (c === 92) {
        const e = text.charCodeAt(i + 1);
        if (e === 117) {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return undefined;
          i += 6;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
        else return undefined;
      } else i++;
    }
    return undefined;
  };
  // Whether the value about to start is on the pointer's path.
  let nextOnPath = segments !== undefined;
  skipSpace();
  for (;;) {
    // A value starts at i.
    const depth = stack.length;
    const start = i;
    const onPath = nextOnPath;
    const c = text.charCodeAt(i);
    let closed = true;
    if (c === 123 || c === 91) {
      i++;
      stack.push({ close: c === 123 ? 125 : 93, index: 0, start, self: onPath, onPath: onPath && segments!.length > depth });
      if (onPath) found({ start, end: start + 1 }, depth);
      skipSpace();
      if (text.charCodeAt(i) === (c === 123 ? 125 : 93)) {
        i++;
        stack.pop();
      } else closed = false;
    } else if (c === 34) {
      if (readString() === undefined) return fail('this string is not closed or has a bad escape or control character');
    } else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return fail('expected a JSON value');
      i = NUMBER.lastIndex;
    }
    if (closed && onPath) found({ start, end: i }, depth);
    // After a value (or an opened container): the next key or element, or closing brackets.
    let opened = !closed;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        skipSpace();
        return i < n ? fail('unexpected text after the JSON value') : result();
      }
      if (!opened) {
        skipSpace();
        const d = text.charCodeAt(i);
        if (d === top.close) {
          i++;
          stack.pop();
          if (top.self) found({ start: top.start, end: i }, stack.length);
          continue;
        }
        if (d !== 44) return fail(`expected \`,\` or \`${String.fromCharCode(top.close)}\``);
        i++;
        top.index++;
        skipSpace();
      }
      opened = false;
      const level = stack.length - 1;
      if (top.close === 125) {
        if (text.charCodeAt(i) !== 34) return fail('expected a member name in double quotes');
        const key = readString();
        if (key === undefined) return fail('this member name is not closed or has a bad escape or control character');
        skipSpace();
        if (text.charCodeAt(i) !== 58) return fail('expected `:` after the member name');
        i++;
        skipSpace();
        nextOnPath = top.onPath && (JSON.parse(key) as string) === segments![level];
      } else nextOnPath = top.onPath && String(top.index) === segments![level];
      break;
    }
  }
}
