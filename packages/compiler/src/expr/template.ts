import type { IToken } from './chevrotain.js';
import type { EachNode, ExprNode, IfNode, TemplateAst, TemplateNode } from './ast.js';
import { ExprCode, type ExprDiagnostic } from './expr-diagnostic.js';
import { lexTemplate } from './fast-lexer.js';
import { lexicalDiagnostics, MAX_NESTING, parseTokens } from './parser.js';
import * as T from './tokens.js';

/**
 * Template syntax:
 *
 * - `{{ expr }}` inserts a value; `{{! comment }}` and `{{!-- comment --}}` are dropped;
 * - `{{#if expr}} … {{else if expr}} … {{else}} … {{/if}}`;
 * - `{{#each expr as item}} … {{/each}}` and `{{#each expr as item, i}}` (i is the 0-based int index;
 *   a map iterates its keys).
 *
 * A line holding only a block tag or a comment (plus spaces/tabs) is removed whole, line break
 * included (Mustache's "standalone" rule). Errors in one tag do not stop the parse: every tag is
 * parsed, so all the template's errors are reported at once.
 */

type TagKind = 'expr' | 'if' | 'elseif' | 'else' | 'each' | 'unknown';
type Segment =
  | { kind: 'text'; start: number; end: number; text: string }
  | { kind: 'comment'; start: number; end: number }
  | { kind: 'close'; block: 'if' | 'each'; start: number; end: number }
  | { kind: 'tag'; tag: TagKind; open: IToken; body: IToken[]; start: number; end: number; broken: boolean };

const tokenEnd = (t: IToken) => t.startOffset + t.image.length;

const OPENERS = new Map<unknown, TagKind>([
  [T.OpenExpr, 'expr'], [T.OpenIf, 'if'], [T.OpenElseIf, 'elseif'], [T.OpenElse, 'else'], [T.OpenEach, 'each'], [T.OpenUnknownBlock, 'unknown'],
]);

function segment(text: string, diagnostics: ExprDiagnostic[]): Segment[] {
  // The hand-written lexer gives the same tokens for input without lexing errors; the rest is chevrotain's.
  const fast = lexTemplate(text);
  const lexed = fast ? { tokens: fast, errors: [] as { offset: number; length: number }[] } : T.templateLexer.tokenize(text);
  const segments: Segment[] = [];
  const lexErrors = lexed.errors.map((e) => ({ offset: e.offset, length: e.length }));
  diagnostics.push(...lexicalDiagnostics(lexed.tokens, lexErrors, text));
  // Offsets of lexical problems, sorted, so each tag finds its own with a binary search.
  const bad = [
    ...lexErrors.map((e) => e.offset),
    ...lexed.tokens.filter((t) => t.tokenType === T.UnterminatedString).map((t) => t.startOffset),
  ].sort((a, b) => a - b);
  const brokenAt = (start: number, stop: number) => {
    let lo = 0;
    let hi = bad.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bad[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    return lo < bad.length && bad[lo]! < stop;
  };
  const tokens = lexed.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const type = t.tokenType;
    if (type === T.Text) segments.push({ end: tokenEnd(t), kind: 'text', start: t.startOffset, text: t.image });
    else if (type === T.Comment) segments.push({ kind: 'comment', start: t.startOffset, end: tokenEnd(t) });
    else if (type === T.UnclosedComment) {
      diagnostics.push({ code: ExprCode.UnclosedTag, message: 'comment `{{!` is not closed', start: t.startOffset, end: t.startOffset + 3, hint: 'end the comment with `}}`' });
    } else if (type === T.CloseIf || type === T.CloseEach)
      segments.push({ kind: 'close', block: type === T.CloseIf ? 'if' : 'each', start: t.startOffset, end: tokenEnd(t) });
    else {
      const tag = OPENERS.get(type)!;
      const body: IToken[] = [];
      let j = i + 1;
      let closed = false;
      let runaway = -1;
      for (; j < tokens.length; j++) {
        const u = tokens[j]!;
        if (u.tokenType === T.CloseTag) {
          closed = true;
          break;
        }
        // `{ {` with nothing between: almost certainly the next tag of a tag that was never closed.
        const prev = body[body.length - 1];
        if (runaway < 0 && u.tokenType === T.LBrace && prev?.tokenType === T.LBrace && prev.startOffset + 1 === u.startOffset) runaway = prev.startOffset;
        body.push(u);
      }
      const stop = closed ? tokenEnd(tokens[j]!) : text.length;
      if (!closed || runaway >= 0) {
        diagnostics.push({
          code: ExprCode.UnclosedTag,
          message: runaway >= 0 ? '`{{` is not closed before the next `{{`' : '`{{` is not closed',
          start: t.startOffset,
          end: tokenEnd(t),
          hint: 'close the tag with `}}`',
        });
        i = j;
        continue;
      }
      segments.push({ kind: 'tag', tag, open: t, body, start: t.startOffset, end: stop, broken: brokenAt(t.startOffset, stop) });
      i = j;
    }
  }
  return segments;
}

const isBlank = (s: string) => /^[ \t]*$/.test(s);

