/**
 * A linear-time regular expression matcher for `matches()`, with RE2 syntax and semantics
 * (what CEL specifies). Patterns are compiled to an NFA and run as a Pike VM: every input character
 * advances all live threads at once, so the cost is O(pattern × input) and catastrophic
 * backtracking cannot happen. Backreferences and lookaround do not exist in RE2 and are refused.
 * The work per match is also capped (`maxSteps`) so a huge input fails cleanly instead of hanging.
 */

export class RegexSyntaxError extends Error {
  constructor(message: string, readonly index: number) {
    super(message);
  }
}
export class RegexCostError extends Error {}

type CharTest = (cp: number) => boolean;
type Assertion = 'bol' | 'eol' | 'bot' | 'eot' | 'word' | 'nonword';
type Inst =
  | { op: 'char'; test: CharTest; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'assert'; kind: Assertion; next: number }
  | { op: 'match' };

// A syntax tree first, so that counted repetition can copy sub-patterns.
type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'assert'; kind: Assertion }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }; // max -1 = unbounded

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
}

/** Largest compiled program accepted (bounds `{n,m}` expansion). */
const MAX_PROGRAM = 5000;
/** Longest pattern and deepest group nesting accepted (the parser recurses per group). */
const MAX_PATTERN_LENGTH = 10_000;
const MAX_GROUP_DEPTH = 100;
const MAX_REPEAT = 1000;

const isWordCp = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
const isDigit = (cp: number) => cp >= 48 && cp <= 57;
const isSpace = (cp: number) => cp === 32 || (cp >= 9 && cp <= 13);

function foldCase(test: CharTest): CharTest {
  return (cp) => {
    if (test(cp)) return true;
    const ch = String.fromCodePoint(cp);
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    return (lo.length <= 2 && test(lo.codePointAt(0)!)) || (up.length <= 2 && test(up.codePointAt(0)!));
  };
}

