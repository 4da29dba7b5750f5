import { EmbeddedActionsParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from './chevrotain.js';
import type { BinaryOp, ExprNode, MacroName } from './ast.js';
import { ExprCode, type ExprDiagnostic } from './expr-diagnostic.js';
import { lexExpression } from './fast-lexer.js';
import { bytesToHex, decodeStringLiteral } from './literals.js';
import * as T from './tokens.js';

/** Deepest `(`, `[`, `{` or `?:` nesting accepted; checked before parsing so the parser never recurses deeper. */
export const MAX_NESTING = 100;
/** Deepest AST accepted (long operator chains), so checking and evaluation stay far from the JS stack limit. */
export const MAX_AST_DEPTH = 400;
/** Most tokens in one expression. */
export const MAX_TOKENS = 20_000;

const RESERVED = new Set([
  'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop',
  'package', 'namespace', 'return', 'var', 'void', 'while',
]);
const MACROS = new Set<string>(['all', 'exists', 'exists_one', 'map', 'filter']);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

function describe(token: IToken | undefined): string {
  if (!token || token.tokenType === EOF) return 'the end of the expression';
  if (token.tokenType === T.CloseTag) return 'the end of the tag `}}`';
  return `\`${token.image}\``;
}
const label = (t: TokenType) => t.LABEL ?? t.name;

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${label(expected)} but found ${describe(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `unexpected ${describe(firstRedundant)} after a complete expression (missing an operator?)`,
  buildNoViableAltMessage: ({ actual, previous }) =>
    previous?.tokenType === T.Dot
      ? `expected a field name after \`.\` but found ${describe(actual[0])}`
      : `expected a value (a literal, a name, \`(\`, \`[\` or \`{\`) but found ${describe(actual[0])}`,
  buildEarlyExitMessage: ({ actual }) => `unexpected ${describe(actual[0])}`,
};

const end = (t: IToken) => t.startOffset + t.image.length;

class ExprParser extends EmbeddedActionsParser {
  /** Problems found while building nodes (literal ranges, reserved words, macro shapes). */
  semantic: ExprDiagnostic[] = [];
  /** Literals written inside parentheses (not folded with a preceding minus). */
  parenthesized = new WeakSet<ExprNode>();

  constructor() {
    super(T.allTokens, { recoveryEnabled: false, maxLookahead: 3, errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  private report(code: string, message: string, start: number, stop: number, hint?: string): void {
    report(this, code, message, start, stop, hint);
  }

  expr: () => ExprNode = this.RULE('expr', () => {
    const test = this.SUBRULE(this.disjunction);
    let result = test;
    this.OPTION(() => {
      this.CONSUME(T.Question);
      const then = this.SUBRULE2(this.disjunction);
      this.CONSUME(T.Colon);
      const otherwise = this.SUBRULE(this.expr);
      result = this.ACTION(() => ({ end: otherwise.end, kind: 'conditional', otherwise, start: test.start, test, then }));
    });
    return result;
  });

  private disjunction = this.RULE('disjunction', () => {
    let left = this.SUBRULE(this.conjunction);
    this.MANY(() => {
      const op = this.CONSUME(T.OrOr);
      const right = this.SUBRULE2(this.conjunction);
      left = this.ACTION(() => binary('||', left, right, op));
    });
    return left;
  });

  private conjunction = this.RULE('conjunction', () => {
    let left = this.SUBRULE(this.relation);
    this.MANY(() => {
      const op = this.CONSUME(T.AndAnd);
      const right = this.SUBRULE2(this.relation);
      left = this.ACTION(() => binary('&&', left, right, op));
    });
    return left;
  });

  private relation = this.RULE('relation', () => {
    let left = this.SUBRULE(this.addition);
    this.MANY(() => {
      const op = this.CONSUME(T.RelOp);
      const right = this.SUBRULE2(this.addition);
      left = this.ACTION(() => binary(op.image as BinaryOp, left, right, op));
    });
    return left;
  });

  private addition = this.RULE('addition', () => {
    let left = this.SUBRULE(this.multiplication);
    this.MANY(() => {
      const op = this.CONSUME(T.AddOp);
      const right = this.SUBRULE2(this.multiplication);
      left = this.ACTION(() => binary(op.image as BinaryOp, left, right, op));
    });
    return left;
  });

  private multiplication = this.RULE('multiplication', () => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.CONSUME(T.MulOp);
      const right = this.SUBRULE2(this.unary);
      left = this.ACTION(() => binary(op.image as BinaryOp, left, right, op));
    });
    return left;
  });

  private unary = this.RULE('unary', () => {
    const ops: IToken[] = [];
    this.MANY(() => {
      ops.push(this.OR([{ ALT: () => this.CONSUME(T.Bang) }, { ALT: () => this.CONSUME(T.Minus) }]));
    });
    const operand = this.SUBRULE(this.member);
    return this.ACTION(() => buildUnary(this, ops, operand));
  });

  private member = this.RULE('member', () => {
    let node = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            this.OR2([
              {
                ALT: () => {
                  const name = this.CONSUME(T.Identifier);
                  let args: ExprNode[] | undefined;
                  let close: IToken | undefined;
                  this.OPTION(() => {
                    this.CONSUME(T.LParen);
                    args = this.SUBRULE(this.args);
                    close = this.CONSUME(T.RParen);
                  });
                  node = this.ACTION(() =>
                    args === undefined ? buildSelect(node, name) : buildCall(this, name, node, args, end(close!)),
                  );
                },
              },
              {
                ALT: () => {
                  const name = this.CONSUME(T.QuotedIdent);
                  node = this.ACTION(() => buildSelect(node, name));
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME(T.LBracket);
            const index = this.SUBRULE(this.expr);
            const close = this.CONSUME(T.RBracket);
            node = this.ACTION(() => ({ end: end(close), index, kind: 'index', opStart: open.startOffset, operand: node, start: node.start }));
          },
        },
      ]);
    });
    return node;
  });

  private args = this.RULE('args', () => {
    const list: ExprNode[] = [];
    this.OPTION(() => {
      list.push(this.SUBRULE(this.expr));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        list.push(this.SUBRULE2(this.expr));
      });
    });
    return list;
  });

  private primary = this.RULE('primary', (): ExprNode => {
    return this.OR([
      {
        ALT: () => {
          const name = this.CONSUME(T.Identifier);
          let args: ExprNode[] | undefined;
          let close: IToken | undefined;
          this.OPTION(() => {
            this.CONSUME(T.LParen);
            args = this.SUBRULE(this.args);
            close = this.CONSUME(T.RParen);
          });
          return this.ACTION((): ExprNode => {
            if (args === undefined) {
              if (RESERVED.has(name.image))
                this.report(ExprCode.Reserved, `\`${name.image}\` is a reserved word`, name.startOffset, end(name), 'choose another name');
              return { end: end(name), kind: 'ident', name: name.image, start: name.startOffset };
            }
            return buildCall(this, name, undefined, args, end(close!));
          });
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME2(T.LParen);
          const inner = this.SUBRULE(this.expr);
          const close = this.CONSUME2(T.RParen);
          // Remember parenthesized literals, so `-(9223372036854775808)` never folds into a literal.
          return this.ACTION(() => {
            if (inner.kind === 'int' || inner.kind === 'double') this.parenthesized.add(inner);
            return inner;
          });
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LBracket);
          const elements: ExprNode[] = [];
          this.OPTION2(() => {
            elements.push(this.SUBRULE3(this.expr));
            this.MANY(() => {
              this.CONSUME(T.Comma);
              elements.push(this.SUBRULE4(this.expr));
            });
            this.OPTION3(() => this.CONSUME2(T.Comma));
          });
          const close = this.CONSUME(T.RBracket);
          return this.ACTION(() => ({ elements, end: end(close), kind: 'list', start: open.startOffset }));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LBrace);
          const entries: { key: ExprNode; value: ExprNode }[] = [];
          this.OPTION4(() => {
            const key = this.SUBRULE5(this.expr);
            this.CONSUME(T.Colon);
            const value = this.SUBRULE6(this.expr);
            entries.push({ key, value });
            this.MANY2(() => {
              this.CONSUME3(T.Comma);
              const k = this.SUBRULE7(this.expr);
              this.CONSUME2(T.Colon);
              const v = this.SUBRULE8(this.expr);
              entries.push({ key: k, value: v });
            });
            this.OPTION5(() => this.CONSUME4(T.Comma));
          });
          const close = this.CONSUME(T.RBrace);
          return this.ACTION(() => ({ end: end(close), entries, kind: 'map', start: open.startOffset }));
        },
      },
      { ALT: () => this.SUBRULE(this.literal) },
    ]);
  });

  private literal = this.RULE('literal', (): ExprNode => {
    return this.OR([
      { ALT: () => { const t = this.CONSUME(T.Null); return this.ACTION(() => ({ end: end(t), kind: 'null', start: t.startOffset })); } },
      { ALT: () => { const t = this.CONSUME(T.True); return this.ACTION(() => ({ end: end(t), kind: 'bool', start: t.startOffset, value: true })); } },
      { ALT: () => { const t = this.CONSUME(T.False); return this.ACTION(() => ({ end: end(t), kind: 'bool', start: t.startOffset, value: false })); } },
      { ALT: () => { const t = this.CONSUME(T.IntLit); return this.ACTION(() => intLiteral(t)); } },
      { ALT: () => { const t = this.CONSUME(T.UintLit); return this.ACTION(() => uintLiteral(this, t)); } },
      { ALT: () => { const t = this.CONSUME(T.DoubleLit); return this.ACTION(() => ({ end: end(t), kind: 'double', start: t.startOffset, value: t.image })); } },
      { ALT: () => { const t = this.CONSUME(T.StringLit); return this.ACTION(() => stringLiteral(this, t)); } },
    ]);
  });
}

