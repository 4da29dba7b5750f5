import { ExprCode } from './expr-diagnostic.js';
import { charge, REGEX_STEPS_PER_STEP, scanCost, type Budget } from './budget.js';
import { EvalError } from './eval-error.js';
import type { EvalLimits } from './limits.js';
import { LinearRegex, RegexCostError, RegexSyntaxError } from './regex.js';
import {
  CelType, CelUint, codePointLength, formatDouble, INT64_MAX, INT64_MIN, intValue, typeName, UINT64_MAX, type Value,
} from './values.js';

/** Where a builtin is called from: for error positions and limits. */
export interface CallSite {
  start: number;
  end: number;
  limits: EvalLimits;
}

export function fail(code: string, message: string, site: { start: number; end: number }, hint?: string): never {
  throw new EvalError(code, message, site.start, site.end, hint);
}

export function noOverload(name: string, args: Value[], site: { start: number; end: number }): never {
  fail(ExprCode.RuntimeNoOverload, `no matching overload for \`${name}\` with (${args.map(typeName).join(', ')})`, site);
}

export function checkString(s: string, site: CallSite): string {
  if (s.length > site.limits.maxStringLength)
    fail(ExprCode.LimitExceeded, `string result of ${s.length} characters exceeds the limit of ${site.limits.maxStringLength}`, site);
  return s;
}

export function checkInt(v: bigint, site: { start: number; end: number }): bigint {
  if (v > INT64_MAX || v < INT64_MIN) fail(ExprCode.Overflow, 'int overflow: the result is outside the int64 range', site);
  return v;
}
export function checkUint(v: bigint, site: { start: number; end: number }): CelUint {
  if (v > UINT64_MAX || v < 0n) fail(ExprCode.Overflow, 'uint overflow: the result is outside the uint64 range', site);
  return new CelUint(v);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

// A small cache of compiled patterns built at run time (patterns from variables).
const regexCache = new Map<string, LinearRegex | RegexSyntaxError>();
export function compileRegex(pattern: string): LinearRegex | RegexSyntaxError {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new LinearRegex(pattern);
    } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      re = e;
    }
    // Only short patterns are cached, so the cache stays small whatever the input.
    if (pattern.length <= 1000) {
      if (regexCache.size >= 256) regexCache.delete(regexCache.keys().next().value!);
      regexCache.set(pattern, re);
    }
  }
  return re;
}

/**
 * `s.matches(pattern)`. The matcher's work is charged to the evaluation (1 step per
 * {@link REGEX_STEPS_PER_STEP} thread steps) and capped by what is left of its budget as well as
 * by `maxRegexSteps` per call, so `matches` inside a macro is bounded like any other work.
 */
export function matches(s: Value, pattern: Value | LinearRegex | RegexSyntaxError, site: CallSite, budget: Budget): boolean {
  if (typeof pattern === 'string') charge(budget, 1 + (pattern.length >> 4), site); // compiling (or finding) a pattern held in a value
  const re = typeof pattern === 'string' ? compileRegex(pattern) : pattern;
  if (typeof s !== 'string' || !(re instanceof LinearRegex || re instanceof RegexSyntaxError)) return noOverload('matches', [s, pattern as Value], site);
  if (re instanceof RegexSyntaxError) fail(ExprCode.InvalidArgument, `invalid regular expression: ${re.message}`, site, 'patterns use RE2 syntax');
  const left = (budget.limits.maxSteps - budget.steps + 1) * REGEX_STEPS_PER_STEP;
  const cap = Math.min(site.limits.maxRegexSteps, left);
  const cost = { steps: 0 };
  try {
    return re.test(s, cap, cost);
  } catch (e) {
    if (!(e instanceof RegexCostError)) throw e;
    if (cap < site.limits.maxRegexSteps) charge(budget, budget.limits.maxSteps + 1, site); // the evaluation's budget ran out first
    fail(ExprCode.LimitExceeded, e.message, site, 'match a shorter input or a simpler pattern');
  } finally {
    charge(budget, Math.ceil(cost.steps / REGEX_STEPS_PER_STEP), site);
  }
}

/** How many times `sep` (not empty) occurs in `s`, counting no further than `cap`. */
function occurrences(s: string, sep: string, cap: number): number {
  let n = 0;
  for (let i = s.indexOf(sep); i >= 0 && n <= cap; i = s.indexOf(sep, i + sep.length)) n++;
  return n;
}

const INT_TEXT = /^[+-]?\d+$/;
const DOUBLE_TEXT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;
const TWO_63 = 9223372036854775808;
const TWO_64 = 18446744073709551616;

function toInt(v: Value, site: CallSite): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof CelUint) return checkInt(v.value, site);
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v >= TWO_63 || v <= -TWO_63) fail(ExprCode.Overflow, `int(${formatDouble(v)}) is outside the int64 range`, site);
    return BigInt(Math.trunc(v));
  }
  if (typeof v === 'string') {
    if (!INT_TEXT.test(v)) fail(ExprCode.InvalidArgument, `cannot convert string ${JSON.stringify(v.slice(0, 40))} to int`, site);
    return checkInt(BigInt(v), site);
  }
  return noOverload('int', [v], site);
}

