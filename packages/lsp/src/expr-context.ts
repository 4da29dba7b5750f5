/**
 * Reading an expression that is being typed: the variables bound before the cursor (template
 * `{{#each}}` blocks, macro variables) and the dotted chain just before it. Types always come from
 * the compiler: a chain is parsed with `parseExpression` and typed with `checkExpression`.
 */
import { checkExpression, elementType, parseExpression, Types, type ExprNode, type ExprType } from '@sdl/compiler';

/** What is being typed at the cursor. */
export type ExprCursor =
  /** `chain.prefix`: a field or method of `chain`. */
  | { kind: 'member'; chain: string; prefix: string }
  /** A variable or function name. */
  | { kind: 'ident'; prefix: string };

const CHAIN = String.raw`[A-Za-z_]\w*(?:\s*(?:\.\s*[A-Za-z_]\w*|\[[^\[\]]*\]))*`;
const MEMBER_AT_END = new RegExp(String.raw`(${CHAIN})\s*\.\s*([A-Za-z_]\w*)?$`);
const IDENT_AT_END = /(?:^|[^\w.])([A-Za-z_]\w*)?$/;

/** The type of a chain such as `steps.parts.output.chunks` in `scope` (dyn when it does not check). */
export function typeOfChain(chain: string, scope: ReadonlyMap<string, ExprType>): ExprType {
  const parsed = parseExpression(chain);
  if (!parsed.ast) return Types.dyn;
  return checkExpression(parsed.ast as ExprNode, scope).type;
}

/**
 * The expression text before the cursor: for a template, from the innermost open `{{`
 * (undefined when the cursor is in literal text); `#if`, `#each` and `else if` are dropped.
 */
export function expressionBefore(text: string, template: boolean): string | undefined {
  if (!template) return text;
  const open = text.lastIndexOf('{{');
  if (open < 0 || text.lastIndexOf('}}') > open) return undefined;
  return text.slice(open + 2).replace(/^\s*(#if|#each|else\s+if)\b/, '');
}

/** What is typed at the end of `expression`. */
export function exprCursor(expression: string): ExprCursor | undefined {
  const member = MEMBER_AT_END.exec(expression);
  if (member) return { kind: 'member', chain: member[1]!, prefix: member[2] ?? '' };
  const ident = IDENT_AT_END.exec(expression);
  if (ident) return { kind: 'ident', prefix: ident[1] ?? '' };
  return undefined;
}

/**
 * `scope` plus the variables bound at the end of `before` (the value text up to the cursor):
 * items and indexes of enclosing `{{#each list as item, i}}` blocks, and the variables of macros
 * (`list.all(x, …`) whose parenthesis is still open.
 */
export function scopeAtEnd(before: string, scope: ReadonlyMap<string, ExprType>, template: boolean): Map<string, ExprType> {
  const out = new Map(scope);
  if (template) {
    const open: { list: string; item: string; index?: string }[] = [];
    for (const m of before.matchAll(/\{\{\s*(?:#each\s+(.+?)\s+as\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?|(\/each))\s*\}\}/g)) {
      if (m[4]) open.pop();
      else open.push({ list: m[1]!, item: m[2]!, ...(m[3] ? { index: m[3] } : {}) });
    }
    for (const block of open) {
      out.set(block.item, elementType(typeOfChain(block.list, out)));
      if (block.index) out.set(block.index, Types.int);
    }
  }
  for (const m of before.matchAll(new RegExp(String.raw`(${CHAIN})\s*\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,`, 'g'))) {
    let depth = 0;
    for (let i = m.index + m[0].length; i < before.length; i++) {
      if (before[i] === '(') depth++;
      else if (before[i] === ')' && --depth < 0) break;
    }
    if (depth >= 0) out.set(m[2]!, elementType(typeOfChain(m[1]!, out)));
  }
  return out;
}