/** Where the AST builders put what they find: the parser itself, or the fast path's own record. */
interface BuildContext {
  semantic: ExprDiagnostic[];
  parenthesized: WeakSet<ExprNode>;
}

function report(ctx: BuildContext, code: string, message: string, start: number, stop: number, hint?: string): void {
  ctx.semantic.push(hint === undefined ? { code, message, start, end: stop } : { code, message, start, end: stop, hint });
}

function intLiteral(t: IToken): ExprNode {
  // Range is checked after unary minus folding (buildUnary), since -9223372036854775808 is valid.
  return { end: end(t), kind: 'int', start: t.startOffset, value: BigInt(t.image).toString() };
}

function uintLiteral(ctx: BuildContext, t: IToken): ExprNode {
  const v = BigInt(t.image.slice(0, -1));
  if (v > UINT64_MAX)
    report(ctx, ExprCode.BadLiteral, `uint literal \`${t.image}\` is larger than 18446744073709551615`, t.startOffset, end(t));
  return { end: end(t), kind: 'uint', start: t.startOffset, value: v.toString() };
}

function stringLiteral(ctx: BuildContext, t: IToken): ExprNode {
  const decoded = decodeStringLiteral(t.image, t.startOffset);
  if (decoded.kind === 'error') {
    ctx.semantic.push(decoded.diagnostic);
    return { end: end(t), kind: 'string', start: t.startOffset, value: '' };
  }
  if (decoded.kind === 'bytes') return { end: end(t), kind: 'bytes', start: t.startOffset, value: bytesToHex(decoded.value) };
  return { end: end(t), kind: 'string', start: t.startOffset, value: decoded.value };
}

