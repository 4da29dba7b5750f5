import { createToken, Lexer, type TokenType } from './chevrotain.js';

/**
 * The one lexer of the expression and template language. Expressions are CEL tokens; templates
 * add a `text` mode holding literal text and tag openers, which push the `tag` mode (CEL tokens plus
 * the closing `}}`). Inside a template tag a map literal that ends in `}}` must be written `} }`.
 */

const NOT_IDENT = '(?![A-Za-z0-9_])';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\n\r\f]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });

// Literals. Raw strings (r"...") keep backslashes; the others are unescaped by the parser.
export const StringLit = createToken({
  name: 'StringLit',
  label: 'string',
  pattern:
    /(?:[rR][bB]?|[bB][rR])(?:"""[\s\S]*?"""|'''[\s\S]*?'''|"[^"\n\r]*"|'[^'\n\r]*')|[bB]?(?:"""(?:[^\\]|\\[\s\S])*?"""|'''(?:[^\\]|\\[\s\S])*?'''|"(?:[^"\\\n\r]|\\[\s\S])*"|'(?:[^'\\\n\r]|\\[\s\S])*')/,
  start_chars_hint: ['"', "'", 'r', 'R', 'b', 'B'],
  line_breaks: true,
});
/** An opening quote whose string never ends: reported as one clear error instead of a cascade. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  label: 'string',
  pattern: /(?:[rR][bB]?|[bB][rR]?)?(?:"""|'''|"|')[^\n\r]*/,
  start_chars_hint: ['"', "'", 'r', 'R', 'b', 'B'],
});
export const DoubleLit = createToken({
  name: 'DoubleLit',
  label: 'double',
  pattern: /(?:\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?)/,
});
export const UintLit = createToken({ name: 'UintLit', label: 'uint', pattern: /(?:0[xX][0-9a-fA-F]+|\d+)[uU]/ });
export const IntLit = createToken({ name: 'IntLit', label: 'int', pattern: /0[xX][0-9a-fA-F]+|\d+/ });

/** Token categories, so the parser matches a whole precedence level with one CONSUME. */
export const RelOp = createToken({ name: 'RelOp', label: 'comparison', pattern: Lexer.NA });
export const AddOp = createToken({ name: 'AddOp', label: '`+` or `-`', pattern: Lexer.NA });
export const MulOp = createToken({ name: 'MulOp', label: '`*`, `/` or `%`', pattern: Lexer.NA });

export const Identifier = createToken({ name: 'Identifier', label: 'name', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
/** A backtick-quoted field name, as CEL allows after a dot: ``m.`content-type` `` (letters, digits, `_ . - /` and space). */
export const QuotedIdent = createToken({ name: 'QuotedIdent', label: 'quoted field name', pattern: /`[A-Za-z0-9_.\/ -]+`/ });
export const True = createToken({ name: 'True', label: '`true`', pattern: /true/, longer_alt: Identifier });
export const False = createToken({ name: 'False', label: '`false`', pattern: /false/, longer_alt: Identifier });
export const Null = createToken({ name: 'Null', label: '`null`', pattern: /null/, longer_alt: Identifier });
export const In = createToken({ name: 'In', label: '`in`', pattern: /in/, longer_alt: Identifier, categories: [RelOp] });

const punct = (name: string, text: string, categories: TokenType[] = []) =>
  createToken({ name, label: `\`${text}\``, pattern: text.length === 1 ? text : new RegExp(text.replace(/[|&*+?]/g, '\\$&')), categories });

export const EqEq = punct('EqEq', '==', [RelOp]);
export const NotEq = punct('NotEq', '!=', [RelOp]);
export const LessEq = punct('LessEq', '<=', [RelOp]);
export const GreaterEq = punct('GreaterEq', '>=', [RelOp]);
export const Less = punct('Less', '<', [RelOp]);
export const Greater = punct('Greater', '>', [RelOp]);
export const AndAnd = punct('AndAnd', '&&');
export const OrOr = punct('OrOr', '||');
export const Bang = punct('Bang', '!');
export const Question = punct('Question', '?');
export const Colon = punct('Colon', ':');
export const Plus = punct('Plus', '+', [AddOp]);
export const Minus = punct('Minus', '-', [AddOp]);
export const Star = punct('Star', '*', [MulOp]);
export const Slash = punct('Slash', '/', [MulOp]);
export const Percent = punct('Percent', '%', [MulOp]);
export const Dot = punct('Dot', '.');
export const Comma = punct('Comma', ',');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const LBrace = punct('LBrace', '{');
export const RBrace = punct('RBrace', '}');

/** `}}` ends a template tag (tag mode only). */
export const CloseTag = createToken({ name: 'CloseTag', label: '`}}`', pattern: /\}\}/, pop_mode: true });

// Template text mode.
const tagHint = { start_chars_hint: ['{'] };
export const Comment = createToken({
  name: 'Comment',
  pattern: /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/,
  line_breaks: true,
  ...tagHint,
});
export const UnclosedComment = createToken({ name: 'UnclosedComment', pattern: /\{\{![\s\S]*/, line_breaks: true, ...tagHint });
export const OpenIf = createToken({ name: 'OpenIf', pattern: new RegExp(`\\{\\{\\s*#if${NOT_IDENT}`), push_mode: 'tag', line_breaks: true, ...tagHint });
export const OpenElseIf = createToken({ name: 'OpenElseIf', pattern: new RegExp(`\\{\\{\\s*else\\s+if${NOT_IDENT}`), push_mode: 'tag', line_breaks: true, ...tagHint });
export const OpenElse = createToken({ name: 'OpenElse', pattern: new RegExp(`\\{\\{\\s*else${NOT_IDENT}`), push_mode: 'tag', line_breaks: true, ...tagHint });
export const CloseIf = createToken({ name: 'CloseIf', pattern: /\{\{\s*\/if\s*\}\}/, line_breaks: true, ...tagHint });
export const OpenEach = createToken({ name: 'OpenEach', pattern: new RegExp(`\\{\\{\\s*#each${NOT_IDENT}`), push_mode: 'tag', line_breaks: true, ...tagHint });
export const CloseEach = createToken({ name: 'CloseEach', pattern: /\{\{\s*\/each\s*\}\}/, line_breaks: true, ...tagHint });
/** `{{#unless`, `{{/foo}}` ...: not part of the language; reported with the list of known blocks. */
export const OpenUnknownBlock = createToken({ name: 'OpenUnknownBlock', pattern: /\{\{\s*[#/][A-Za-z_]*/, push_mode: 'tag', line_breaks: true, ...tagHint });
export const OpenExpr = createToken({ name: 'OpenExpr', pattern: /\{\{/, push_mode: 'tag', ...tagHint });
/** Literal text up to the next `{{` (a custom matcher: `indexOf` is linear and fast on large texts). */
export const Text = createToken({
  name: 'Text',
  pattern: {
    exec(text: string, offset: number): RegExpExecArray | null {
      const next = text.indexOf('{{', offset);
      const stop = next < 0 ? text.length : next;
      if (stop === offset) return null;
      const match = [text.slice(offset, stop)] as unknown as RegExpExecArray;
      return match;
    },
  },
  line_breaks: true,
});

const literalAndNames: TokenType[] = [StringLit, UnterminatedString, DoubleLit, UintLit, IntLit, True, False, Null, In, Identifier, QuotedIdent];
const operators: TokenType[] = [
  EqEq, NotEq, LessEq, GreaterEq, Less, Greater, AndAnd, OrOr, Bang, Question, Colon,
  Plus, Minus, Star, Slash, Percent, Dot, Comma, LParen, RParen, LBracket, RBracket, LBrace,
];

/** Every token the expression parser knows (the parser's vocabulary). */
export const expressionTokens: TokenType[] = [WhiteSpace, LineComment, ...literalAndNames, ...operators, RBrace];

const tagTokens: TokenType[] = [WhiteSpace, LineComment, ...literalAndNames, ...operators, CloseTag, RBrace];
const textTokens: TokenType[] = [Comment, UnclosedComment, OpenIf, OpenElseIf, OpenElse, CloseIf, OpenEach, CloseEach, OpenUnknownBlock, OpenExpr, Text];

/** All token types, for the parser's vocabulary. */
export const allTokens: TokenType[] = [...new Set([...expressionTokens, ...tagTokens, ...textTokens, RelOp, AddOp, MulOp])];

/**
 * A chevrotain lexer built on its first use: building one analyses every token pattern, and the
 * hand-written lexer (fast-lexer.ts) handles all input without lexing errors, so most processes
 * never need it.
 */
function lazyLexer(make: () => Lexer): { tokenize: Lexer['tokenize'] } {
  let lexer: Lexer | undefined;
  return { tokenize: (text, initialMode) => (lexer ??= make()).tokenize(text, initialMode) };
}

/** The expression lexer (chevrotain), for input the hand-written lexer declines. */
export const expressionLexer = lazyLexer(() => new Lexer(expressionTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true }));
/** The template lexer (chevrotain). The text mode's custom matcher cannot be first-char optimized; the tag mode still is. */
export const templateLexer = lazyLexer(() => new Lexer({ modes: { text: textTokens, tag: tagTokens }, defaultMode: 'text' }, { positionTracking: 'onlyOffset' }));
