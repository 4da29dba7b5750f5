/**
 * The YAML context of a cursor in text that may not parse yet (the user is typing a key): which
 * mapping the cursor's line belongs to, found from indentation, `- ` list items and flow `{ … }`
 * on the line. Only the cursor's context is read from the text; everything else comes from the
 * compiler's parse.
 */
export type YamlContext =
  /** Typing a key of the mapping at `path`; `prefix` is what is typed so far. */
  | { kind: 'key'; path: (string | number)[]; prefix: string }
  /** Typing the value of `key` in the mapping at `path` (or an item of its flow list). */
  | { kind: 'value'; path: (string | number)[]; key: string; item?: number; prefix: string };

const BLANK = /^\s*(#.*)?$/;

interface LineShape {
  indent: number;
  /** Column of the first character after any `- ` item markers. */
  keyCol: number;
  dashes: boolean;
  rest: string;
}

function shape(line: string): LineShape {
  const m = /^( *)((?:-[ \t]+)*)(.*)$/.exec(line)!;
  return { indent: m[1]!.length, keyCol: m[1]!.length + m[2]!.length, dashes: m[2]!.length > 0, rest: m[3]! };
}

/** The position of the list item that starts at `line` among its siblings at `dashCol`. */
function itemIndex(lines: readonly string[], line: number, dashCol: number): number {
  let index = 0;
  for (let l = line - 1; l >= 0; l--) {
    const text = lines[l]!;
    if (BLANK.test(text)) continue;
    const s = shape(text);
    if (s.indent < dashCol) break;
    if (s.indent === dashCol) {
      if (!s.dashes) break;
      index++;
    }
  }
  return index;
}

/** The path of the block mapping whose keys start at column `col`, for a line below `line`. */
function blockPath(lines: readonly string[], line: number, col: number): (string | number)[] {
  const path: (string | number)[] = [];
  let want = col;
  // After stepping out of a list item, its owner key may sit at the dash's own column.
  let seqOwner = false;
  for (let l = line; l >= 0 && (want > 0 || seqOwner); l--) {
    const text = lines[l]!;
    if (BLANK.test(text)) continue;
    const s = shape(text);
    if (s.dashes && s.keyCol === want && !seqOwner) {
      path.unshift(itemIndex(lines, l, s.indent));
      want = s.indent;
      seqOwner = true;
      continue;
    }
    if (s.dashes && seqOwner && s.indent === want) continue; // an earlier sibling item
    if (s.keyCol < want || (seqOwner && s.keyCol <= want)) {
      const key = /^("[^"]*"|'[^']*'|[^:#{}[\]]+?)\s*:\s*(#.*)?$/.exec(s.rest);
      if (!key) break;
      path.unshift(key[1]!.replace(/^["']|["']$/g, ''));
      if (s.dashes) {
        // `- key:` opens a mapping inside a list item: the item is part of the path too.
        path.unshift(itemIndex(lines, l, s.indent));
        want = s.indent;
        seqOwner = true;
      } else {
        want = s.keyCol;
        seqOwner = false;
      }
    }
  }
  return path;
}

/** The YAML context at a cursor: `lines` are the file's lines, `line` the cursor's, `before` its text up to the cursor. */
export function yamlContext(lines: readonly string[], line: number, before: string): YamlContext | undefined {
  const s = shape(before);
  const base = (): (string | number)[] => {
    if (s.dashes) {
      // `- key` starts a new item: its mapping is that item.
      const dashCol = s.indent;
      return [...blockPath(lines, line - 1, dashCol + 0.5), itemIndex(lines, line, dashCol)];
    }
    return blockPath(lines, line - 1, s.keyCol);
  };
  // A flow mapping or list opened on this line and not closed before the cursor.
  const flow = /^([^:#{}[\]]+?)\s*:\s*([{[])([^{}[\]]*)$/.exec(s.rest);
  if (flow) {
    const path = [...base(), flow[1]!];
    const inside = flow[3]!;
    const parts = inside.split(',');
    const current = parts[parts.length - 1]!.trimStart();
    if (flow[2] === '[') return { kind: 'value', path: path.slice(0, -1), key: flow[1]!, item: parts.length - 1, prefix: current };
    const kv = /^([^:]+?)\s*:\s*(.*)$/.exec(current);
    if (kv) return { kind: 'value', path, key: kv[1]!, prefix: kv[2]! };
    return { kind: 'key', path, prefix: current };
  }
  const kv = /^("[^"]*"|'[^']*'|[^:#{}[\]"']+?)\s*:\s+(.*)$/.exec(s.rest);
  if (kv) return { kind: 'value', path: base(), key: kv[1]!.replace(/^["']|["']$/g, ''), prefix: kv[2]! };
  if (/^[\w.-]*$/.test(s.rest)) {
    if (s.dashes && s.rest === "") {
      // `- ` alone: an item of a list (a value) or the first key of a new mapping item.
      const owner = blockPath(lines, line - 1, s.indent + 0.5);
      const key = owner[owner.length - 1];
      if (typeof key === 'string') return { kind: 'key', path: [...owner, itemIndex(lines, line, s.indent)], prefix: '' };
    }
    return { kind: 'key', path: base(), prefix: s.rest };
  }
  return undefined;
}