function buildUnary(ctx: BuildContext, ops: IToken[], operand: ExprNode): ExprNode {
  let node = operand;
  let i = ops.length - 1;
  // CEL folds a minus directly before a numeric literal into the literal.
  if (i >= 0 && ops[i]!.image === '-' && (node.kind === 'int' || node.kind === 'double') && !ctx.parenthesized.has(node)) {
    node = node.kind === 'int'
      ? { end: node.end, kind: 'int', start: ops[i]!.startOffset, value: (-BigInt(node.value)).toString() }
      : { end: node.end, kind: 'double', start: ops[i]!.startOffset, value: `-${node.value}` };
    i--;
  }
  if (node.kind === 'int') {
    const v = BigInt(node.value);
    if (v > INT64_MAX || v < -INT64_MAX - 1n)
      report(ctx, ExprCode.BadLiteral, `int literal \`${node.value}\` is outside the int64 range`, node.start, node.end,
        'int is a signed 64-bit integer; use a uint literal (suffix `u`) or a double');
  }
  for (; i >= 0; i--) node = { end: node.end, kind: 'unary', op: ops[i]!.image as '!' | '-', operand: node, start: ops[i]!.startOffset };
  return node;
}

/**
 * `operand.name`. After a dot CEL bars only `true`, `false`, `null` and `in` (they are not
 * identifier tokens), so reserved words like `as` or `if` are ordinary field names there; a
 * backtick-quoted name (`` m.`content-type` ``) selects a key that is not an identifier.
 */
