import { type Alias, Composer, CST, type Document, isCollection, isMap, isPair, isScalar, isSeq, parseDocument, Parser, type Scalar, visit, type YAMLError, YAMLParseError } from 'yaml';
import { type DiagnosticCode, makeDiagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source/source-file.js';
import { recordSecretCandidates } from '../check/secret-text.js';
import { plainValue } from './plain-value.js';
import { findTooDeep, MAX_NESTING_DEPTH } from './nesting.js';
import { rangeOfNode } from './ranges.js';
import { walkNodes } from './walk.js';
import { withoutTokenLog } from './parser-next.js';
import { fromCst } from './from-cst.js';

/**
 * How skill files are parsed (the same options re-create an identical document from the text).
 * Duplicate keys are found by `duplicateKeys` in one pass: `yaml`'s own check compares each key
 * with every earlier one, quadratic in the size of a mapping (40,000 keys took seconds).
 */
export const YAML_OPTIONS = { prettyErrors: false, uniqueKeys: false, strict: true } as const;

/** Most alias expansions `toJS` may perform; beyond it a file is an alias bomb ("billion laughs"). */
export const MAX_ALIAS_EXPANSIONS = 100;

/** A parsed skill file: the `yaml` Document (with node positions), its plain value and parse diagnostics. */
export interface ParsedSkill {
  source: SourceFile;
  /** For a file built from the CST (`fromCst`), composed from the text when first read. */
  document: Document.Parsed;
  /**
   * The root node, with values and positions: `document.contents`, or for `fromCst` the same
   * nodes built from the CST (without comments). Paths are located in it, not in `document`.
   */
  contents: unknown;
  /** True when the value and nodes were built straight from the CST: the file has no YAML problem. */
  fromCst?: true;
  /** The plain JavaScript value of the document (undefined when it could not be built). */
  value: unknown;
  diagnostics: Diagnostic[];
  /** False when parse errors make the value unreliable; later stages skip such a file. */
  ok: boolean;
}

const YAML_ERROR_CODES: Partial<Record<string, DiagnosticCode>> = {
  DUPLICATE_KEY: 'SDL1004',
  TAB_AS_INDENT: 'SDL1005',
  MULTIPLE_DOCS: 'SDL1008',
  RESOURCE_EXHAUSTION: 'SDL1006',
};

const HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'remove one of the two entries (YAML keeps only one of them)',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  MULTIPLE_DOCS: 'a skill file holds one YAML document: remove the `---` separator or split the file',
  BAD_INDENT: 'align entries of the same mapping or list at the same column, using spaces',
  MISSING_CHAR: 'close the quote or bracket that was opened (inside a string, write `\\"` for a double quote or `\'\'` for a single one)',
  BLOCK_AS_IMPLICIT_KEY: 'put the key on its own line followed by `:`',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; quote multi-line text or use `|` for a block',
  UNEXPECTED_TOKEN: 'check the punctuation: a value containing `: ` or starting with `{`, `[`, `*`, `&`, `!`, `|`, `>` or `@` must be quoted',
  BAD_DQ_ESCAPE: 'use a valid escape such as `\\n`, `\\"` or `\\\\`, or switch to single quotes',
};