function toUint(v: Value, site: CallSite): CelUint {
  if (v instanceof CelUint) return v;
  if (typeof v === 'bigint') return checkUint(v, site);
  if (typeof v === 'number') {
    // Any negative double is out of range, also one that truncates to 0 (CEL: `uint(-0.5)` is an error).
    if (!Number.isFinite(v) || v >= TWO_64 || v < 0) fail(ExprCode.Overflow, `uint(${formatDouble(v)}) is outside the uint64 range`, site);
    return new CelUint(BigInt(Math.trunc(v)));
  }
  if (typeof v === 'string') {
    if (!/^\+?\d+$/.test(v)) fail(ExprCode.InvalidArgument, `cannot convert string ${JSON.stringify(v.slice(0, 40))} to uint`, site);
    return checkUint(BigInt(v), site);
  }
  return noOverload('uint', [v], site);
}

function toDouble(v: Value, site: CallSite): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof CelUint) return Number(v.value);
  if (typeof v === 'string') {
    if (!DOUBLE_TEXT.test(v)) fail(ExprCode.InvalidArgument, `cannot convert string ${JSON.stringify(v.slice(0, 40))} to double`, site);
    const lower = v.toLowerCase().replace(/^\+/, '');
    if (lower === 'nan') return NaN;
    if (/^-?inf/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
    return Number(v);
  }
  return noOverload('double', [v], site);
}

function toStr(v: Value, site: CallSite): string {
  switch (typeof v) {
    case 'string': return v;
    case 'bigint': return v.toString();
    case 'number': return formatDouble(v);
    case 'boolean': return v ? 'true' : 'false';
    default:
      if (v instanceof CelUint) return v.value.toString();
      if (v instanceof Uint8Array) {
        try {
          return utf8.decode(v);
        } catch {
          return fail(ExprCode.InvalidArgument, 'bytes are not valid UTF-8, so they cannot be converted to string', site);
        }
      }
      return noOverload('string', [v], site);
  }
}

const BOOL_TEXT: Record<string, boolean> = Object.assign(Object.create(null) as Record<string, boolean>, {
  '1': true, t: true, T: true, true: true, TRUE: true, True: true,
  '0': false, f: false, F: false, false: false, FALSE: false, False: false,
});

function sizeOf(v: Value, site: CallSite): bigint {
  if (typeof v === 'string') return intValue(codePointLength(v));
  if (v instanceof Uint8Array) return intValue(v.length);
  if (Array.isArray(v)) return intValue(v.length);
  if (v instanceof Map) return intValue(v.size);
  return noOverload('size', [v], site);
}

// Unicode's White_Space property, which CEL's trim() uses. JavaScript's trim() differs: it also
// strips U+FEFF (a zero-width no-break space, not White_Space) and keeps U+0085 (NEXT LINE, which is).
const WHITE_SPACE = '\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${WHITE_SPACE}]+`);
const SPACE_CHAR = new RegExp(`^[${WHITE_SPACE}]$`);

/** `s` without leading and trailing Unicode White_Space (CEL strings extension `trim`). */
function trimWhiteSpace(s: string): string {
  const head = LEADING_SPACE.exec(s);
  const start = head ? head[0].length : 0;
  if (start === s.length) return '';
  // Scan the end by hand: a `[...]+$` search would retry at every run of inner spaces (quadratic).
  let stop = s.length;
  while (stop > start && SPACE_CHAR.test(s[stop - 1]!)) stop--;
  return s.slice(start, stop);
}

type Builtin = (args: Value[], site: CallSite, budget: Budget) => Value;

const str = (name: string, args: Value[], site: CallSite, n: number): string[] => {
  if (args.length !== n || args.some((a) => typeof a !== 'string')) noOverload(name, args, site);
  return args as string[];
};