function buildSelect(operand: ExprNode, name: IToken): ExprNode {
  const field = name.tokenType === T.QuotedIdent ? name.image.slice(1, -1) : name.image;
  return { end: end(name), field, fieldStart: name.startOffset, kind: 'select', operand, start: operand.start };
}

function buildCall(ctx: BuildContext, name: IToken, target: ExprNode | undefined, args: ExprNode[], stop: number): ExprNode {
  const fn = name.image;
  const start = target ? target.start : name.startOffset;
  if (!target && fn === 'has') {
    const arg = args[0];
    if (args.length !== 1 || !arg || arg.kind !== 'select') {
      report(ctx, ExprCode.BadMacro, '`has()` takes one field selection, like `has(inputs.name)`', name.startOffset, stop);
      return { end: stop, kind: 'bool', start, value: false };
    }
    return { end: stop, field: arg.field, fieldStart: arg.fieldStart, kind: 'has', operand: arg.operand, start };
  }
  if (target && MACROS.has(fn)) {
    const macro = fn as MacroName;
    const arity = macro === 'map' ? [2, 3] : [2];
    const variable = args[0];
    if (!arity.includes(args.length) || !variable || variable.kind !== 'ident') {
      const shape = macro === 'map' ? '`list.map(x, transform)` or `list.map(x, filter, transform)`' : `\`list.${macro}(x, predicate)\``;
      report(ctx, ExprCode.BadMacro, `\`${macro}\` is a macro written ${shape}, with a variable name first`, name.startOffset, stop);
      return { end: stop, kind: 'null', start };
    }
    const node: ExprNode = args.length === 3
      ? { body: args[2]!, end: stop, filter: args[1]!, fnStart: name.startOffset, kind: 'comprehension', macro, range: target, start, variable: variable.name }
      : { body: args[1]!, end: stop, fnStart: name.startOffset, kind: 'comprehension', macro, range: target, start, variable: variable.name };
    return node;
  }
  const node: ExprNode = { args, end: stop, fn, fnStart: name.startOffset, kind: 'call', start };
  if (target) node.target = target;
  return node;
}

function binary(op: BinaryOp, left: ExprNode, right: ExprNode, token: IToken): ExprNode {
  return { end: right.end, kind: 'binary', left, op, opEnd: end(token), opStart: token.startOffset, right, start: left.start };
}

let sharedParser: ExprParser | undefined;
const parser = () => (sharedParser ??= new ExprParser());

/** Nesting and size limits, checked on tokens so deep input is refused before any recursion. */
function checkComplexity(tokens: IToken[]): ExprDiagnostic | undefined {
  // The open brackets and `?`s, innermost last. A `:` closes only a `?` (in a map literal it is the
  // key/value separator, which must not lower the depth); a closing bracket also closes the `?`s
  // opened inside it, so unbalanced input cannot drive the count down either.
  const open: TokenType[] = [];
  for (const t of tokens) {
    const type = t.tokenType;
    if (type === T.LParen || type === T.LBracket || type === T.LBrace || type === T.Question) {
      open.push(type);
      if (open.length > MAX_NESTING)
        return { code: ExprCode.TooComplex, message: `expression nests too deeply (more than ${MAX_NESTING} levels of brackets or \`?:\`)`, start: t.startOffset, end: end(t), hint: 'simplify the expression or split it into several steps' };
    } else if (type === T.Colon) {
      if (open[open.length - 1] === T.Question) open.pop();
    } else if (type === T.RParen || type === T.RBracket || type === T.RBrace) {
      while (open[open.length - 1] === T.Question) open.pop();
      open.pop();
    }
  }
  if (tokens.length > MAX_TOKENS) {
    const t = tokens[MAX_TOKENS]!;
    return { code: ExprCode.TooComplex, message: `expression is too long (more than ${MAX_TOKENS} tokens)`, start: t.startOffset, end: end(t), hint: 'split it into several steps' };
  }
  return undefined;
}