function messageOf(error: YAMLError): string {
  const text = error.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '');
  if (error.code === 'DUPLICATE_KEY') return 'duplicate key: mapping keys must be unique';
  if (error.code === 'TAB_AS_INDENT') return 'tab character used for indentation';
  if (error.code === 'MULTIPLE_DOCS') return 'the file contains more than one YAML document';
  if (error.code === 'MISSING_CHAR' && /quote/i.test(error.message)) return 'YAML syntax error: this quoted string is never closed';
  return `YAML syntax error: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

/**
 * Parses a skill file with the `yaml` package, keeping node positions. YAML errors and warnings
 * become located diagnostics (SDL1xxx); nothing here throws on any input.
 */
export function parseSkill(source: SourceFile): ParsedSkill {
  const tooDeep = findTooDeep(source.text);
  if (tooDeep) {
    // Refused before `yaml` sees it: its parser recurses once per level.
    const at = source.rangeAt(tooDeep.offset, tooDeep.offset + 1);
    const diagnostic =
      tooDeep.reason === 'unclosed'
        ? makeDiagnostic('SDL1003', source.path, at, `YAML syntax error: this \`${source.text[tooDeep.offset]}\` is never closed (more than ${MAX_NESTING_DEPTH} lines after it are not indented inside it)`, 'close the bracket: a flow list ends with `]`, a flow mapping with `}`')
        : makeDiagnostic('SDL1012', source.path, at, `the file nests deeper than ${MAX_NESTING_DEPTH} levels of mappings, lists and brackets`, 'flatten the structure; a skill file never needs this depth');
    return failed(source, diagnostic);
  }
  const direct = parseFromCst(source);
  if (direct) return direct;
  const limited = parseWithoutStacks(source.text);
  if (typeof limited === 'number') {
    // Nesting the pre-scan cannot foresee (yaml's error recovery nests a level per bad line).
    const at = source.rangeAt(limited, limited + 1);
    const diagnostic = makeDiagnostic('SDL1012', source.path, at, `the file nests deeper than the YAML parser allows (${MAX_PARSER_DEPTH} open nodes) here`, 'look for lines indented under a `key: value` line, or an unclosed bracket or quote above; a skill file never nests this deep');
    return failed(source, diagnostic);
  }
  const { document, stoppedAt } = limited;
  const diagnostics: Diagnostic[] = [];
  let ok = stoppedAt === undefined;
  if (stoppedAt !== undefined) diagnostics.push(stoppedDiagnostic(source, stoppedAt));
  let quotedScalars: [number, number, number][] | undefined;
  for (const error of document.errors) {
    const code = YAML_ERROR_CODES[error.code] ?? 'SDL1003';
    if (code !== 'SDL1004') ok = false;
    const unclosed = error.code === 'MISSING_CHAR' && /quote/i.test(error.message) ? unclosedQuoteRange((quotedScalars ??= quotedScalarRanges(document)), source, error.pos[0]) : undefined;
    const range = unclosed ?? source.rangeAt(error.pos[0], error.pos[1]);
    const hint = /end with an? [\]}]/i.test(error.message)
      ? 'close the bracket: a flow list ends with `]`, a flow mapping with `}`'
      : /nested mappings are not allowed in compact mappings/i.test(error.message)
        ? 'a plain value cannot contain `: `; quote it, e.g. `system: "Reply with: yes or no"`'
        : HINTS[error.code];
    diagnostics.push(makeDiagnostic(code, source.path, range, messageOf(error), hint));
  }
  for (const warning of document.warnings) {
    const text = warning.message.split('\n')[0]!;
    diagnostics.push(
      makeDiagnostic('SDL1011', source.path, source.rangeAt(warning.pos[0], warning.pos[1]), `YAML: ${text}`, warning.code === 'TAG_RESOLVE_FAILED' ? 'remove the tag; SDL uses plain YAML values' : undefined),
    );
  }
  const duplicateStop = duplicateKeys(document, source, diagnostics);
  if (duplicateStop !== undefined && stoppedAt === undefined) diagnostics.push(stoppedDiagnostic(source, duplicateStop, 'duplicate keys'));
  if (ok && document.contents === null) {
    const end = source.positionAt(source.text.length);
    diagnostics.push(makeDiagnostic('SDL1007', source.path, { start: { line: 1, column: 1 }, end }, 'the file is empty: it contains no YAML value', 'start from `skillc init` or a skill in `skills/`'));
    return { source, document, contents: document.contents, value: undefined, diagnostics, ok: false };
  }
  // Most files are plain mappings, lists and scalars: built directly, the same value toJS builds.
  // Such a document has only string, number and boolean scalar keys, so checkKeys has nothing to report.
  const plain = ok ? plainValue(document.contents) : undefined;
  if (ok && !plain) {
    checkKeys(document, source, diagnostics);
    // yaml's toJS would stringify a collection key and print a process warning on the user's terminal.
    if (diagnostics.some((d) => d.code === 'SDL1010')) ok = false;
  }
  if (plain && document.contents) recordSecretCandidates(document.contents, plain.secretCandidates);
  let value: unknown;
  if (ok) {
    try {
      value = (plain ?? { value: document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS }) }).value;
    } catch (error) {
      ok = false;
      diagnostics.push(aliasDiagnostic(document, source, error));
    }
  }
  if (diagnostics.some((d) => d.code === 'SDL1010')) ok = false;
  return { source, document, contents: document.contents, value, diagnostics, ok };
}

