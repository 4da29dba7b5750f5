/**
 * The canonical formatting of a skill file (`skillc fmt`), done on the `yaml` package's Document so
 * comments, blank lines inside sections, block scalars (`|`, `>`) and flow collections survive:
 *
 * - top-level keys, step keys, prompt keys and test keys in the reference's order;
 * - 2-space indentation, no line folding;
 * - single-line strings plain when YAML reads them back as the same string, else double-quoted;
 * - one blank line around each top-level section that spans several lines;
 * - a comment above the first key (e.g. `# yaml-language-server: $schema=…`) stays at the top;
 * - LF line endings and one final newline.
 *
 * The result parses to the same data as the input, and formatting it again changes nothing.
 */
import { type Document, isMap, isScalar, isSeq, type Node, type Pair, parseDocument, Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceFile } from '../source/source-file.js';
import { parseSkill } from '../yaml/parse.js';
import { byKeyOrder, PROMPT_KEY_ORDER, STEP_KEY_ORDER, TEST_KEY_ORDER, TOP_LEVEL_KEY_ORDER } from './key-order.js';

/** What {@link formatSkill} returns. */
export interface FormatResult {
  /** The formatted text; equal to the input when nothing changed or the file has errors. */
  text: string;
  /** True when `text` differs from the input. */
  changed: boolean;
  /** YAML problems (SDL1xxx) that stop formatting; the text is then returned unchanged. */
  diagnostics: Diagnostic[];
}

/** Characters a plain or double-quoted single-line scalar may hold without escapes changing meaning. */
const UNQUOTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

const keyOf = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : '');

function sortPairs(map: YAMLMap, order: readonly string[]): void {
  const compare = byKeyOrder(order);
  map.items.sort((a, b) => compare(keyOf(a), keyOf(b)));
}

/**
 * Strings a YAML 1.1 reader (many editors and older tools) would take for a boolean, date or
 * number: kept double-quoted although YAML 1.2 would read them plain as strings.
 */
const YAML11_LOOKALIKE =
  /^(?:y|n|yes|no|on|off|true|false|null|~|<<|[-+]?(?:\.inf|\.nan)|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?(?:0b[01_]+|0x[0-9a-f_]+|0[0-7_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:e[-+]?[0-9]+)?|\.[0-9_]+))$/i;

/** Plain when every YAML reader reads it back as this string, else double-quoted. */
function normalizeScalar(node: Scalar): void {
  if (typeof node.value !== 'string') return;
  if (node.type !== Scalar.QUOTE_DOUBLE && node.type !== Scalar.QUOTE_SINGLE && node.type !== Scalar.PLAIN) return;
  if (node.value.includes('\n') || UNQUOTABLE.test(node.value)) return;
  // `yaml` quotes what YAML 1.2 needs quoted; the look-alikes are quoted here.
  if (YAML11_LOOKALIKE.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
  else delete node.type;
}

type StringifyContext = { flowCollectionPadding?: string };
type Stringify = (ctx?: StringifyContext, ...rest: unknown[]) => string;

/**
 * Flow lists as `[a, b]` and flow mappings as `{ a: b }` (the style of the spec's examples). `yaml`
 * has one padding option for both, so each flow node gets its own padding in its context.
 */
function padFlow(node: YAMLMap | YAMLSeq, padding: string): void {
  const original = (Object.getPrototypeOf(node) as { toString: Stringify }).toString;
  (node as unknown as { toString: Stringify }).toString = function (ctx, ...rest) {
    return original.call(this, ctx === undefined ? ctx : { ...ctx, flowCollectionPadding: padding }, ...rest);
  };
}

function normalizeTree(node: unknown): void {
  if (isScalar(node)) normalizeScalar(node);
  else if ((isMap(node) || isSeq(node)) && node.flow) padFlow(node, isMap(node) ? ' ' : '');
  if (isMap(node)) {
    for (const pair of node.items) {
      normalizeTree(pair.key);
      normalizeTree(pair.value);
    }
  } else if (isSeq(node)) for (const item of node.items) normalizeTree(item);
}

const spansLines = (node: unknown): boolean => (isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0;

function orderSkill(doc: Document): void {
  const root = doc.contents;
  if (!isMap(root)) return;
  // A comment above the first key belongs to the file, not to that key, so it stays on top when keys move.
  const first = root.items[0]?.key as Node | undefined;
  if (first?.commentBefore) {
    root.commentBefore = root.commentBefore ? `${root.commentBefore}\n${first.commentBefore}` : first.commentBefore;
    first.commentBefore = undefined;
  }
  sortPairs(root, TOP_LEVEL_KEY_ORDER);
  for (const pair of root.items) {
    const key = keyOf(pair);
    if ((key === 'steps' || key === 'tests') && isSeq(pair.value)) {
      for (const item of pair.value.items) {
        if (!isMap(item)) continue;
        sortPairs(item, key === 'steps' ? STEP_KEY_ORDER : TEST_KEY_ORDER);
        if (key === 'steps') {
          const prompt = item.items.find((p) => keyOf(p) === 'prompt')?.value;
          if (isMap(prompt)) sortPairs(prompt, PROMPT_KEY_ORDER);
        }
      }
    }
  }
  root.items.forEach((pair, index) => {
    const key = pair.key as Node;
    const previous = root.items[index - 1];
    key.spaceBefore = index > 0 && (spansLines(pair.value) || spansLines(previous?.value)) ? true : undefined;
  });
}

const MAX_PASSES = 3;

function formatOnce(text: string): string {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true });
  orderSkill(doc);
  normalizeTree(doc.contents);
  return doc.toString({ indent: 2, indentSeq: true, lineWidth: 0, minContentWidth: 0, flowCollectionPadding: true });
}

/**
 * Formats skill text canonically (see the module comment). Text with YAML errors is returned
 * unchanged with its diagnostics: a formatter must never guess at a broken file.
 */
export function formatSkill(text: string, file = 'skill.skill.yaml'): FormatResult {
  const parsed = parseSkill(new SourceFile(file, text));
  const blocking = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (!parsed.ok || hasErrors(blocking) || parsed.document.contents === null) return { text, changed: false, diagnostics: parsed.diagnostics };
  // `yaml` places a few comments (e.g. before the first item of a nested list) differently on a
  // second pass; formatting until nothing moves makes the result a fixed point, so fmt is idempotent.
  let formatted = formatOnce(text);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const again = formatOnce(formatted);
    if (again === formatted) break;
    formatted = again;
  }
  return { text: formatted, changed: formatted !== text, diagnostics: [] };
}
