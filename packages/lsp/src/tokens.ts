/**
 * Semantic tokens for what YAML highlighting cannot see: the expressions and templates inside
 * YAML strings (variables, fields, functions, literals, operators and the `{{ }}` delimiters).
 */
import type { ExprNode, ParsedSkill, SourceFile, TemplateAst, TemplateNode } from '@sdl/compiler';
import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensLegend } from 'vscode-languageserver';
import { compiledOf, fileSpan, walkExpressions } from './document.js';
import { positionOf } from './positions.js';

/** The token types, in legend order. */
export const TOKEN_TYPES = ['variable', 'property', 'function', 'string', 'number', 'keyword', 'operator', 'macro', 'parameter'] as const;
/** The legend the server announces. */
export const TOKEN_LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [] };

type TokenType = (typeof TOKEN_TYPES)[number];

/** The semantic tokens of a file. */
export function semanticTokens(parsed: ParsedSkill, source: SourceFile): SemanticTokens {
  const tokens: { start: number; end: number; type: TokenType }[] = [];
  for (const compiled of compiledOf(parsed).values()) {
    if (!compiled.ast) continue;
    const add = (start: number, end: number, type: TokenType) => {
      const [s, e] = fileSpan(compiled, start, end);
      if (e > s) tokens.push({ start: s, end: e, type });
    };
    if (compiled.kind === 'template') templateDelimiters((compiled.ast as TemplateAst).body, compiled.src, add);
    walkExpressions(compiled.ast, (node: ExprNode) => {
      switch (node.kind) {
        case 'ident': add(node.start, node.end, 'variable'); break;
        case 'select': add(node.fieldStart, node.fieldStart + node.field.length, 'property'); break;
        case 'has': add(node.start, node.start + 3, 'macro'); add(node.fieldStart, node.fieldStart + node.field.length, 'property'); break;
        case 'call': add(node.fnStart, node.fnStart + node.fn.length, 'function'); break;
        case 'comprehension': add(node.fnStart, node.fnStart + node.macro.length, 'macro'); break;
        case 'string': case 'bytes': add(node.start, node.end, 'string'); break;
        case 'int': case 'uint': case 'double': add(node.start, node.end, 'number'); break;
        case 'bool': case 'null': add(node.start, node.end, 'keyword'); break;
        case 'binary': add(node.opStart, node.opEnd, 'operator'); break;
        default: break;
      }
    });
  }
  tokens.sort((a, b) => a.start - b.start);
  const builder = new SemanticTokensBuilder();
  let last = -1;
  for (const t of tokens) {
    if (t.start < last) continue; // overlapping (a macro's name inside its call span)
    const from = positionOf(source, t.start);
    const to = positionOf(source, t.end);
    // A token never spans lines in LSP; expression names never contain a line break.
    if (to.line !== from.line) continue;
    builder.push(from.line, from.character, to.character - from.character, TOKEN_TYPES.indexOf(t.type), 0);
    last = t.end;
  }
  return builder.build();
}

/** `{{`, `}}` and the block words `#if`, `#each`, `else`, `/if`, `/each` of a template, as keywords. */
function templateDelimiters(body: TemplateNode[], src: string, add: (start: number, end: number, type: TokenType) => void): void {
  const visit = (nodes: TemplateNode[], from: number, to: number) => {
    void nodes;
    const text = src.slice(from, to);
    for (const m of text.matchAll(/\{\{\s*(#if|#each|else if|else|\/if|\/each)?|\}\}/g)) {
      const start = from + m.index;
      if (m[0].startsWith('{{')) {
        add(start, start + 2, 'keyword');
        if (m[1]) add(start + m[0].length - m[1].length, start + m[0].length, 'keyword');
      } else add(start, start + 2, 'keyword');
    }
  };
  // Delimiters sit in the template text outside literal text nodes; scanning the gaps between text nodes finds them.
  let cursor = 0;
  const texts: { start: number; end: number }[] = [];
  const collect = (nodes: TemplateNode[]) => {
    for (const n of nodes) {
      if (n.kind === 'text') texts.push(n);
      else if (n.kind === 'if') {
        for (const b of n.branches) collect(b.body);
        if (n.otherwise) collect(n.otherwise);
      } else if (n.kind === 'each') collect(n.body);
    }
  };
  collect(body);
  texts.sort((a, b) => a.start - b.start);
  for (const t of texts) {
    if (t.start > cursor) visit([], cursor, t.start);
    cursor = Math.max(cursor, t.end);
  }
  if (cursor < src.length) visit([], cursor, src.length);
}