function failed(source: SourceFile, diagnostic: Diagnostic): ParsedSkill {
  const document = parseDocument('', YAML_OPTIONS);
  return { source, document, contents: document.contents, value: undefined, diagnostics: [diagnostic], ok: false };
}

/**
 * The common case without composing a document: the value and nodes built from the parser's
 * tokens (see from-cst.ts). Undefined for any file the CST path does not cover exactly, at the
 * first error token or beyond the parser's depth bound; such a file is parsed again the ordinary way.
 */
function parseFromCst(source: SourceFile): ParsedSkill | undefined {
  const parser = limitedParser();
  const tokens: CST.Token[] = [];
  try {
    for (const token of parser.parse(source.text)) {
      if (token.type === 'error') return undefined;
      tokens.push(token);
    }
  } catch (error) {
    if (error instanceof ParserTooDeep) return undefined;
    throw error;
  }
  const built = fromCst(tokens);
  if (!built) return undefined;
  if (built.contents !== null && typeof built.contents === 'object') recordSecretCandidates(built.contents, built.secretCandidates);
  return new ParsedFromCst(source, built.contents, built.value);
}

/**
 * A file built from the CST. Its document is composed from the kept text only when read (with the
 * same options it is the same document, errors and comments included, as the composer gives);
 * `release` lets the nodes go, after which paths are located in that document. Accessors on a
 * class, not `defineProperty` on each result: that cost ~1 % of a compile and made every later
 * read of the object slower.
 */
export class ParsedFromCst implements ParsedSkill {
  readonly fromCst = true;
  diagnostics: Diagnostic[] = [];
  ok = true;
  private composed: Document.Parsed | undefined;
  private released = false;

  constructor(
    readonly source: SourceFile,
    private nodes: unknown,
    public value: unknown,
  ) {}

  get document(): Document.Parsed {
    return (this.composed ??= parseDocument(this.source.text, YAML_OPTIONS));
  }

  set document(document: Document.Parsed) {
    this.composed = document;
  }

  get contents(): unknown {
    return this.released ? this.document.contents : this.nodes;
  }

  set contents(nodes: unknown) {
    this.nodes = nodes;
    this.released = false;
  }

  /** Drops the nodes and any composed document (see releaseDocument). */
  release(): void {
    this.nodes = undefined;
    this.composed = undefined;
    this.released = true;
  }
}

/**
 * Makes `parsed.document` the document parsed again from the kept text on first read: with the
 * same options it is the same document (its nodes, errors and comments) as the composer gave.
 */
export function reparseOnRead(parsed: ParsedSkill): void {
  let document: Document.Parsed | undefined;
  Object.defineProperty(parsed, 'document', {
    configurable: true,
    enumerable: true,
    get: () => (document ??= parseDocument(parsed.source.text, YAML_OPTIONS)),
    set: (value: Document.Parsed) => {
      document = value;
    },
  });
}

/**
 * `yaml` reports each problem as an Error; a mangled file can give tens of thousands, and capturing
 * a stack trace for each (never shown: they become diagnostics) was most of the time spent on them.
 * A number (the offset) when the parser's depth bound was crossed.
 */
