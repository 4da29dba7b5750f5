import type { IToken, TokenType } from './chevrotain.js';
import * as T from './tokens.js';

/**
 * A hand-written lexer giving the tokens chevrotain's `expressionLexer` and `templateLexer` give,
 * for input they lex without any error. It picks tokens by their first character and uses the
 * token definitions' own patterns where a token is more than a fixed string, in the same order.
 * On anything it is not sure of (an unknown character, an unterminated string, a lexing error)
 * it returns undefined and the caller uses the chevrotain lexer, which reports the problem.
 */

const sticky = (type: TokenType): RegExp => {
  const pattern = type.PATTERN as RegExp;
  return new RegExp(pattern.source, `${pattern.flags.replace('g', '')}y`);
};

const STRING = sticky(T.StringLit);
const UNTERMINATED = sticky(T.UnterminatedString);
const DOUBLE = sticky(T.DoubleLit);
const UINT = sticky(T.UintLit);
const INT = sticky(T.IntLit);
const WORD = sticky(T.Identifier);
const QUOTED = sticky(T.QuotedIdent);
const WHITESPACE = sticky(T.WhiteSpace);
const LINE_COMMENT = sticky(T.LineComment);
/** The text-mode tokens that start with `{{`, in the template lexer's order (`Text` is the rest). */
const OPENERS: [RegExp, TokenType][] = [T.Comment, T.UnclosedComment, T.OpenIf, T.OpenElseIf, T.OpenElse, T.CloseIf, T.OpenEach, T.CloseEach, T.OpenUnknownBlock, T.OpenExpr].map((type) => [sticky(type), type]);

const KEYWORDS = new Map<string, TokenType>([['true', T.True], ['false', T.False], ['null', T.Null], ['in', T.In]]);

const SINGLE = new Map<number, TokenType>([
  [63, T.Question], [58, T.Colon], [43, T.Plus], [45, T.Minus], [42, T.Star], [37, T.Percent], [44, T.Comma],
  [40, T.LParen], [41, T.RParen], [91, T.LBracket], [93, T.RBracket], [123, T.LBrace],
]);

const token = (image: string, startOffset: number, tokenType: TokenType): IToken =>
  ({ image, startOffset, tokenTypeIdx: tokenType.tokenTypeIdx!, tokenType }) as IToken;

function matchAt(re: RegExp, text: string, offset: number): string | undefined {
  re.lastIndex = offset;
  const m = re.exec(text);
  return m ? m[0] : undefined;
}

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Lexes expression tokens from `offset` until the end or, in a template tag (`tag` true), up to and
 * including `}}`. Returns the offset after the last token; -1 to give up.
 */
function lexCel(text: string, offset: number, tag: boolean, out: IToken[]): number {
  let i = offset;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    // Whitespace and comments are skipped tokens.
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i += matchAt(WHITESPACE, text, i)!.length;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      i += matchAt(LINE_COMMENT, text, i)!.length;
      continue;
    }
    let image: string | undefined;
    let type: TokenType | undefined;
    if (c === 34 || c === 39 || c === 114 || c === 82 || c === 98 || c === 66) {
      // Quotes, and r/b prefixes: a string literal first, as the lexer tries it before names.
      image = matchAt(STRING, text, i);
      if (image !== undefined) type = T.StringLit;
      else if (matchAt(UNTERMINATED, text, i) !== undefined) return -1;
    }
    if (type === undefined) {
      if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
        if ((image = matchAt(DOUBLE, text, i)) !== undefined) type = T.DoubleLit;
        else if ((image = matchAt(UINT, text, i)) !== undefined) type = T.UintLit;
        else if ((image = matchAt(INT, text, i)) !== undefined) type = T.IntLit;
        else return -1;
      } else if (isLetter(c)) {
        image = matchAt(WORD, text, i)!;
        type = KEYWORDS.get(image) ?? T.Identifier;
      } else if (c === 96 /* ` */) {
        if ((image = matchAt(QUOTED, text, i)) === undefined) return -1;
        type = T.QuotedIdent;
      } else {
        const next = text.charCodeAt(i + 1);
        switch (c) {
          case 61: // =
            if (next !== 61) return -1;
            type = T.EqEq;
            break;
          case 33: // !
            type = next === 61 ? T.NotEq : T.Bang;
            break;
          case 60: // <
            type = next === 61 ? T.LessEq : T.Less;
            break;
          case 62: // >
            type = next === 61 ? T.GreaterEq : T.Greater;
            break;
          case 38: // &
            if (next !== 38) return -1;
            type = T.AndAnd;
            break;
          case 124: // |
            if (next !== 124) return -1;
            type = T.OrOr;
            break;
          case 47: // /
            type = T.Slash;
            break;
          case 46: // .
            type = T.Dot;
            break;
          case 125: // }
            type = tag && next === 125 ? T.CloseTag : T.RBrace;
            break;
          default:
            type = SINGLE.get(c);
            if (type === undefined) return -1;
        }
        image = type === T.EqEq || type === T.NotEq || type === T.LessEq || type === T.GreaterEq || type === T.AndAnd || type === T.OrOr || type === T.CloseTag ? text.slice(i, i + 2) : text[i]!;
      }
    }
    out.push(token(image!, i, type));
    i += image!.length;
    if (type === T.CloseTag) return i;
  }
  return i;
}

/** The tokens `expressionLexer.tokenize(text)` gives when it reports no error; undefined otherwise. */
export function lexExpression(text: string): IToken[] | undefined {
  const out: IToken[] = [];
  return lexCel(text, 0, false, out) < 0 ? undefined : out;
}

/** The tokens `templateLexer.tokenize(text)` gives when it reports no error; undefined otherwise. */
export function lexTemplate(text: string): IToken[] | undefined {
  const out: IToken[] = [];
  let i = 0;
  while (i < text.length) {
    const next = text.indexOf('{{', i);
    if (next !== i) {
      const stop = next < 0 ? text.length : next;
      out.push(token(text.slice(i, stop), i, T.Text));
      i = stop;
      continue;
    }
    let opener: TokenType | undefined;
    let image: string | undefined;
    for (const [re, type] of OPENERS) {
      image = matchAt(re, text, i);
      if (image !== undefined) {
        opener = type;
        break;
      }
    }
    if (opener === undefined || image === undefined) return undefined;
    out.push(token(image, i, opener));
    i += image.length;
    if (opener.PUSH_MODE === 'tag') {
      i = lexCel(text, i, true, out);
      if (i < 0) return undefined;
    }
  }
  return out;
}
