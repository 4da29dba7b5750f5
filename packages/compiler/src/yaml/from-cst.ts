import { CST, Document, Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { mapNode, pairNode, scalarNode, seqNode } from './cst-nodes.js';
import { isSecretFieldName, mayHoldKey } from '../check/secret-text.js';
import { setEntry } from './plain-value.js';

/**
 * The plain value and the nodes of a skill file built straight from `yaml`'s CST, without composing
 * a `Document`: composing was about a third of `parseDocument`, and most skill files are plain
 * mappings, lists and scalars with nothing for the composer to report. This covers exactly such
 * files: one document of block and flow collections and scalars, no anchors, aliases, tags,
 * directives, explicit (`?`) keys, empty values, merge keys, duplicate keys, tabs in indentation,
 * errors or warnings. Each rule below mirrors a check of `yaml`'s composer (yaml 2.9, `compose/`);
 * where a check could fire, the file is refused (undefined) and parsed the ordinary way, so every
 * diagnostic comes from the same code as before. The nodes are `yaml`'s own classes with the value,
 * `range` and scalar `type` the composer gives them (no comments, `source` or `format`): enough for
 * locating paths, compiling expressions and the source map. test/yaml/from-cst.test.ts compares
 * them with composed documents.
 */
export interface CstParse {
  value: unknown;
  /** The root node (a `Document#contents` without comments). */
  contents: unknown;
  /** As `plainValue`: the pairs and scalars `checkSecrets` must look at, in walk order. */
  secretCandidates: object[];
}

/** Deepest nesting built here (as `plainValue`'s bound); deeper files are composed. */
const MAX_DEPTH = 100;

class Refused {}
const REFUSED = new Refused();
const refuse = (): never => {
  throw REFUSED;
};

/** The core schema's scalar tags, tried in the composer's order (`findScalarTagByTest`). */
const schemaOptions = new Document(null, { strict: true }).options;
export const scalarTags = new Document(null, { strict: true }).schema.tags.filter((t) => !t.collection && t.default && t.test) as unknown as {
  default: boolean | 'key';
  test: RegExp;
  resolve: (value: string, onError: (message: string) => void, options: unknown) => unknown;
}[];

/**
 * The core schema's tests, as yaml 2.9 has them: a plain scalar whose first character none of them
 * accepts is a string without trying them (most are: `type: string`, prose). With other tests the
 * shortcut is off and every test runs.
 */
const KNOWN_TESTS = [
  '/^(?:~|[Nn]ull|NULL)?$/',
  '/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/',
  '/^0o[0-7]+$/',
  '/^[-+]?[0-9]+$/',
  '/^0x[0-9a-fA-F]+$/',
  '/^(?:[-+]?\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$/',
  '/^[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)[eE][-+]?[0-9]+$/',
  '/^[-+]?(?:\\.[0-9]+|[0-9]+\\.[0-9]*)$/',
];
export const shortcut = scalarTags.length === KNOWN_TESTS.length && scalarTags.every((t, i) => t.default === true && String(t.test) === KNOWN_TESTS[i]);

/** False when no core schema test can accept `text` (its first character starts none of them; exported for tests). */
export function mayResolve(text: string): boolean {
  if (!shortcut || text.length === 0) return true;
  const c = text.charCodeAt(0);
  // ~ n N t T f F, digits, + - .
  return c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

let candidates: object[] = [];

/** Builds the value and nodes of `tokens` (the parser's top-level tokens of a whole file), or undefined. */
export function fromCst(tokens: readonly CST.Token[]): CstParse | undefined {
  let doc: CST.Document | undefined;
  for (const token of tokens) {
    if (token.type === 'document') {
      if (doc) return undefined;
      doc = token;
    } else if (token.type !== 'comment' && token.type !== 'newline' && token.type !== 'space') return undefined;
  }
  if (!doc || !doc.value) return undefined;
  candidates = [];
  try {
    // Document start: no `---`, no tabs (composeDoc's resolveProps with `startOnNewline`).
    props(doc.start, undefined, true);
    const built = node(doc.value, 0);
    // composeDoc's resolveEnd, not strict.
    end(doc.end, false);
    const out = { value: built.value, contents: built.node, secretCandidates: candidates };
    candidates = [];
    return out;
  } catch (error) {
    candidates = [];
    if (error === REFUSED) return undefined;
    throw error;
  }
}

interface Built {
  value: unknown;
  node: Scalar | YAMLMap | YAMLSeq;
}

/**
 * resolveProps for the tokens before a node or indicator, limited to spaces, line breaks, comments
 * and at most one `indicator`: returns whether the indicator was found and whether a line break was
 * seen, refusing whatever the composer would report (a comment not after white space, a tab in
 * indentation, any other token).
 */
function props(tokens: readonly CST.SourceToken[] | undefined, indicator: string | undefined, startOnNewline: boolean, flow = false): { found: CST.SourceToken | undefined; hasNewline: boolean; comma: boolean; end: number | undefined } {
  let hasSpace = startOnNewline;
  let hasNewline = false;
  let found: CST.SourceToken | undefined;
  let comma = false;
  if (tokens) {
    for (const token of tokens) {
      switch (token.type) {
        case 'space':
          if (!flow && token.source.includes('\t')) refuse();
          hasSpace = true;
          break;
        case 'comment':
          if (!hasSpace) refuse();
          break;
        case 'newline':
          hasNewline = true;
          hasSpace = true;
          break;
        case 'comma':
          if (!flow || comma) refuse();
          comma = true;
          hasSpace = false;
          break;
        default:
          if (token.type !== indicator || found) refuse();
          found = token;
          hasSpace = false;
      }
    }
  }
  const last = tokens?.[tokens.length - 1];
  return { found, hasNewline, comma, end: last ? last.offset + last.source.length : undefined };
}

/** resolveEnd: spaces, line breaks and comments (after white space when `strict`); returns the end offset added. */
function end(tokens: readonly CST.SourceToken[] | undefined, strict: boolean): number {
  let length = 0;
  if (tokens) {
    let hasSpace = false;
    for (const token of tokens) {
      if (token.type === 'space' || token.type === 'newline') hasSpace = true;
      else if (token.type !== 'comment' || (strict && !hasSpace)) refuse();
      length += token.source.length;
    }
  }
  return length;
}

function node(token: CST.Token, depth: number): Built {
  switch (token.type) {
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
    case 'block-scalar':
      return scalar(token, false);
    case 'block-map':
      if (depth >= MAX_DEPTH) refuse();
      return blockMap(token, depth);
    case 'block-seq':
      if (depth >= MAX_DEPTH) refuse();
      return blockSeq(token, depth);
    case 'flow-collection':
      if (depth >= MAX_DEPTH) refuse();
      return flowCollection(token, depth);
    default:
      return refuse();
  }
}

/** composeScalar without a tag: a plain scalar resolved by the core schema's tests, any other a string. */
function scalar(token: CST.FlowScalar | CST.BlockScalar, atKey: boolean): Built & { node: Scalar } {
  const resolved = oneLinePlain(token) ?? CST.resolveAsScalar(token, true, refuse);
  if (!resolved) return refuse();
  let value: unknown = resolved.value;
  if (token.type === 'scalar' && mayResolve(resolved.value)) {
    const text = resolved.value;
    for (const tag of scalarTags) {
      if ((tag.default === true || (atKey && tag.default === 'key')) && tag.test.test(text)) {
        const res = tag.resolve(text, refuse, schemaOptions);
        value = res instanceof Scalar ? res.value : res;
        break;
      }
    }
  }
  const out = scalarNode(value, resolved.range, resolved.type as Scalar.Type);
  if (!atKey && typeof value === 'string' && mayHoldKey(value)) candidates.push(out);
  return { value, node: out };
}

/**
 * resolveFlowScalar of a plain scalar on one line, which is its source as it stands (`unfoldLines`
 * finds no line break, `plainValue` no bad first character): most scalars of a skill file.
 * Undefined for any other scalar.
 */
function oneLinePlain(token: CST.FlowScalar | CST.BlockScalar): { value: string; type: string; range: [number, number, number] } | undefined {
  if (token.type !== 'scalar') return undefined;
  const source = token.source;
  if (source.length === 0 || BAD_PLAIN_START.includes(source[0]!) || source.includes('\n')) return undefined;
  const valueEnd = token.offset + source.length;
  return { value: source, type: 'PLAIN', range: [token.offset, valueEnd, valueEnd + end(token.end, true)] };
}

/** First characters `plainValue` reports (BAD_SCALAR_START). */
const BAD_PLAIN_START = '\t,%|>@`';

/** A map key: a one-line scalar giving a string, number or boolean key other than `<<` (as `plainValue` accepts). */
function key(token: CST.Token | undefined): { node: Scalar; key: string; raw: unknown } {
  if (!token || (token.type !== 'scalar' && token.type !== 'single-quoted-scalar' && token.type !== 'double-quoted-scalar')) return refuse();
  // MULTILINE_IMPLICIT_KEY (containsNewline).
  if (token.source.includes('\n') || token.end?.some((t) => t.type === 'newline')) refuse();
  const { node: k, value } = scalar(token, true);
  let name: string;
  if (typeof value === 'string') {
    if (value === '<<') refuse();
    name = value;
  } else if (typeof value === 'number' || typeof value === 'boolean') name = String(value);
  else return refuse();
  return { node: k, key: name, raw: value };
}

/** Mappings up to this many keys are checked for repeats without a Set. */
const SHORT_MAPPING = 12;
const sets = new WeakMap<unknown[], Set<unknown>>();
function seenIn(seen: unknown[]): Set<unknown> {
  let set = sets.get(seen);
  if (!set) sets.set(seen, (set = new Set(seen)));
  return set;
}

/** Sets `out[name]` as `plainValue` does; refuses a repeated key. */
function put(out: Record<string, unknown>, seen: unknown[], raw: unknown, name: string, value: unknown): void {
  // duplicateKeys identifies keys by their scalar value (a NaN only by its node, so never equal).
  if (seen.length < SHORT_MAPPING ? seen.includes(raw) : seenIn(seen).has(raw)) refuse();
  seen.push(raw);
  if (seen.length >= SHORT_MAPPING) seenIn(seen).add(raw);
  setEntry(out, name, value);
}

function blockMap(bm: CST.BlockMap, depth: number): Built {
  const map = mapNode(false);
  const out: Record<string, unknown> = {};
  const seen: unknown[] = [];
  let offset = bm.offset;
  let commentEnd: number | undefined;
  for (const item of bm.items) {
    const start = props(item.start, undefined, true);
    const keyToken = (item as { key?: CST.Token }).key;
    if (!keyToken && !item.sep && !item.value) {
      // A comment-only item (resolveBlockMap's `commentEnd`): only after the last pair.
      if (start.end === undefined) refuse();
      commentEnd = start.end;
      continue;
    }
    if (commentEnd !== undefined) refuse();
    if (!keyToken || !('indent' in keyToken) || keyToken.indent !== bm.indent) refuse();
    const k = key(keyToken);
    const sep = props(item.sep, 'map-value-ind', false);
    if (!sep.found || !item.value) refuse();
    if (item.value!.type === 'block-map' && !sep.hasNewline) refuse();
    // KEY_OVER_1024_CHARS: the `:` at most 1024 characters after where the key's properties end.
    if ((start.end ?? offset) < sep.found!.offset - 1000) refuse();
    // In the walk's order (as plainValue): the pair, then its key, then what its value holds.
    const pair = pairNode(k.node);
    if (typeof k.raw === 'string') {
      if (isSecretFieldName(k.raw)) candidates.push(pair);
      if (mayHoldKey(k.raw)) candidates.push(k.node);
    }
    const v = node(item.value!, depth + 1);
    pair.value = v.node;
    put(out, seen, k.raw, k.key, v.value);
    map.items.push(pair);
    offset = v.node.range![2];
  }
  if (commentEnd !== undefined && commentEnd < offset) refuse();
  map.range = [bm.offset, offset, commentEnd ?? offset];
  return { value: out, node: map };
}

function blockSeq(bs: CST.BlockSequence, depth: number): Built {
  const seq = seqNode(false);
  const out: unknown[] = [];
  let offset = bs.offset;
  let commentEnd: number | undefined;
  for (const item of bs.items) {
    const start = props(item.start, 'seq-item-ind', true);
    if (!start.found) {
      if (item.value || start.end === undefined) refuse();
      commentEnd = start.end;
      continue;
    }
    if (commentEnd !== undefined || !item.value) refuse();
    const v = node(item.value!, depth + 1);
    out.push(v.value);
    seq.items.push(v.node);
    offset = v.node.range![2];
  }
  seq.range = [bs.offset, offset, commentEnd ?? offset];
  return { value: out, node: seq };
}

function flowCollection(fc: CST.FlowCollection, depth: number): Built {
  const isMap = fc.start.source === '{';
  const coll = isMap ? mapNode(true) : seqNode(true);
  const outMap: Record<string, unknown> = {};
  const outSeq: unknown[] = [];
  const seen: unknown[] = [];
  const items = fc.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const start = props(item.start, undefined, false, true);
    const keyToken = (item as { key?: CST.Token }).key;
    if (!keyToken && !item.sep && !item.value) {
      // An empty item (resolveFlowCollection): only the last one, and not a lone comma.
      if ((i === 0 && start.comma) || i < items.length - 1) refuse();
      continue;
    }
    // The first item without a comma before it, every later one with one.
    if (start.comma !== i > 0) refuse();
    if (!isMap) {
      if (keyToken || item.sep || !item.value) refuse();
      const v = flowValue(item.value!, depth);
      outSeq.push(v.value);
      (coll as YAMLSeq).items.push(v.node);
      continue;
    }
    if (!keyToken) refuse();
    const k = key(keyToken);
    const sep = props(item.sep, 'map-value-ind', false, true);
    if (!sep.found || !item.value) refuse();
    const pair = pairNode(k.node);
    if (typeof k.raw === 'string') {
      if (isSecretFieldName(k.raw)) candidates.push(pair);
      if (mayHoldKey(k.raw)) candidates.push(k.node);
    }
    const v = flowValue(item.value!, depth);
    pair.value = v.node;
    put(outMap, seen, k.raw, k.key, v.value);
    (coll as YAMLMap).items.push(pair);
  }
  const [closing, ...rest] = fc.end;
  if (closing?.source !== (isMap ? '}' : ']')) refuse();
  const closed = closing!.offset + closing!.source.length;
  coll.range = [fc.offset, closed, closed + end(rest, true)];
  return { value: isMap ? outMap : outSeq, node: coll };
}

/** A value inside a flow collection: no block collections (BLOCK_IN_FLOW). */
function flowValue(token: CST.Token, depth: number): Built {
  if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'block-scalar') refuse();
  return node(token, depth + 1);
}