function parseWithoutStacks(text: string): LimitedParse | number {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parseLimited(text);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Most nodes `yaml`'s parser may hold open at once (its parser and composer recurse once per node). */
const MAX_PARSER_DEPTH = 400;

/**
 * Most YAML errors collected from one file before parsing stops. A mangled file can give hundreds
 * of thousands (one per stray `}`); building every one cost seconds, and only the first 200
 * diagnostics of a file are shown anyway.
 */
export const MAX_YAML_ERRORS = 1000;

class ParserTooDeep {
  constructor(readonly offset: number) {}
}

class TooManyErrors {
  constructor(readonly offset: number) {}
}

/** A document parsed with the bounds, and where parsing gave up after `MAX_YAML_ERRORS` errors (if it did). */
interface LimitedParse {
  document: Document.Parsed;
  /** Offset of the first error not collected; parsing stopped there. */
  stoppedAt?: number;
}

/**
 * `parseDocument` with two bounds: the parser's stack of open nodes (so neither the parser nor the
 * composer can overflow the JavaScript stack; whether they did depended on how much stack the caller
 * had left, which made the diagnostics of one input differ between two checks) and the number of
 * errors. Returns the offset where the depth bound was crossed instead of a document.
 */
function parseLimited(text: string): LimitedParse | number {
  const parser = limitedParser();
  const composer = new Composer(YAML_OPTIONS);
  // Errors come two ways: as the parser's `error` tokens (counted as they stream past, so the parser
  // stops with them) and through the composer's onError while it builds a document.
  let errors = 0;
  let stoppedAt: number | undefined;
  const countError = (offset: number) => {
    if (stoppedAt === undefined && ++errors > MAX_YAML_ERRORS) {
      stoppedAt = offset;
      throw new TooManyErrors(offset);
    }
  };
  const internal = composer as unknown as { onError: (source: unknown, code: string, message: string, warning?: boolean) => void };
  const onError = internal.onError;
  internal.onError = (source, code, message, warning) => {
    if (!warning) countError(typeof source === 'number' ? source : Array.isArray(source) ? (source[0] as number) : ((source as { offset?: number }).offset ?? 0));
    onError(source, code, message, warning);
  };
  let document: Document.Parsed | undefined;
  /** As yaml's parseDocument: the first document, and an error for any further one (false: stop there). */
  const take = (next: Document.Parsed): boolean => {
    if (!document) {
      document = next;
      return true;
    }
    document.errors.push(new YAMLParseError(next.range.slice(0, 2) as [number, number], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
    return false;
  };
  try {
    // The composer's `compose` loop, driven here so that the parser's error tokens are counted as
    // they stream past without a generator wrapped around the token stream.
    let more = true;
    for (const token of parser.parse(text)) {
      if (token.type === 'error') countError(token.offset ?? 0);
      for (const next of composer.next(token)) if (!(more = take(next))) break;
      if (!more) break;
    }
    if (more) for (const next of composer.end(true, text.length)) if (!take(next)) break;
  } catch (error) {
    if (error instanceof ParserTooDeep) return error.offset;
    if (!(error instanceof TooManyErrors)) throw error;
    // The document being built is abandoned; the errors collected so far go on the one returned.
    if (!document) {
      for (const next of composer.end(true, text.length)) if (!take(next)) break;
    } else for (const e of (composer as unknown as { errors: YAMLError[] }).errors) document.errors.push(e);
  }
  return { document: document!, stoppedAt };
}

/** A `Parser` without the token log that throws `ParserTooDeep` beyond `MAX_PARSER_DEPTH` open nodes. */
function limitedParser(): Parser {
  const parser = new Parser();
  withoutTokenLog(parser);
  const inner = parser as unknown as { step: () => Generator<unknown>; stack: unknown[]; offset: number };
  const step = inner.step;
  // Checked when `step` is called, not in a wrapping generator: the parser runs each call with
  // `yield* this.step()`, which starts it at once, so the check sees the same stack either way and
  // no generator is added per token.
  inner.step = function limitedStep(this: typeof inner) {
    if (this.stack.length > MAX_PARSER_DEPTH) throw new ParserTooDeep(this.offset);
    return step.call(this);
  };
  return parser;
}

/**
 * Says where parsing gave up. It sorts after the errors collected before it, so the diagnostic cap
 * (200 a file) usually leaves it out; `capDiagnostics` then repeats its message in its "and N more".
 */
function stoppedDiagnostic(source: SourceFile, offset: number, what = 'syntax errors'): Diagnostic {
  const at = Math.min(Math.max(0, offset), source.text.length);
  const { line, column } = source.positionAt(at);
  return makeDiagnostic(
    'SDL1013',
    source.path,
    source.rangeAt(at, Math.min(at + 1, source.text.length)),
    what === 'syntax errors'
      ? `YAML parsing stopped at ${line}:${column} after ${MAX_YAML_ERRORS} syntax errors; the rest of the file was not checked`
      : `duplicate keys after the first ${MAX_YAML_ERRORS} (from ${line}:${column}) are not reported`,
    'fix the first errors and check again; one early mistake (an unclosed quote or bracket) often causes many',
  );
}

/**
 * Keys that repeat an earlier key of the same mapping, as `yaml`'s `uniqueKeys` finds them (equal
 * scalar values; other keys only when they are the same node), each one hashed once. Reports at
 * most `MAX_YAML_ERRORS` of them; returns the offset of the first one left out, if any.
 */
function duplicateKeys(document: Document.Parsed, source: SourceFile, diagnostics: Diagnostic[]): number | undefined {
  const stack: unknown[] = [document.contents];
  let reported = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const items = node.items;
      // Most mappings are short: compared with each earlier key instead of allocating a Set. `===`
      // is the Set's SameValueZero here, as a NaN key is identified by its node.
      const seen = items.length > SHORT_MAPPING ? new Set<unknown>() : undefined;
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        const key = item.key;
        const id = keyIdentity(key);
        let repeated = false;
        if (seen) {
          repeated = seen.has(id);
          if (!repeated) seen.add(id);
        } else for (let j = 0; j < i && !repeated; j++) repeated = keyIdentity(items[j]!.key) === id;
        if (repeated) {
          if (++reported > MAX_YAML_ERRORS) return (key as Scalar).range?.[0] ?? 0;
          diagnostics.push(makeDiagnostic('SDL1004', source.path, rangeOfNode(source, key as Scalar), 'duplicate key: mapping keys must be unique', HINTS.DUPLICATE_KEY));
        }
        stack.push(item.value, item.key);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(isPair(item) ? item.value : item);
    }
  }
  return undefined;
}

/** Mappings up to this many keys are checked for repeats without a Set. */
const SHORT_MAPPING = 12;

/** What makes two keys the same for `duplicateKeys`: a scalar's value (a NaN only equals itself), any other key its node. */
const keyIdentity = (key: unknown): unknown => (isScalar(key) ? (Number.isNaN(key.value) ? key : key.value) : key);

/** The ranges of the quoted scalars, in document order (so by start offset). */
function quotedScalarRanges(document: Document.Parsed): [number, number, number][] {
  const found: [number, number, number][] = [];
  visit(document, {
    Scalar(_, node) {
      if (node.range && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) found.push(node.range);
    },
  });
  return found.sort((a, b) => a[0] - b[0]);
}

/**
 * yaml reports a missing closing quote where the text ends; the useful place is the opening quote,
 * so point from it to the end of its line (the last quoted scalar that starts before the offset
 * and reaches it).
 */
function unclosedQuoteRange(quoted: readonly [number, number, number][], source: SourceFile, offset: number) {
  let lo = 0;
  let hi = quoted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (quoted[mid]![0] < offset) lo = mid + 1;
    else hi = mid;
  }
  let found: [number, number, number] | undefined;
  for (let k = lo - 1; k >= 0 && !found; k--) if (quoted[k]![1] >= offset - 1) found = quoted[k];
  if (!found) return undefined;
  const start = source.positionAt(found[0]);
  const lineEnd = source.offsetAt({ line: start.line, column: [...source.lineText(start.line)].length + 1 });
  return source.rangeAt(found[0], lineEnd);
}