/** Depth of an AST, measured without recursion. */
function astDepth(root: ExprNode): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, d] = stack.pop()!;
    if (d > max) max = d;
    if (d > MAX_AST_DEPTH) return d;
    for (const v of Object.values(node as object)) {
      if (v !== null && typeof v === 'object') {
        if (Array.isArray(v)) for (const x of v) stack.push([x, (x as { kind?: string }).kind ? d + 1 : d]);
        else stack.push([v, (v as { kind?: string }).kind ? d + 1 : d]);
      }
    }
  }
  return max;
}

/** Lexer errors as diagnostics; an unterminated string token becomes one clear error. */
export function lexicalDiagnostics(tokens: IToken[], errors: { offset: number; length: number }[], text: string): ExprDiagnostic[] {
  const out: ExprDiagnostic[] = [];
  for (const e of errors) {
    const ch = String.fromCodePoint(text.codePointAt(e.offset) ?? 0xfffd);
    out.push({ code: ExprCode.Lexical, message: `unexpected character \`${ch}\``, start: e.offset, end: e.offset + Math.max(1, e.length) });
  }
  for (const t of tokens)
    if (t.tokenType === T.UnterminatedString)
      out.push({ code: ExprCode.Lexical, message: 'string literal is not closed', start: t.startOffset, end: end(t), hint: 'add the closing quote; strings cannot span lines unless triple-quoted (""" ... """)' });
  return out;
}

/** Deepest `expr` recursion the direct parser goes to before leaving the input to the parser. */
const MAX_DIRECT_DEPTH = 64;

const directParenthesized = new WeakSet<ExprNode>();

/** Thrown (and caught in `parseDirect`) when the input is not a plain, error-free expression. */
const GIVE_UP = new Error('not handled by the direct parser');

/**
 * A hand-written recursive descent parser for the same grammar as `ExprParser`, used first because
 * it is much faster than the chevrotain one. It builds the AST with the same builders, so every
 * node is the one the parser would build. It handles only input without any problem: at the first
 * syntax error or diagnostic it gives up and the chevrotain parser parses the input again (so all
 * messages come from one place).
 */
