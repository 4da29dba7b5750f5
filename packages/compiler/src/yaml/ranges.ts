import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Range } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source/source-file.js';

/** A path into a skill value: object keys and array indices, as in a JSON Pointer. */
export type ValuePath = readonly (string | number)[];

/** Which part of the node at a path a diagnostic should point at. */
export type PathTarget = 'value' | 'key' | 'head';

/** The range of a YAML node's value (without trailing comments). Nodes without positions give 1:1. */
export function rangeOfNode(source: SourceFile, node: Node | null | undefined): Range {
  const range = node?.range;
  if (!range) return { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  let end = range[1];
  // A block scalar's value runs to the end of its last line: do not include the line break.
  while (end > range[0] && (source.text.charCodeAt(end - 1) === 10 || source.text.charCodeAt(end - 1) === 13)) end--;
  return source.rangeAt(range[0], end);
}

/** The first line of a node: a whole one-line value, or the start of a block up to the line end. */
function headRange(source: SourceFile, node: Node): Range {
  const range = rangeOfNode(source, node);
  if (range.end.line === range.start.line) return range;
  const text = source.lineText(range.start.line);
  return { start: range.start, end: { line: range.start.line, column: [...text].length + 1 } };
}

/** The pair of `map` whose key is `key`; with a duplicated key, the last one (whose value `toJS` keeps). */
function findPair(node: unknown, key: string): Pair<Node, Node | null> | undefined {
  if (!isMap(node)) return undefined;
  if (node.items.length > INDEXED_MAP_SIZE) return indexOf(node).get(key);
  for (let i = node.items.length - 1; i >= 0; i--) {
    const item = node.items[i]!;
    const k = item.key;
    if (isScalar(k) ? String(k.value) === key : k === key) return item as Pair<Node, Node | null>;
  }
  return undefined;
}

/** Mappings larger than this get a key index, so locating each of their keys is not a scan of all of them. */
const INDEXED_MAP_SIZE = 16;

const keyIndexes = new WeakMap<object, { size: number; pairs: Map<string, Pair<Node, Node | null>> }>();

function indexOf(map: { items: unknown[] }): Map<string, Pair<Node, Node | null>> {
  let index = keyIndexes.get(map);
  if (!index || index.size !== map.items.length) {
    const pairs = new Map<string, Pair<Node, Node | null>>();
    // Later pairs overwrite earlier ones: the last of a duplicated key wins, as above.
    for (const item of map.items as Pair<Node, Node | null>[]) {
      const k = item.key as unknown;
      if (isScalar(k)) pairs.set(String(k.value), item);
    }
    index = { size: map.items.length, pairs };
    keyIndexes.set(map, index);
  }
  return index.pairs;
}

interface Located {
  node: Node | null;
  /** The pair holding `node` as its value, when the last segment was a mapping key. */
  pair: Pair<Node, Node | null> | undefined;
  /** How many segments were found; less than the path length when it ends early (e.g. at an alias). */
  depth: number;
}

/** Walks `path` through the root node (`contents`: of a document or a parsed skill) as far as it exists. */
export function locatePath(root: Pick<Document, 'contents'> | { contents: unknown }, path: ValuePath): Located {
  let node: Node | null = root.contents as Node | null;
  let pair: Pair<Node, Node | null> | undefined;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) break;
    if (isMap(node)) {
      const next = findPair(node, String(segment));
      if (!next) break;
      pair = next;
      node = next.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      pair = undefined;
      node = node.items[segment] as Node | null;
      if (isPair(node)) node = (node as Pair<Node, Node | null>).value;
    } else break;
    depth++;
  }
  return { node, pair, depth };
}

/**
 * The range a diagnostic about `path` should point at. `value` is the node itself; `key` is the
 * key of the pair holding it (for unknown keys); `head` is the key of a mapping's pair, or the
 * first line of a list item or the document (for a mapping missing a key). When the path does
 * not fully exist (a key absent from the YAML), the deepest existing node's head is used.
 */
export function rangeOfPath(parsed: { source: SourceFile; document: Document; contents?: unknown }, path: ValuePath, target: PathTarget = 'value'): Range {
  const { source } = parsed;
  // A parsed skill's nodes (which may be built without a document); else the document's.
  const { node, pair, depth } = locatePath('contents' in parsed ? { contents: parsed.contents } : parsed.document, path);
  if (depth < path.length) return headOf(source, node, pair);
  if (target === 'key') return pair && isScalar(pair.key) ? rangeOfNode(source, pair.key) : headOf(source, node, pair);
  if (target === 'head') return headOf(source, node, pair);
  if (node === null) return pair && isScalar(pair.key) ? rangeOfNode(source, pair.key) : rangeOfNode(source, undefined);
  return rangeOfNode(source, node);
}

function headOf(source: SourceFile, node: Node | null, pair: Pair<Node, Node | null> | undefined): Range {
  if (pair && isScalar(pair.key)) return rangeOfNode(source, pair.key);
  if (node) return headRange(source, node);
  return rangeOfNode(source, undefined);
}