/** Collection keys (`? [a, b]: x`) and null keys have no meaning in a skill file. */
function checkKeys(document: Document.Parsed, source: SourceFile, diagnostics: Diagnostic[]): void {
  walkNodes(document.contents, {
    pair(pair) {
      const key = pair.key;
      if (isCollection(key) || (isScalar(key) && key.value === null) || key === null) {
        const range = key && (isScalar(key) || isCollection(key)) && key.range ? rangeOfNode(source, key) : rangeOfNode(source, pair.value as never);
        diagnostics.push(makeDiagnostic('SDL1010', source.path, range, 'mapping keys must be plain strings', 'write the key as a name, e.g. `description:`'));
      }
    },
  });
}

function aliasDiagnostic(document: Document.Parsed, source: SourceFile, error: unknown): Diagnostic {
  const aliases: Alias[] = [];
  visit(document, { Alias: (_, node) => void aliases.push(node) });
  const message = error instanceof Error ? error.message : String(error);
  const unresolved = aliases.find((a) => a.resolve(document) === undefined);
  if (unresolved) {
    return makeDiagnostic('SDL1003', source.path, rangeOfNode(source, unresolved), `YAML syntax error: alias \`*${unresolved.source}\` refers to no anchor`, `define \`&${unresolved.source}\` before using it`);
  }
  const first = aliases[0];
  const range = first ? rangeOfNode(source, first) : { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  if (/alias/i.test(message)) {
    return makeDiagnostic('SDL1006', source.path, range, `aliases expand to too many nodes (more than ${MAX_ALIAS_EXPANSIONS} alias expansions)`, 'write the values out instead of nesting aliases; skill files do not need them');
  }
  return makeDiagnostic('SDL1003', source.path, range, `YAML error: ${message}`);
}