class DirectParser implements BuildContext {
  semantic: ExprDiagnostic[] = [];
  // Only ever asked about nodes of the current parse, so one set serves every parse.
  parenthesized = directParenthesized;
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: IToken[]) {}

  private peek(offset = 0): TokenType | undefined {
    return this.tokens[this.pos + offset]?.tokenType;
  }

  private consume(type: TokenType): IToken {
    const t = this.tokens[this.pos];
    if (t === undefined || t.tokenType !== type) throw GIVE_UP;
    this.pos++;
    return t;
  }

  private check(): void {
    if (this.semantic.length > 0) throw GIVE_UP;
  }

  parse(): ExprNode {
    const ast = this.expr();
    if (this.pos !== this.tokens.length) throw GIVE_UP;
    return ast;
  }

  private expr(): ExprNode {
    if (++this.depth > MAX_DIRECT_DEPTH) throw GIVE_UP;
    const test = this.disjunction();
    let result = test;
    if (this.peek() === T.Question) {
      this.pos++;
      const then = this.disjunction();
      this.consume(T.Colon);
      const otherwise = this.expr();
      result = { end: otherwise.end, kind: 'conditional', otherwise, start: test.start, test, then };
    }
    this.depth--;
    return result;
  }

  private disjunction(): ExprNode {
    let left = this.conjunction();
    while (this.peek() === T.OrOr) {
      const op = this.tokens[this.pos++]!;
      const right = this.conjunction();
      left = binary('||', left, right, op);
    }
    return left;
  }

  private conjunction(): ExprNode {
    let left = this.relation();
    while (this.peek() === T.AndAnd) {
      const op = this.tokens[this.pos++]!;
      const right = this.relation();
      left = binary('&&', left, right, op);
    }
    return left;
  }

  private relation(): ExprNode {
    let left = this.addition();
    while (isRelOp(this.peek())) {
      const op = this.tokens[this.pos++]!;
      const right = this.addition();
      left = binary(op.image as BinaryOp, left, right, op);
    }
    return left;
  }

  private addition(): ExprNode {
    let left = this.multiplication();
    for (let type = this.peek(); type === T.Plus || type === T.Minus; type = this.peek()) {
      const op = this.tokens[this.pos++]!;
      const right = this.multiplication();
      left = binary(op.image as BinaryOp, left, right, op);
    }
    return left;
  }

  private multiplication(): ExprNode {
    let left = this.unary();
    for (let type = this.peek(); type === T.Star || type === T.Slash || type === T.Percent; type = this.peek()) {
      const op = this.tokens[this.pos++]!;
      const right = this.unary();
      left = binary(op.image as BinaryOp, left, right, op);
    }
    return left;
  }

  private unary(): ExprNode {
    const ops: IToken[] = [];
    for (let type = this.peek(); type === T.Bang || type === T.Minus; type = this.peek()) ops.push(this.tokens[this.pos++]!);
    const operand = this.member();
    const node = buildUnary(this, ops, operand);
    this.check();
    return node;
  }

  private member(): ExprNode {
    let node = this.primary();
    for (;;) {
      const type = this.peek();
      if (type === T.Dot) {
        this.pos++;
        if (this.peek() === T.QuotedIdent) {
          node = buildSelect(node, this.tokens[this.pos++]!);
          continue;
        }
        const name = this.consume(T.Identifier);
        if (this.peek() === T.LParen) {
          this.pos++;
          const args = this.args();
          const close = this.consume(T.RParen);
          node = buildCall(this, name, node, args, end(close));
        } else node = buildSelect(node, name);
        this.check();
      } else if (type === T.LBracket) {
        const open = this.tokens[this.pos++]!;
        const index = this.expr();
        const close = this.consume(T.RBracket);
        node = { end: end(close), index, kind: 'index', opStart: open.startOffset, operand: node, start: node.start };
      } else return node;
    }
  }

  private args(): ExprNode[] {
    const list: ExprNode[] = [];
    if (this.peek() === T.RParen) return list;
    list.push(this.expr());
    while (this.peek() === T.Comma) {
      this.pos++;
      list.push(this.expr());
    }
    return list;
  }

  private primary(): ExprNode {
    const t = this.tokens[this.pos];
    if (t === undefined) throw GIVE_UP;
    const type = t.tokenType;
    this.pos++;
    switch (type) {
      case T.Identifier: {
        if (this.peek() === T.LParen) {
          this.pos++;
          const args = this.args();
          const close = this.consume(T.RParen);
          const call = buildCall(this, t, undefined, args, end(close));
          this.check();
          return call;
        }
        if (RESERVED.has(t.image)) throw GIVE_UP;
        return { end: end(t), kind: 'ident', name: t.image, start: t.startOffset };
      }
      case T.LParen: {
        const inner = this.expr();
        this.consume(T.RParen);
        if (inner.kind === 'int' || inner.kind === 'double') this.parenthesized.add(inner);
        return inner;
      }
      case T.LBracket: {
        const elements: ExprNode[] = [];
        if (this.peek() !== T.RBracket) {
          elements.push(this.expr());
          while (this.peek() === T.Comma && this.peek(1) !== T.RBracket) {
            this.pos++;
            elements.push(this.expr());
          }
          if (this.peek() === T.Comma) this.pos++;
        }
        const close = this.consume(T.RBracket);
        return { elements, end: end(close), kind: 'list', start: t.startOffset };
      }
      case T.LBrace: {
        const entries: { key: ExprNode; value: ExprNode }[] = [];
        if (this.peek() !== T.RBrace) {
          const key = this.expr();
          this.consume(T.Colon);
          const value = this.expr();
          entries.push({ key, value });
          while (this.peek() === T.Comma && this.peek(1) !== T.RBrace) {
            this.pos++;
            const k = this.expr();
            this.consume(T.Colon);
            const v = this.expr();
            entries.push({ key: k, value: v });
          }
          if (this.peek() === T.Comma) this.pos++;
        }
        const close = this.consume(T.RBrace);
        return { end: end(close), entries, kind: 'map', start: t.startOffset };
      }
      case T.Null:
        return { end: end(t), kind: 'null', start: t.startOffset };
      case T.True:
        return { end: end(t), kind: 'bool', start: t.startOffset, value: true };
      case T.False:
        return { end: end(t), kind: 'bool', start: t.startOffset, value: false };
      case T.IntLit:
        return intLiteral(t);
      case T.UintLit: {
        const node = uintLiteral(this, t);
        this.check();
        return node;
      }
      case T.DoubleLit:
        return { end: end(t), kind: 'double', start: t.startOffset, value: t.image };
      case T.StringLit: {
        const node = stringLiteral(this, t);
        this.check();
        return node;
      }
      default:
        throw GIVE_UP;
    }
  }
}