/** Removes lines that hold only a block tag or a comment (Mustache's standalone rule). */
function stripStandaloneLines(segments: Segment[]): void {
  const cutStart = new Map<number, number>();
  const cutEnd = new Map<number, number>();
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const standaloneKind = s.kind === 'comment' || s.kind === 'close' || (s.kind === 'tag' && s.tag !== 'expr');
    if (!standaloneKind) continue;
    const prev = segments[i - 1];
    const next = segments[i + 1];
    let left: number | undefined; // characters to cut from the end of prev
    if (prev === undefined) left = 0;
    else if (prev.kind === 'text') {
      const nl = Math.max(prev.text.lastIndexOf('\n'), prev.text.lastIndexOf('\r'));
      const tail = prev.text.slice(nl + 1);
      if (isBlank(tail) && (nl >= 0 || i - 1 === 0)) left = tail.length;
    }
    if (left === undefined) continue;
    let right: number | undefined; // characters to cut from the start of next
    if (next === undefined) right = 0;
    else if (next.kind === 'text') {
      const m = /^[ \t]*(\r\n|\n|\r)/.exec(next.text);
      if (m) right = m[0].length;
      else if (i + 1 === segments.length - 1 && isBlank(next.text)) right = next.text.length;
    }
    if (right === undefined) continue;
    if (prev) cutEnd.set(i - 1, left);
    if (next) cutStart.set(i + 1, right);
  }
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind !== 'text') continue;
    const a = cutStart.get(i) ?? 0;
    const b = Math.min(cutEnd.get(i) ?? 0, s.text.length - a);
    s.text = s.text.slice(a, s.text.length - b);
    s.start += a;
    s.end -= b;
  }
}

function parseTagExpression(tokens: IToken[], endOffset: number, diagnostics: ExprDiagnostic[]): ExprNode | undefined {
  const { ast, diagnostics: d } = parseTokens(tokens, endOffset);
  diagnostics.push(...d);
  return ast;
}

interface Frame {
  node: IfNode | EachNode;
  body: TemplateNode[];
  hasElse: boolean;
  open: { start: number; end: number };
}

/**
 * Parses a template. `ast` is always returned (tags with errors are left out of it) together with
 * every diagnostic found; treat the template as unusable when any diagnostic is an error.
 */
export function parseTemplate(text: string): { ast: TemplateAst; diagnostics: ExprDiagnostic[] } {
  const diagnostics: ExprDiagnostic[] = [];
  const segments = segment(text, diagnostics);
  stripStandaloneLines(segments);
  const root: TemplateNode[] = [];
  const stack: Frame[] = [];
  const current = () => (stack.length > 0 ? stack[stack.length - 1]!.body : root);

  for (const s of segments) {
    switch (s.kind) {
      case 'text':
        if (s.text.length > 0) current().push({ end: s.end, kind: 'text', start: s.start, text: s.text });
        break;
      case 'comment':
        break;
      case 'close': {
        const at = stack.map((f) => f.node.kind).lastIndexOf(s.block);
        if (at < 0) {
          diagnostics.push({ code: ExprCode.BadBlock, message: `\`{{/${s.block}}}\` has no matching \`{{#${s.block}}}\``, start: s.start, end: s.end, hint: 'remove it, or add the opening tag' });
          break;
        }
        while (stack.length > at + 1) {
          const f = stack.pop()!;
          diagnostics.push(unclosed(f));
        }
        const f = stack.pop()!;
        f.node.end = s.end;
        break;
      }
      case 'tag':
        // Blocks nest no deeper than expressions do, so checking and rendering never recurse deeply.
        if ((s.tag === 'if' || s.tag === 'each') && stack.length >= MAX_NESTING) {
          const tooDeep: ExprDiagnostic = { code: ExprCode.TooComplex, message: `blocks nest more than ${MAX_NESTING} levels deep`, start: s.start, end: tokenEnd(s.open), hint: 'flatten the template' };
          return { ast: { body: [], kind: 'template' }, diagnostics: [...diagnostics, tooDeep] };
        }
        handleTag(s, text, stack, current, diagnostics);
        break;
    }
  }
  for (const f of stack) diagnostics.push(unclosed(f));
  return { ast: { body: root, kind: 'template' }, diagnostics };
}

function unclosed(f: Frame): ExprDiagnostic {
  const name = f.node.kind;
  return { code: ExprCode.UnclosedBlock, message: `\`{{#${name}}}\` is never closed`, start: f.open.start, end: f.open.end, hint: `add \`{{/${name}}}\`` };
}