/** Global functions: `size(x)`, conversions, `type`, `dyn`, `matches(s, re)`. */
export const GLOBAL_FUNCTIONS: ReadonlyMap<string, { arity: number[]; fn: Builtin }> = new Map<string, { arity: number[]; fn: Builtin }>([
  ['size', { arity: [1], fn: (a, s) => sizeOf(a[0]!, s) }],
  ['int', { arity: [1], fn: (a, s) => toInt(a[0]!, s) }],
  ['uint', { arity: [1], fn: (a, s) => toUint(a[0]!, s) }],
  ['double', { arity: [1], fn: (a, s) => toDouble(a[0]!, s) }],
  ['string', { arity: [1], fn: (a, s) => checkString(toStr(a[0]!, s), s) }],
  ['bool', {
    arity: [1],
    fn: (a, s) => {
      const v = a[0]!;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') {
        const b = BOOL_TEXT[v];
        if (b === undefined) fail(ExprCode.InvalidArgument, `cannot convert string ${JSON.stringify(v.slice(0, 40))} to bool`, s);
        return b;
      }
      return noOverload('bool', [v], s);
    },
  }],
  ['bytes', {
    arity: [1],
    fn: (a, s) => {
      const v = a[0]!;
      if (v instanceof Uint8Array) return v;
      if (typeof v === 'string') return encoder.encode(v);
      return noOverload('bytes', [v], s);
    },
  }],
  ['type', { arity: [1], fn: (a) => CelType.of(typeName(a[0]!)) }],
  ['dyn', { arity: [1], fn: (a) => a[0]! }],
  ['matches', { arity: [2], fn: (a, s, b) => matches(a[0]!, a[1]!, s, b) }],
]);

type MemberBuiltin = (target: Value, args: Value[], site: CallSite, budget: Budget) => Value;

/** Receiver-style functions, `target.fn(args)`: CEL's string functions plus a few from its strings extension. */
export const MEMBER_FUNCTIONS: ReadonlyMap<string, { arity: number[]; fn: MemberBuiltin }> = new Map<string, { arity: number[]; fn: MemberBuiltin }>([
  ['size', { arity: [0], fn: (t, _a, s) => sizeOf(t, s) }],
  ['contains', { arity: [1], fn: (t, a, s) => (typeof t === 'string' && typeof a[0] === 'string' ? t.includes(a[0]) : noOverload('contains', [t, ...a], s)) }],
  ['startsWith', { arity: [1], fn: (t, a, s) => (typeof t === 'string' && typeof a[0] === 'string' ? t.startsWith(a[0]) : noOverload('startsWith', [t, ...a], s)) }],
  ['endsWith', { arity: [1], fn: (t, a, s) => (typeof t === 'string' && typeof a[0] === 'string' ? t.endsWith(a[0]) : noOverload('endsWith', [t, ...a], s)) }],
  ['matches', { arity: [1], fn: (t, a, s, b) => matches(t, a[0]!, s, b) }],
  ['lowerAscii', { arity: [0], fn: (t, _a, s) => str('lowerAscii', [t], s, 1)[0]!.replace(/[A-Z]+/g, (m) => m.toLowerCase()) }],
  ['upperAscii', { arity: [0], fn: (t, _a, s) => str('upperAscii', [t], s, 1)[0]!.replace(/[a-z]+/g, (m) => m.toUpperCase()) }],
  ['trim', { arity: [0], fn: (t, _a, s) => trimWhiteSpace(str('trim', [t], s, 1)[0]!) }],
  ['replace', {
    arity: [2],
    fn: (t, a, s, b) => {
      const [x, from, to] = str('replace', [t, ...a], s, 3);
      if (from === '') return noOverload('replace', [t, ...a], s);
      // The result's size is known from the number of matches: check it before building anything.
      const growth = to!.length - from!.length;
      const cap = growth > 0 ? Math.floor((s.limits.maxStringLength - x!.length) / growth) : Infinity;
      const count = cap < 0 ? Infinity : occurrences(x!, from!, cap);
      if (count > cap) fail(ExprCode.LimitExceeded, `replace result exceeds the string limit of ${s.limits.maxStringLength}`, s);
      charge(b, scanCost(x!.length + count * Math.max(0, growth)), s); // the result is built
      return x!.replaceAll(from!, () => to!); // a function replacer: `$&` in `to` is text, not a pattern
    },
  }],
  ['split', {
    arity: [1],
    fn: (t, a, s, b) => {
      const [x, sep] = str('split', [t, ...a], s, 2);
      // Count the parts first, so a huge list is refused before it is built.
      const parts = sep === '' ? codePointLength(x!) : occurrences(x!, sep!, s.limits.maxListLength) + 1;
      if (parts > s.limits.maxListLength) fail(ExprCode.LimitExceeded, `split produces more than ${s.limits.maxListLength} parts`, s);
      charge(b, parts, s); // a list of `parts` elements is built
      return sep === '' ? Array.from(x!) : x!.split(sep!);
    },
  }],
  ['join', {
    arity: [0, 1],
    fn: (t, a, s, b) => {
      const sep = a.length === 0 ? '' : a[0];
      if (!Array.isArray(t) || typeof sep !== 'string') return noOverload('join', [t, ...a], s);
      charge(b, t.length, s);
      let len = 0;
      for (const x of t as Value[]) {
        if (typeof x !== 'string') return noOverload('join', [t, ...a], s);
        len += x.length + sep.length;
      }
      if (len > s.limits.maxStringLength) fail(ExprCode.LimitExceeded, `join result exceeds the string limit of ${s.limits.maxStringLength}`, s);
      charge(b, scanCost(len), s);
      return (t as string[]).join(sep);
    },
  }],
]);