function isRelOp(type: TokenType | undefined): boolean {
  return type === T.EqEq || type === T.NotEq || type === T.LessEq || type === T.GreaterEq || type === T.Less || type === T.Greater || type === T.In;
}

/** The AST of an error-free expression, built without chevrotain; undefined when the parser must decide. */
function parseDirect(tokens: IToken[]): ExprNode | undefined {
  try {
    return new DirectParser(tokens).parse();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

/**
 * Parses tokens with the chevrotain parser only (no direct path): what `parseTokens` falls back to.
 * Exported for the tests that compare both parsers.
 */
export function parseTokensWithParser(tokens: IToken[], endOffset: number): { ast: ExprNode | undefined; diagnostics: ExprDiagnostic[] } {
  return parseTokensWith(tokens, endOffset, false);
}

/**
 * Parses the tokens of one expression (already lexed). Offsets in the AST are those of the tokens,
 * so a template tag's expression keeps offsets relative to the whole template.
 */
export function parseTokens(tokens: IToken[], endOffset: number): { ast: ExprNode | undefined; diagnostics: ExprDiagnostic[] } {
  return parseTokensWith(tokens, endOffset, true);
}

function parseTokensWith(tokens: IToken[], endOffset: number, direct: boolean): { ast: ExprNode | undefined; diagnostics: ExprDiagnostic[] } {
  const tooComplex = checkComplexity(tokens);
  if (tooComplex) return { ast: undefined, diagnostics: [tooComplex] };
  if (tokens.length === 0)
    return { ast: undefined, diagnostics: [{ code: ExprCode.Syntax, message: 'expected an expression but found nothing', start: endOffset, end: endOffset }] };
  let ast = direct ? parseDirect(tokens) : undefined;
  const diagnostics: ExprDiagnostic[] = [];
  if (!ast) {
    const p = parser();
    p.semantic = [];
    p.input = tokens;
    ast = p.expr();
    for (const e of p.errors) {
      const t = e.token;
      const start = Number.isNaN(t.startOffset) || t.tokenType === EOF ? endOffset : t.startOffset;
      diagnostics.push({ code: ExprCode.Syntax, message: e.message, start, end: t.tokenType === EOF ? start : start + Math.max(1, t.image.length) });
    }
    diagnostics.push(...p.semantic);
    if (diagnostics.length > 0) return { ast: undefined, diagnostics };
  }
  // Every AST node holds at least one token of its own, so the depth is at most the token count.
  if (tokens.length > MAX_AST_DEPTH && astDepth(ast) > MAX_AST_DEPTH)
    return { ast: undefined, diagnostics: [{ code: ExprCode.TooComplex, message: `expression is too deeply nested (more than ${MAX_AST_DEPTH} operators in a chain)`, start: ast.start, end: ast.end, hint: 'split it into several steps' }] };
  return { ast, diagnostics };
}

/**
 * Parses a CEL expression (the language of `when:`, `for_each:`, `with:` and `return:`, see
 * spec/expressions.md). On any error `ast` is undefined and `diagnostics` say where and why.
 * Input size and nesting are bounded ({@link MAX_TOKENS}, {@link MAX_NESTING}, {@link MAX_AST_DEPTH}).
 *
 * @param text - the expression source
 * @returns the AST (plain JSON data with offsets into `text`) or the diagnostics, offsets relative to `text`
 *
 * @example
 * ```ts
 * import { parseExpression } from '@sdl/compiler';
 *
 * const ok = parseExpression('steps.triage.output.priority == "high"');
 * console.log(ok.ast?.kind); // "binary"
 * const bad = parseExpression('inputs.text +');
 * console.log(bad.ast, bad.diagnostics[0]?.code, bad.diagnostics[0]?.start); // undefined "SDL4002" 13
 * ```
 */
export function parseExpression(text: string): { ast: ExprNode | undefined; diagnostics: ExprDiagnostic[] } {
  // The hand-written lexer gives the same tokens for input without lexing errors; the rest is chevrotain's.
  const fast = lexExpression(text);
  const lexed = fast ? { tokens: fast, errors: [] } : T.expressionLexer.tokenize(text);
  const lexical = lexicalDiagnostics(lexed.tokens, lexed.errors, text);
  if (lexical.length > 0) return { ast: undefined, diagnostics: lexical };
  return parseTokens(lexed.tokens, text.length);
}