function handleTag(
  s: Extract<Segment, { kind: 'tag' }>,
  text: string,
  stack: Frame[],
  current: () => TemplateNode[],
  diagnostics: ExprDiagnostic[],
): void {
  const exprEnd = s.end - 2; // before `}}`
  const openSpan = { start: s.start, end: tokenEnd(s.open) };
  const top = stack[stack.length - 1];
  switch (s.tag) {
    case 'unknown': {
      const name = s.open.image.replace(/^\{\{\s*/, '');
      diagnostics.push({ code: ExprCode.BadBlock, message: `unknown block tag \`${name}\``, start: openSpan.start, end: openSpan.end, hint: 'the blocks are `{{#if}}`, `{{else if}}`, `{{else}}`, `{{/if}}`, `{{#each}}` and `{{/each}}`' });
      return;
    }
    case 'expr': {
      if (s.broken) return;
      const expr = parseTagExpression(s.body, exprEnd, diagnostics);
      if (expr) current().push({ end: s.end, expr, kind: 'interpolation', start: s.start });
      return;
    }
    case 'if': {
      const test = s.broken ? undefined : parseTagExpression(s.body, exprEnd, diagnostics);
      const node: IfNode = { branches: [], end: s.end, kind: 'if', start: s.start };
      const body: TemplateNode[] = [];
      node.branches.push({ body, test: test ?? { end: s.end, kind: 'bool', start: s.start, value: false } });
      current().push(node);
      stack.push({ node, body, hasElse: false, open: openSpan });
      return;
    }
    case 'elseif':
    case 'else': {
      const label = s.tag === 'else' ? '{{else}}' : '{{else if}}';
      if (!top || top.node.kind !== 'if') {
        diagnostics.push({ code: ExprCode.BadBlock, message: `\`${label}\` outside of an \`{{#if}}\` block`, start: openSpan.start, end: openSpan.end, hint: 'put it between `{{#if ...}}` and `{{/if}}`' });
        return;
      }
      if (top.hasElse) {
        diagnostics.push({ code: ExprCode.BadBlock, message: `\`${label}\` after \`{{else}}\``, start: openSpan.start, end: openSpan.end, hint: '`{{else}}` must be the last branch of the `{{#if}}`' });
        return;
      }
      const node = top.node;
      const body: TemplateNode[] = [];
      if (s.tag === 'else') {
        if (s.body.length > 0) {
          const extra = s.body[0]!;
          diagnostics.push({ code: ExprCode.Syntax, message: `unexpected \`${extra.image}\` in \`{{else}}\``, start: extra.startOffset, end: tokenEnd(extra), hint: 'write `{{else if condition}}` for another branch' });
        }
        // Re-adding \`start\` after \`otherwise\` keeps the node's keys in sorted order (see ast.ts).
        const start = node.start;
        delete (node as Partial<IfNode>).start;
        node.otherwise = body;
        node.start = start;
        top.hasElse = true;
      } else {
        const test = s.broken ? undefined : parseTagExpression(s.body, exprEnd, diagnostics);
        node.branches.push({ body, test: test ?? { end: s.end, kind: 'bool', start: s.start, value: false } });
      }
      top.body = body;
      return;
    }
    case 'each': {
      const header = parseEachHeader(s.body, exprEnd, openSpan, s.broken, diagnostics);
      const body: TemplateNode[] = [];
      // Keys in sorted order (see ast.ts), the optional \`index\` at its place.
      const node: EachNode = { body, end: s.end } as EachNode;
      if (header?.index !== undefined) node.index = header.index;
      node.item = header?.item ?? 'item';
      node.itemStart = header?.itemStart ?? s.start;
      node.kind = 'each';
      node.list = header?.list ?? { elements: [], end: s.end, kind: 'list', start: s.start };
      node.start = s.start;
      current().push(node);
      stack.push({ node, body, hasElse: false, open: openSpan });
      return;
    }
  }
  void text;
}

function parseEachHeader(
  tokens: IToken[],
  exprEnd: number,
  openSpan: { start: number; end: number },
  broken: boolean,
  diagnostics: ExprDiagnostic[],
): { list: ExprNode; item: string; itemStart: number; index?: string } | undefined {
  const bad = (message: string, start: number, stop: number): undefined => {
    diagnostics.push({ code: ExprCode.BadEach, message, start, end: stop, hint: 'write `{{#each list as item}}` or `{{#each list as item, index}}`' });
    return undefined;
  };
  if (broken) return undefined;
  let asAt = -1;
  for (let k = tokens.length - 1; k >= 0; k--) if (tokens[k]!.tokenType === T.Identifier && tokens[k]!.image === 'as') { asAt = k; break; }
  if (asAt < 0) return bad('`{{#each}}` needs `as` and a name for the item', openSpan.start, exprEnd + 2);
  const names = tokens.slice(asAt + 1);
  const item = names[0];
  if (!item || item.tokenType !== T.Identifier) return bad('expected a name after `as`', tokenEnd(tokens[asAt]!), exprEnd);
  let index: IToken | undefined;
  if (names.length > 1) {
    if (names.length !== 3 || names[1]!.tokenType !== T.Comma || names[2]!.tokenType !== T.Identifier)
      return bad('expected `, index` or `}}` after the item name', names[1]!.startOffset, exprEnd);
    index = names[2]!;
  }
  const listTokens = tokens.slice(0, asAt);
  const list = parseTagExpression(listTokens, tokens[asAt]!.startOffset, diagnostics);
  if (!list) return undefined;
  return index
    ? { list, item: item.image, itemStart: item.startOffset, index: index.image }
    : { list, item: item.image, itemStart: item.startOffset };
}