const POSIX: Record<string, CharTest> = {
  alnum: (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  ascii: (c) => c <= 0x7f,
  blank: (c) => c === 32 || c === 9,
  cntrl: (c) => c < 32 || c === 127,
  digit: isDigit,
  graph: (c) => c > 32 && c < 127,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 32 && c < 127,
  punct: (c) => (c > 32 && c < 48) || (c > 57 && c < 65) || (c > 90 && c < 97) || (c > 122 && c < 127),
  space: isSpace,
  upper: (c) => c >= 65 && c <= 90,
  word: isWordCp,
  xdigit: (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    if (this.src.length > MAX_PATTERN_LENGTH) throw new RegexSyntaxError(`pattern is too long (more than ${MAX_PATTERN_LENGTH} characters)`, 0);
    const node = this.alternation({ i: false, s: false, m: false });
    if (this.i < this.src.length) throw new RegexSyntaxError(`unexpected \`${this.src[this.i]}\``, this.i);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alternation(flags: Flags): Node {
    const items = [this.concatenation(flags)];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.concatenation(flags));
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private concatenation(flags: Flags): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      const atom = this.atom(flags);
      if (atom === undefined) continue; // a flag group like (?i)
      items.push(this.quantified(atom));
    }
    return { t: 'cat', items };
  }

  private quantified(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      const at = this.i;
      if (c === '*') [min, max] = [0, -1];
      else if (c === '+') [min, max] = [1, -1];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) return node; // a literal `{`, as in RE2
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max !== -1 && max < min))
          throw new RegexSyntaxError(`invalid repeat count \`${m[0]}\` (at most ${MAX_REPEAT})`, at);
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.peek() === '?') this.i++; // lazy: same answer for a yes/no match
      else if (this.peek() === '+') throw new RegexSyntaxError('possessive quantifiers are not supported (RE2 syntax)', this.i);
      if (node.t === 'rep') throw new RegexSyntaxError('bad repetition operator: a quantifier cannot follow another quantifier', at);
      if (node.t === 'assert') throw new RegexSyntaxError('missing argument to repetition operator', at);
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(flags: Flags): Node | undefined {
    const start = this.i;
    const c = this.src[this.i++]!;
    switch (c) {
      case '(': {
        let inner = flags;
        if (this.src.startsWith('?', this.i)) {
          const m = /^\?(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|([imsU-]*)(:|\)))/.exec(this.src.slice(this.i));
          if (!m) {
            const what = /^\?(=|!|<=|<!)/.test(this.src.slice(this.i)) ? 'lookaround assertions are' : 'this group syntax is';
            throw new RegexSyntaxError(`${what} not supported (RE2 syntax)`, start);
          }
          this.i += m[0].length;
          if (m[2] !== undefined) {
            const next = { ...flags };
            let on = true;
            for (const f of m[2]) {
              if (f === '-') on = false;
              else if (f === 'i' || f === 's' || f === 'm') next[f] = on;
            }
            if (m[3] === ')') {
              Object.assign(flags, next); // (?i) applies to the rest of the enclosing group
              return undefined;
            }
            inner = next;
          }
        }
        if (++this.depth > MAX_GROUP_DEPTH) throw new RegexSyntaxError(`groups nest more than ${MAX_GROUP_DEPTH} levels deep`, start);
        const node = this.alternation({ ...inner });
        this.depth--;
        if (this.src[this.i] !== ')') throw new RegexSyntaxError('missing closing `)`', start);
        this.i++;
        return node;
      }
      case ')':
        throw new RegexSyntaxError('unexpected `)`', start);
      case '[':
        return this.charClass(flags, start);
      case '.':
        return { t: 'char', test: flags.s ? () => true : (cp) => cp !== 10 };
      case '^':
        return { t: 'assert', kind: flags.m ? 'bol' : 'bot' };
      case '$':
        return { t: 'assert', kind: flags.m ? 'eol' : 'eot' };
      case '*':
      case '+':
      case '?':
        throw new RegexSyntaxError(`missing argument to repetition operator \`${c}\``, start);
      case '\\': {
        const e = this.src[this.i];
        if (e === 'b' || e === 'B' || e === 'A' || e === 'z') {
          this.i++;
          return { t: 'assert', kind: e === 'b' ? 'word' : e === 'B' ? 'nonword' : e === 'A' ? 'bot' : 'eot' };
        }
        return this.literal(this.escape(start), flags);
      }
      default: {
        this.i--;
        const cp = this.src.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
        return this.literal((x) => x === cp, flags);
      }
    }
  }

  private literal(test: CharTest, flags: Flags): Node {
    return { t: 'char', test: flags.i ? foldCase(test) : test };
  }

  /** After a backslash: a character test for the escape. */
  private escape(start: number): CharTest {
    const e = this.src[this.i++];
    if (e === undefined) throw new RegexSyntaxError('trailing backslash', start);
    switch (e) {
      case 'd': return isDigit;
      case 'D': return (c) => !isDigit(c);
      case 'w': return isWordCp;
      case 'W': return (c) => !isWordCp(c);
      case 's': return isSpace;
      case 'S': return (c) => !isSpace(c);
      case 'n': return (c) => c === 10;
      case 't': return (c) => c === 9;
      case 'r': return (c) => c === 13;
      case 'f': return (c) => c === 12;
      case 'v': return (c) => c === 11;
      case 'a': return (c) => c === 7;
      case 'x': {
        const m = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/.exec(this.src.slice(this.i));
        if (!m) throw new RegexSyntaxError('invalid escape `\\x`', start);
        this.i += m[0].length;
        const v = parseInt(m[1] ?? m[2]!, 16);
        return (c) => c === v;
      }
      case 'p':
      case 'P': {
        const m = /^(?:\{\^?([A-Za-z_]+)\}|([A-Za-z]))/.exec(this.src.slice(this.i));
        if (!m) throw new RegexSyntaxError(`invalid escape \`\\${e}\``, start);
        this.i += m[0].length;
        let re: RegExp;
        try {
          // A one-character test; a class of one code point cannot backtrack.
          re = new RegExp(`^\\p{${m[1] ?? m[2]}}$`, 'u');
        } catch {
          throw new RegexSyntaxError(`unknown Unicode class \`${m[0]}\``, start);
        }
        const negate = (e === 'P') !== m[0].startsWith('{^');
        return (c) => re.test(String.fromCodePoint(c)) !== negate;
      }
      default:
        if (/[1-9]/.test(e)) throw new RegexSyntaxError('backreferences are not supported (RE2 syntax)', start);
        if (/[A-Za-z0-9]/.test(e)) throw new RegexSyntaxError(`invalid escape \`\\${e}\``, start);
        {
          const cp = e.codePointAt(0)!;
          return (c) => c === cp;
        }
    }
  }

  private charClass(flags: Flags, start: number): Node {
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new RegexSyntaxError('missing closing `]`', start);
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
      if (posix) {
        const t = POSIX[posix[2]!];
        if (!t) throw new RegexSyntaxError(`unknown character class \`${posix[0]}\``, this.i);
        this.i += posix[0].length;
        tests.push(posix[1] ? (x) => !t(x) : t);
        continue;
      }
      const lo = this.classChar(start);
      if (typeof lo === 'function') {
        tests.push(lo);
        continue;
      }
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined) {
        this.i++;
        const hi = this.classChar(start);
        if (typeof hi === 'function' || hi < lo) throw new RegexSyntaxError('invalid character class range', start);
        tests.push((x) => x >= lo && x <= hi);
      } else tests.push((x) => x === lo);
    }
    let test: CharTest = tests.length === 1 ? tests[0]! : (x) => tests.some((t) => t(x));
    if (flags.i) test = foldCase(test);
    const base = test;
    return { t: 'char', test: negate ? (x) => !base(x) : base };
  }

  /** One character of a class: a code point, or a test for an escape like `\d`. */
  private classChar(start: number): number | CharTest {
    if (this.peek() === '\\') {
      const at = this.i;
      this.i++;
      const e = this.peek();
      if (e !== undefined && /[dDwWsSpP]/.test(e)) return this.escape(at);
      // `\xHH` and `\x{H...}` are one code point, so they can bound a range: `[\x20-\x7E]`.
      if (e === 'x') {
        const m = /^x(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/.exec(this.src.slice(this.i));
        if (!m) throw new RegexSyntaxError('invalid escape `\\x`', at);
        const cp = parseInt(m[1] ?? m[2]!, 16);
        if (cp > 0x10ffff) throw new RegexSyntaxError(`invalid escape \`\\${m[0]}\`: beyond U+10FFFF`, at);
        this.i += m[0].length;
        return cp;
      }
      const t = this.escape(at);
      // Single-character escapes: recover the code point by probing the common ones.
      const probe = e === 'x' ? undefined : e === 'n' ? 10 : e === 't' ? 9 : e === 'r' ? 13 : e === 'f' ? 12 : e === 'v' ? 11 : e === 'a' ? 7 : e?.codePointAt(0);
      if (probe !== undefined && t(probe)) return probe;
      return t;
    }
    const cp = this.src.codePointAt(this.i);
    if (cp === undefined) throw new RegexSyntaxError('missing closing `]`', start);
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

function compileNode(node: Node, prog: Inst[]): void {
  if (prog.length > MAX_PROGRAM) throw new RegexSyntaxError(`pattern is too large (more than ${MAX_PROGRAM} states)`, 0);
  switch (node.t) {
    case 'char':
      prog.push({ op: 'char', test: node.test, next: prog.length + 1 });
      return;
    case 'assert':
      prog.push({ op: 'assert', kind: node.kind, next: prog.length + 1 });
      return;
    case 'cat':
      for (const n of node.items) compileNode(n, prog);
      return;
    case 'alt': {
      const jumps: Inst[] = [];
      for (let k = 0; k < node.items.length - 1; k++) {
        const split: Inst = { op: 'split', a: prog.length + 1, b: 0 };
        prog.push(split);
        compileNode(node.items[k]!, prog);
        const jmp: Inst = { op: 'jmp', to: 0 };
        prog.push(jmp);
        jumps.push(jmp);
        split.b = prog.length;
      }
      compileNode(node.items[node.items.length - 1]!, prog);
      for (const j of jumps) (j as { to: number }).to = prog.length;
      return;
    }
    case 'rep': {
      for (let k = 0; k < node.min; k++) compileNode(node.node, prog);
      if (node.max === -1) {
        const split: Inst = { op: 'split', a: prog.length + 1, b: 0 };
        const loop = prog.length;
        prog.push(split);
        compileNode(node.node, prog);
        prog.push({ op: 'jmp', to: loop });
        split.b = prog.length;
      } else {
        const splits: Inst[] = [];
        for (let k = node.min; k < node.max; k++) {
          const split: Inst = { op: 'split', a: prog.length + 1, b: 0 };
          prog.push(split);
          splits.push(split);
          compileNode(node.node, prog);
        }
        for (const s of splits) (s as { b: number }).b = prog.length;
      }
    }
  }
}

/** A compiled RE2-syntax pattern; `test` finds a match anywhere in the input (CEL `matches`). */
export class LinearRegex {
  private readonly prog: Inst[];
  constructor(readonly source: string) {
    const prog: Inst[] = [];
    compileNode(new Parser(source).parse(), prog);
    prog.push({ op: 'match' });
    if (prog.length > MAX_PROGRAM) throw new RegexSyntaxError(`pattern is too large (more than ${MAX_PROGRAM} states)`, 0);
    this.prog = prog;
  }

  /**
   * True when the pattern matches a substring of `input`; throws RegexCostError past `maxSteps`
   * thread steps. `cost.steps` (when given) is set to the thread steps spent, also when it throws.
   */
  test(input: string, maxSteps: number, cost?: { steps: number }): boolean {
    const prog = this.prog;
    const n = prog.length;
    let clist = new Int32Array(n);
    let nlist = new Int32Array(n);
    const mark = new Int32Array(n).fill(-1); // the generation in which a pc was last added
    const stack = new Int32Array(n * 2 + 2);
    let gen = 0;
    let steps = 0;
    let matched = false;
    // The characters around the position being added: assertions look at them.
    let before = -1;
    let after = -1;

    // Adds pc and its epsilon closure to `list`; sets `matched` when `match` is reachable.
    const add = (list: Int32Array, count: number, pc0: number): number => {
      let sp = 0;
      stack[sp++] = pc0;
      while (sp > 0) {
        const pc = stack[--sp]!;
        if (mark[pc] === gen) continue;
        mark[pc] = gen;
        const inst = prog[pc]!;
        switch (inst.op) {
          case 'jmp':
            stack[sp++] = inst.to;
            break;
          case 'split':
            stack[sp++] = inst.b;
            stack[sp++] = inst.a;
            break;
          case 'assert': {
            let ok: boolean;
            switch (inst.kind) {
              case 'bot': ok = before === -1; break;
              case 'eot': ok = after === -1; break;
              case 'bol': ok = before === -1 || before === 10; break;
              case 'eol': ok = after === -1 || after === 10; break;
              case 'word': ok = (before !== -1 && isWordCp(before)) !== (after !== -1 && isWordCp(after)); break;
              default: ok = (before !== -1 && isWordCp(before)) === (after !== -1 && isWordCp(after));
            }
            if (ok) stack[sp++] = inst.next;
            break;
          }
          case 'match':
            matched = true;
            break;
          default:
            list[count++] = pc;
        }
      }
      return count;
    };

    let pos = 0;
    after = input.length > 0 ? input.codePointAt(0)! : -1;
    gen++;
    let ccount = add(clist, 0, 0);
    while (!matched && after !== -1) {
      const cur = after;
      steps += ccount + 1;
      if (steps > maxSteps) {
        if (cost) cost.steps = steps;
        throw new RegexCostError(`the regular expression needs more than ${maxSteps} steps on this input`);
      }
      pos += cur > 0xffff ? 2 : 1;
      before = cur;
      after = pos < input.length ? input.codePointAt(pos)! : -1;
      gen++;
      let ncount = 0;
      for (let k = 0; k < ccount && !matched; k++) {
        const inst = prog[clist[k]!] as { op: 'char'; test: CharTest; next: number };
        if (inst.test(cur)) ncount = add(nlist, ncount, inst.next);
      }
      // Unanchored search: a match may also start at this position.
      if (!matched) ncount = add(nlist, ncount, 0);
      [clist, nlist] = [nlist, clist];
      ccount = ncount;
    }
    if (cost) cost.steps = steps;
    return matched;
  }
}
